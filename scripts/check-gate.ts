// npm run bench:gate-check — does the regression gate cry wolf, and does it catch a real slowdown?
//  1. A vs A: PAIRS real A/B runs of the CI suite in which both sides are the same workloads
//     (the workflow's gate: one interleaved run, compared on wall time and speedup). Each run's
//     base side is also compared with ci/baseline.json on the ratios bench:ci gates on. Every
//     "slower", "faster" or "missing" is a false alarm; the goal is none.
//  2. Sensitivity: A/B runs whose head side gives the countdown PCT% more work: which of its
//     cells the gate calls slower.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../bench/cli/main.ts';
import { compare, type CompareOptions, type Comparison } from '../bench/analyse/compare.ts';
import type { MetricId } from '../bench/core/metrics.ts';
import { latestRunDir, readResults } from '../bench/store/results.ts';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { AB_GATE_METRICS, abRunArgs, BASELINE, CI_GATE_METRICS, CI_GATE_THRESHOLD_PCT, CI_RUN_ARGS } from '../ci/suite.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10' }, inject: { type: 'string', default: '5,10,20' } } });
const PAIRS = Number(values.pairs);
const INJECT = values.inject.split(',').map(Number);
const out = mkdtempSync(join(tmpdir(), 'gilbench-gate-'));
const options = (metrics: string): CompareOptions => ({ metrics: metrics === AB_GATE_METRICS ? undefined : (metrics.split(',') as MetricId[]), threshold: 0.05, alpha: 0.01 });
const BASE_N = Number(CI_RUN_ARGS.find((arg) => arg.startsWith('n='))!.slice(2));

async function abRun(...extra: string[]): Promise<string> {
  const code = await main(['run', ...abRunArgs(WORKLOADS_DIR, WORKLOADS_DIR), '--out', out, ...extra]);
  if (code !== 0) throw new Error(`the A/B suite failed with exit code ${code}`);
  return join(latestRunDir(out), 'results.json');
}

const alarms = (comparisons: Comparison[]) => comparisons.filter((c) => !['no change', 'differs', 'new'].includes(c.verdict));
const describe = (found: Comparison[]) => found.map((c) => `${c.key} ${c.metric} ${c.verdict} ${((c.ratio - 1) * 100).toFixed(1)}%`).join('; ') || 'no alarm';

const started = performance.now();
const falseAlarms = { ab: 0, baseline: 0 };
for (let pair = 0; pair < PAIRS; pair++) {
  const file = readResults(await abRun());
  const ab = alarms(compare(file, file, { ...options(AB_GATE_METRICS), baseLabel: 'base', candLabel: 'head' }));
  const baseline = readResults(BASELINE);
  const vsBaseline = alarms(compare(baseline, file, {
    ...options(CI_GATE_METRICS), threshold: Number(CI_GATE_THRESHOLD_PCT) / 100, baseInterpreter: baseline.interpreters[0]!.id, candInterpreter: file.interpreters[0]!.id, candLabel: 'base',
  }));
  falseAlarms.ab += ab.length ? 1 : 0;
  falseAlarms.baseline += vsBaseline.length ? 1 : 0;
  console.log(`A vs A ${pair + 1}/${PAIRS}: A/B in one run (${AB_GATE_METRICS}): ${describe(ab)} | vs ci/baseline.json (${CI_GATE_METRICS}): ${describe(vsBaseline)}`);
}

const caught: string[] = [];
for (const pct of INJECT) {
  const file = readResults(await abRun('--param', `countdown@head:n=${Math.round(BASE_N * (1 + pct / 100))}`));
  const countdown = compare(file, file, { ...options('wall'), baseLabel: 'base', candLabel: 'head' }).filter((c) => c.key.startsWith('countdown/'));
  const slower = countdown.filter((c) => c.verdict === 'slower').length;
  caught.push(`+${pct}% work: ${slower} of ${countdown.length} countdown cells judged slower (${countdown.map((c) => `${c.key.split('/')[1]} ${((c.ratio - 1) * 100).toFixed(1)}% p=${c.p.toFixed(4)}`).join(', ')})`);
}

console.log('');
console.log(`False alarms, A/B in one run (the workflow's gate, ${AB_GATE_METRICS}): ${falseAlarms.ab} of ${PAIRS} runs had any cell judged slower, faster or missing (p < 0.01, beyond ±5%).`);
console.log(`False alarms, against ci/baseline.json (bench:ci, ${CI_GATE_METRICS}, ±${CI_GATE_THRESHOLD_PCT}%): ${falseAlarms.baseline} of ${PAIRS}.`);
for (const line of caught) console.log(`Sensitivity, ${line}`);
console.log(`Took ${((performance.now() - started) / 60_000).toFixed(1)} min; runs in ${out}`);
