// npm run bench:gate-check — does the regression gate cry wolf, and does it catch a real slowdown?
//  1. A vs A: PAIRS pairs of real runs of the CI suite, same configuration, compared on wall time
//     and speedup. Every "slower" or "faster" is a false alarm (the goal is none).
//  2. Sensitivity: the countdown given PCT% more work (n × (1 + PCT/100)) against the last A run:
//     the gate must fail on it.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../bench/cli.ts';
import { compare, type CompareOptions } from '../bench/compare.ts';
import { readResults } from '../bench/results.ts';
import { CI_SUITE_ARGS } from '../ci/suite.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10' }, inject: { type: 'string', default: '5,10,20' } } });
const PAIRS = Number(values.pairs);
const INJECT = values.inject.split(',').map(Number);
const out = mkdtempSync(join(tmpdir(), 'gilbench-gate-'));
const options: CompareOptions = { metrics: ['wall', 'speedup'], threshold: 0.05, alpha: 0.01 };
const BASE_N = Number(CI_SUITE_ARGS[CI_SUITE_ARGS.indexOf('n=5000000')]!.split('=')[1]);

async function suite(...extra: string[]): Promise<string> {
  const code = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
  if (code !== 0) throw new Error(`the CI suite failed with exit code ${code}`);
  return join(out, readdirSync(out).filter((d) => d !== 'latest').sort().at(-1)!, 'results.json');
}

const started = performance.now();
let falseAlarms = 0;
let last = '';
for (let pair = 0; pair < PAIRS; pair++) {
  const a = await suite();
  const b = await suite();
  last = b;
  const comparisons = compare(readResults(a), readResults(b), options);
  const alarms = comparisons.filter((c) => c.verdict === 'slower' || c.verdict === 'faster');
  falseAlarms += alarms.length ? 1 : 0;
  console.log(`A vs A pair ${pair + 1}/${PAIRS}: ${comparisons.length} comparisons, ${alarms.length ? alarms.map((c) => `${c.key} ${c.metric} ${c.verdict} ${((c.ratio - 1) * 100).toFixed(1)}%`).join('; ') : 'no alarm'}`);
}

const caught: string[] = [];
for (const pct of INJECT) {
  const slowed = await suite('--param', `n=${Math.round(BASE_N * (1 + pct / 100))}`);
  const countdown = compare(readResults(last), readResults(slowed), { ...options, metrics: ['wall'] }).filter((c) => c.key.startsWith('countdown/'));
  const slower = countdown.filter((c) => c.verdict === 'slower').length;
  caught.push(`+${pct}% work: ${slower} of ${countdown.length} countdown cells judged slower (${countdown.map((c) => `${((c.ratio - 1) * 100).toFixed(1)}%`).join(', ')})`);
}

console.log('');
console.log(`False alarms: ${falseAlarms} of ${PAIRS} A-vs-A pairs had any cell judged slower or faster (wall time and speedup, p < ${options.alpha}, beyond ±${options.threshold * 100}%).`);
for (const line of caught) console.log(`Sensitivity, ${line}`);
console.log(`Took ${((performance.now() - started) / 60_000).toFixed(1)} min; runs in ${out}`);
