import type { Comparison } from '../bench/analyse/compare.ts';
import { abRunArgs as revisionsRunArgs } from '../bench/cli/revisions.ts';

/**
 * The quick suite the regression gate runs: small, so a CI job stays short, yet with enough
 * rounds (10) for the rank tests to reach p < 0.01 (Mann-Whitney needs 5 per side, the paired
 * signed-rank test 8 pairs). Shared by `npm run bench:ci`, the workflow's
 * A/B gate and scripts/check-gate.ts, so that what is checked for false alarms is what gates.
 */
export const CI_WORKLOADS = ['countdown', 'fetch'];

export const CI_RUN_ARGS = [
  '--modes',
  'serial,threads,processes,async',
  '--workers',
  '2',
  '--profile',
  'quick',
  '--param',
  'n=5000000',
  '--param',
  'requests=16',
  '--repeat',
  '10',
  '--warmup',
  '1',
];

export const CI_SUITE_ARGS = ['--workloads', CI_WORKLOADS.join(','), ...CI_RUN_ARGS];

/** bench:ci against a committed baseline: ratios within one run travel between machines. */
export const CI_GATE_METRICS = 'speedup,cpu';
/**
 * …but not perfectly between moments: on a shared 2-core runner a speedup measured half an hour
 * later moved by up to ±30% (the second core is not always free), so the baseline gate only
 * fails on a large change, in %. The A/B gate, both sides in one run, keeps the default 5%.
 */
export const CI_GATE_THRESHOLD_PCT = '25';
/**
 * The A/B gate, both sides in one interleaved run on one machine: each cell's headline metrics
 * (a batch workload's wall time and speedup, a server's answers/s and p99), so wall time is
 * compared only where both sides ran side by side. `gilbench compare` does this without --metrics.
 */
export const AB_GATE_METRICS = 'headline';
export const BASELINE = new URL('./baseline.json', import.meta.url).pathname;

/** Run arguments for base and head workload folders measured in one interleaved run. */
export function abRunArgs(baseDir: string, headDir: string): string[] {
  return revisionsRunArgs(baseDir, headDir, CI_WORKLOADS, CI_RUN_ARGS);
}

/**
 * bench:ci's alarms against the baseline are candidates: the baseline was measured at another
 * moment, and on a shared machine the moment moves ratios by up to ±30%. An alarm stands when an
 * interleaved A/B of the baseline's revision against this tree (both in one run) finds the same
 * cell changed the same way (slower, or faster) in the same metric (a speedup claim is not
 * confirmed by a slower wall time), or failing (a failed cell has no metric at all).
 */
export function confirmedAlarms(alarms: Comparison[], ab: Comparison[], interpreter: string): Comparison[] {
  return alarms.filter((alarm) =>
    ab.some(
      (c) =>
        c.key === `${alarm.key}/${interpreter}` &&
        (c.verdict === 'missing' || (c.metric === alarm.metric && c.verdict === alarm.verdict)),
    ),
  );
}
