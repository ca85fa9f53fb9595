// npm run bench:gate-check — do the regression gates cry wolf, and what do they catch?
//  1. A vs A: PAIRS rounds of real runs with no code change. Each makes one A/B run of the CI
//     suite whose two sides are the same workloads (the workflow's gate: one interleaved run,
//     compared on wall time and speedup), and one plain run of the suite. Every gate the README
//     documents is judged on them, and any alarm is false:
//      - the A/B gate (compare --base-label base --cand-label head) on the A/B run;
//      - bench:ci: the A/B run's base side against ci/baseline.json on the ratios it gates on; its
//        alarms are candidates that an interleaved A/B of the baseline's revision and the tree must
//        confirm (here the code is the same: the pair's A/B run is such an A/B);
//      - history check: the plain runs as successive commits of a history store, each pair's A/B
//        recorded as the confirmation of its commit, checked after every commit.
//  2. Power: A/B runs whose head side gives the countdown PCT% more work, RUNS times per size:
//     how many countdown cells each gate calls slower. And an estimate of the A/B gate's power at
//     more rounds than the suite runs: rounds of the A-vs-A runs resampled (seeded), the head's
//     times made PCT% longer, judged by the gate's own test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CompareOptions, type Comparison, compare, judge } from '../bench/analyse/compare.ts';
import { AB_BAR, AB_JUDGEMENT, confirmationFrom, entryFromResults } from '../bench/analyse/history/record.ts';
import { analyseHistory, BLOCKING, openRegressions } from '../bench/analyse/history/series.ts';
import { main } from '../bench/cli/main.ts';
import { judgeAB } from '../bench/cli/revisions.ts';
import type { MetricId } from '../bench/core/metrics.ts';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { seededRandom } from '../bench/core/stats.ts';
import { readStore, writeConfirmation, writeEntry } from '../bench/store/history.ts';
import { runValue } from '../bench/store/records.ts';
import { latestRunDir, type Results, readResults } from '../bench/store/results.ts';
import {
  AB_GATE_METRICS,
  abRunArgs,
  BASELINE,
  CI_GATE_METRICS,
  CI_GATE_THRESHOLD_PCT,
  CI_RUN_ARGS,
  CI_SUITE_ARGS,
  confirmedAlarms,
} from '../ci/suite.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '10' },
    inject: { type: 'string', default: '5,10,20' },
    runs: { type: 'string', default: '2' },
    repeat: { type: 'string' },
  },
});
const PAIRS = Number(values.pairs);
const INJECT = values.inject.split(',').map(Number);
const RUNS = Number(values.runs);
/** --repeat N: rounds of the A/B runs, to see what more rounds buy (default: the suite's). */
const ROUNDS = values.repeat ? ['--repeat', values.repeat] : [];
const out = mkdtempSync(join(tmpdir(), 'gilbench-gate-'));
const options = (metrics: string): CompareOptions => ({
  metrics: metrics === AB_GATE_METRICS ? undefined : (metrics.split(',') as MetricId[]),
  ...AB_JUDGEMENT,
});
const BASE_N = Number(CI_RUN_ARGS.find((arg) => arg.startsWith('n='))!.slice(2));
const RUNNER = 'gate-check';

async function run(args: string[]): Promise<Results> {
  const code = await main(['run', ...args, '--out', out]);
  if (code !== 0) throw new Error(`a run of the suite failed with exit code ${code}`);
  return readResults(join(latestRunDir(out), 'results.json'));
}

const abRun = (...extra: string[]) => run([...abRunArgs(WORKLOADS_DIR, WORKLOADS_DIR), ...ROUNDS, ...extra]);
const abComparisons = (file: Results, metrics = AB_GATE_METRICS) =>
  judgeAB(file, { metrics: options(metrics).metrics });

/** bench:ci's first step: one side of an A/B run against the baseline, on the ratios, ±25%. */
function againstBaseline(file: Results, side: string): Comparison[] {
  const baseline = readResults(BASELINE);
  return compare(baseline, file, {
    ...options(CI_GATE_METRICS),
    threshold: Number(CI_GATE_THRESHOLD_PCT) / 100,
    baseInterpreter: baseline.interpreters[0]!.id,
    candInterpreter: file.interpreters[0]!.id,
    candLabel: side,
  });
}

const alarms = (comparisons: Comparison[]) =>
  comparisons.filter((c) => !['no change', 'differs', 'new'].includes(c.verdict));
const describe = (found: Comparison[]) =>
  found.map((c) => `${c.key} ${c.metric} ${c.verdict} ${((c.ratio - 1) * 100).toFixed(1)}%`).join('; ') || 'none';

const started = performance.now();
const store = join(out, 'history');
const commits: string[] = [];
const falseAlarms = { ab: 0, ci: 0, ciCandidates: 0, history: 0, historyCandidates: 0, historyChecks: 0 };
/** Every A-vs-A run's countdown cells, as [base, head] wall times round by round: the noise the power estimate resamples. */
const noise: [number, number][][] = [];
for (let pair = 0; pair < PAIRS; pair++) {
  const commit = `g${pair + 1}`;
  const date = new Date(Date.UTC(2025, 0, 1, pair)).toISOString();
  writeEntry(store, entryFromResults(await run(CI_SUITE_ARGS), 'the plain run', { commit, date, runner: RUNNER }));
  const file = await abRun();
  const comparisons = abComparisons(file);
  noise.push(...countdownRounds(file));
  if (commits.length)
    writeConfirmation(
      store,
      confirmationFrom(file, comparisons, { from: commits.at(-1)!, to: commit, runner: RUNNER, across: 'label' }),
    );
  commits.push(commit);
  const ab = alarms(comparisons);
  const candidates = alarms(againstBaseline(file, 'base'));
  const ci = confirmedAlarms(candidates, comparisons, file.interpreters[0]!.id);
  const history = historyAlarms();
  falseAlarms.ab += ab.length ? 1 : 0;
  falseAlarms.ciCandidates += candidates.length ? 1 : 0;
  falseAlarms.ci += ci.length ? 1 : 0;
  falseAlarms.historyCandidates += history.candidates;
  falseAlarms.history += history.blocking.length ? 1 : 0;
  falseAlarms.historyChecks += commits.length > 1 ? 1 : 0;
  console.log(
    `A vs A ${pair + 1}/${PAIRS}: A/B gate: ${describe(ab)} | bench:ci: candidates ${describe(candidates)}, confirmed ${describe(ci)} | ` +
      `history check after ${commits.length} commits: ${history.candidates} change points for the worse, blocking: ${history.blocking.join('; ') || 'none'}`,
  );
}

/** history check on the store so far: regressions in effect (candidates of any status), and those it would fail on. */
function historyAlarms(): { candidates: number; blocking: string[] } {
  const findings = openRegressions(analyseHistory(readStore(store), commits));
  const blocking = findings.filter((f) => BLOCKING.includes(f.change.status));
  return {
    candidates: findings.length,
    blocking: blocking.map((f) => `${f.series.cell} ${f.series.metric} ${f.change.status} at ${f.change.commit}`),
  };
}

/** Each countdown cell of an A/B run: the [base, head] wall times of every round both sides measured (runs set aside not counted). */
function countdownRounds(file: Results): [number, number][][] {
  const wall = new Map<string, number>();
  for (const run of file.runs) {
    const value = run.warmup || run.setAside ? undefined : runValue(run, 'wall');
    if (value !== undefined) wall.set(`${run.cellId}#${run.round}`, value);
  }
  const rounds = [...new Set(file.runs.map((run) => run.round))];
  return file.plan.cells
    .filter((cell) => cell.workload === 'countdown@base')
    .map((cell) => {
      const head = cell.id.replace('countdown@base', 'countdown@head');
      return rounds.flatMap((round) => {
        const [b, h] = [wall.get(`${cell.id}#${round}`), wall.get(`${head}#${round}`)];
        return b === undefined || h === undefined ? [] : [[b, h] as [number, number]];
      });
    });
}

/** The A/B gate's power at `rounds` rounds against a `pct`% slowdown, estimated from the A-vs-A rounds (seeded resampling). */
function estimatedPower(pct: number, rounds: number, trials = 500): number {
  const random = seededRandom(pct * 1000 + rounds);
  let slower = 0;
  for (let t = 0; t < trials; t++) {
    const cell = noise[Math.floor(random() * noise.length)]!;
    const pairs = Array.from({ length: rounds }, () => cell[Math.floor(random() * cell.length)]!).map(
      ([base, head]) => [base, head * (1 + pct / 100)] as [number, number],
    );
    const verdict = judge(
      'wall',
      pairs.map(([b]) => b),
      pairs.map(([, h]) => h),
      options('wall'),
      pairs,
    ).verdict;
    slower += verdict === 'slower' ? 1 : 0;
  }
  return slower / trials;
}

const power: string[] = [];
for (const pct of INJECT) {
  const caught = { ab: 0, ci: 0, cells: 0 };
  for (let r = 0; r < RUNS; r++) {
    const file = await abRun('--param', `countdown@head:n=${Math.round(BASE_N * (1 + pct / 100))}`);
    const countdown = (list: Comparison[]) => list.filter((c) => c.key.startsWith('countdown/'));
    const walls = countdown(abComparisons(file, 'wall'));
    caught.cells += walls.length;
    caught.ab += walls.filter((c) => c.verdict === 'slower').length;
    caught.ci += new Set(
      countdown(
        confirmedAlarms(alarms(againstBaseline(file, 'head')), abComparisons(file), file.interpreters[0]!.id),
      ).map((c) => c.key),
    ).size;
    console.log(
      `+${pct}% work, run ${r + 1}/${RUNS}: ${walls.map((c) => `${c.key.split('/')[1]} ${((c.ratio - 1) * 100).toFixed(1)}% p=${c.p.toFixed(4)} ${c.verdict}`).join(', ')}`,
    );
  }
  power.push(
    `| +${pct}% | ${caught.ab} of ${caught.cells} (${((100 * caught.ab) / caught.cells).toFixed(0)}%) | ${caught.ci} of ${caught.cells} |`,
  );
}

console.log('');
console.log(
  `False alarms over ${PAIRS} A-vs-A rounds (no code change); each counts a round with any cell judged slower, faster or missing:`,
);
console.log(`- A/B gate, one interleaved run (${AB_GATE_METRICS}, ${AB_BAR}): ${falseAlarms.ab} of ${PAIRS}.`);
console.log(
  `- bench:ci: ${falseAlarms.ci} of ${PAIRS} (its comparison with ci/baseline.json on ${CI_GATE_METRICS}, ±${CI_GATE_THRESHOLD_PCT}%, raised candidates in ${falseAlarms.ciCandidates} of ${PAIRS}; none stands unless the A/B confirms it).`,
);
console.log(
  `- history check: ${falseAlarms.history} of ${falseAlarms.historyChecks} checks (${falseAlarms.historyCandidates} regressions in effect found over all checks, each a candidate until its A/B).`,
);
console.log('');
console.log(
  `Power: countdown cells (of ${RUNS} runs × 4) called slower when the head side does more work${values.repeat ? ` (${values.repeat} rounds)` : ''}:`,
);
console.log('| injected | A/B gate (wall time) | bench:ci (ratios vs baseline, confirmed by the A/B) |');
console.log('| --- | --- | --- |');
for (const line of power) console.log(line);
console.log('');
console.log(
  `Estimated from the A-vs-A runs' own rounds (${noise.length} countdown cells resampled, 500 trials each): the A/B gate's power by rounds:`,
);
console.log('| injected | 10 rounds | 16 rounds | 20 rounds | 30 rounds |');
console.log('| --- | --- | --- | --- | --- |');
for (const pct of [...INJECT])
  console.log(
    `| +${pct}% | ${[10, 16, 20, 30].map((rounds) => `${(100 * estimatedPower(pct, rounds)).toFixed(0)}%`).join(' | ')} |`,
  );
console.log(`Took ${((performance.now() - started) / 60_000).toFixed(1)} min; runs in ${out}`);
