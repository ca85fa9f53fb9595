/**
 * The quick suite the regression gate runs: small, so a CI job stays short, yet with enough
 * rounds (7) for the rank test to reach p < 0.01. Shared by `npm run bench:ci` and
 * scripts/check-gate.ts, so that what is checked for false alarms is what gates.
 */
export const CI_SUITE_ARGS = [
  '--workloads', 'countdown,fetch',
  '--modes', 'serial,threads,processes,async',
  '--workers', '2',
  '--profile', 'quick',
  '--param', 'n=5000000',
  '--param', 'requests=16',
  '--repeat', '7',
  '--warmup', '1',
];

/** Ratios within one run travel between machines; absolute times do not. */
export const CI_GATE_METRICS = 'speedup,cpu';
export const BASELINE = new URL('./baseline.json', import.meta.url).pathname;
