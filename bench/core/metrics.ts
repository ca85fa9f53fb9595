/**
 * What is measured, and which way is better: the one metric model that summary, report, verdicts,
 * figures, compare, merge, the gate and --repeat auto take their numbers from.
 */

/** The two kinds of run (store/records.ts tags every record with one). */
export const RUN_KINDS = ['batch', 'server'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const METRIC_IDS = ['wall', 'throughput', 'p99', 'speedup', 'cpu'] as const;
export type MetricId = (typeof METRIC_IDS)[number];
export type Better = 'lower' | 'higher' | 'neither';
/** The metrics one run has on its own; speedup also needs serial's run of the same round. */
export type RunMetricId = Exclude<MetricId, 'speedup'>;

export interface MetricDef {
  id: MetricId;
  label: string;
  /** printed after a value; '' for a plain ratio */
  unit: string;
  better: Better;
  /** the kinds of run that have it */
  kinds: readonly RunKind[];
}

export const METRICS: Record<MetricId, MetricDef> = {
  wall: { id: 'wall', label: 'wall time', unit: 's', better: 'lower', kinds: ['batch'] },
  throughput: {
    id: 'throughput',
    label: 'answers per second',
    unit: '/s',
    better: 'higher',
    kinds: ['batch', 'server'],
  },
  p99: { id: 'p99', label: 'latency p99', unit: 'ms', better: 'lower', kinds: ['server'] },
  // Relative to serial in the same round (interleaving pairs them): higher is faster, for every kind.
  speedup: { id: 'speedup', label: 'speedup vs serial', unit: 'x', better: 'higher', kinds: ['batch', 'server'] },
  // More CPU is good news for a parallel CPU-bound mode and bad news for an IO-bound one: a
  // change is reported, never judged.
  cpu: { id: 'cpu', label: 'CPU utilisation', unit: '', better: 'neither', kinds: ['batch', 'server'] },
};

/** What a cell of each kind is judged on first: the number its table leads with and --repeat auto narrows. */
export const PRIMARY: Record<RunKind, RunMetricId> = { batch: 'wall', server: 'throughput' };

/** The metrics compare and the gate look at unless told otherwise. */
export const HEADLINE: Record<RunKind, MetricId[]> = { batch: ['wall', 'speedup'], server: ['throughput', 'p99'] };

/** How much faster `value` is than `reference` in a metric: above 1 is better, whichever way the metric points. */
export function speedRatio(metric: MetricId, value: number, reference: number): number {
  return METRICS[metric].better === 'lower' ? reference / value : value / reference;
}

/** "12,345 /s", "0.123 s", "1.52x": a value as tables print it. */
export function formatValue(metric: MetricId, value: number): string {
  const size = Math.abs(value);
  const text =
    size >= 100 ? Math.round(value).toLocaleString('en-US') : size >= 1 ? value.toFixed(3) : value.toPrecision(3);
  const unit = METRICS[metric].unit;
  return unit === 'x' ? `${text}x` : unit ? `${text} ${unit}` : text;
}
