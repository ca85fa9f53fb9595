// npm run bench:gate-check — does the regression gate cry wolf, and does it catch a real slowdown?
//  1. A vs A: PAIRS pairs of real runs of the CI suite, same configuration, one after the other,
//     compared on the gate's metrics (those bench:ci uses) and, separately, on wall time. Every
//     "slower" or "faster" is a false alarm (the goal is none).
//  2. Sensitivity: the countdown given PCT% more work (n × (1 + PCT/100)) against the last A run,
//     on wall time: which slowdowns the comparison catches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../bench/cli.ts';
import { compare, type CompareOptions, type Metric } from '../bench/compare.ts';
import { latestRunDir, readResults } from '../bench/results.ts';
import { CI_GATE_METRICS, CI_SUITE_ARGS } from '../ci/suite.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10' }, inject: { type: 'string', default: '5,10,20' } } });
const PAIRS = Number(values.pairs);
const INJECT = values.inject.split(',').map(Number);
const out = mkdtempSync(join(tmpdir(), 'gilbench-gate-'));
const gate: CompareOptions = { metrics: CI_GATE_METRICS.split(',') as Metric[], threshold: 0.05, alpha: 0.01 };
const wall: CompareOptions = { ...gate, metrics: ['wall'] };
const BASE_N = Number(CI_SUITE_ARGS.find((arg) => arg.startsWith('n='))!.slice(2));

async function suite(...extra: string[]): Promise<string> {
  const code = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
  if (code !== 0) throw new Error(`the CI suite failed with exit code ${code}`);
  return join(latestRunDir(out), 'results.json');
}

const started = performance.now();
const falseAlarms = { gate: 0, wall: 0 };
let last = '';
const alarmsOf = (a: string, b: string, options: CompareOptions) =>
  compare(readResults(a), readResults(b), options).filter((c) => c.verdict !== 'no change' && c.verdict !== 'differs');
const describe = (alarms: ReturnType<typeof alarmsOf>) =>
  alarms.map((c) => `${c.key} ${c.metric} ${c.verdict} ${((c.ratio - 1) * 100).toFixed(1)}%`).join('; ') || 'no alarm';
for (let pair = 0; pair < PAIRS; pair++) {
  const a = await suite();
  const b = await suite();
  last = b;
  const [onGate, onWall] = [alarmsOf(a, b, gate), alarmsOf(a, b, wall)];
  falseAlarms.gate += onGate.length ? 1 : 0;
  falseAlarms.wall += onWall.length ? 1 : 0;
  console.log(`A vs A pair ${pair + 1}/${PAIRS}: gate (${CI_GATE_METRICS}): ${describe(onGate)}; wall: ${describe(onWall)}`);
}

const caught: string[] = [];
for (const pct of INJECT) {
  const slowed = await suite('--param', `n=${Math.round(BASE_N * (1 + pct / 100))}`);
  const countdown = compare(readResults(last), readResults(slowed), wall).filter((c) => c.key.startsWith('countdown/'));
  const slower = countdown.filter((c) => c.verdict === 'slower').length;
  caught.push(`+${pct}% work: ${slower} of ${countdown.length} countdown cells judged slower (${countdown.map((c) => `${((c.ratio - 1) * 100).toFixed(1)}%`).join(', ')})`);
}

console.log('');
console.log(`False alarms on the gate's metrics (${CI_GATE_METRICS}): ${falseAlarms.gate} of ${PAIRS} A-vs-A pairs had any cell judged slower, faster or missing (p < ${gate.alpha}, beyond ±${gate.threshold * 100}%).`);
console.log(`False alarms on wall time, two runs one after the other: ${falseAlarms.wall} of ${PAIRS} pairs.`);
for (const line of caught) console.log(`Sensitivity, ${line}`);
console.log(`Took ${((performance.now() - started) / 60_000).toFixed(1)} min; runs in ${out}`);
