import { metricSummary, summariseCells } from '../../analyse/summary.ts';
import { METRICS, type MetricId, type RunMetricId } from '../../core/metrics.ts';
import type { Results } from '../../store/results.ts';

/**
 * What every export holds, as hyperfine's exports do: one row per cell and metric, with its unit
 * and direction, the median and its interval, the runs behind it. Formats (json, csv, markdown) only
 * lay these rows out.
 */
export interface ExportRow {
  cell: string;
  workload: string;
  mode: string;
  workers: number;
  interpreter: string;
  /** the swept parameters, "connections=10" */
  sweep: string;
  metric: MetricId;
  unit: string;
  better: string;
  median: number;
  /** the interval of the median (order statistics); speedup's is the distribution-free interval of the ratio (stats.ts ratioInterval) */
  low: number;
  high: number;
  /** how sure the interval is, e.g. 0.95 */
  confidence: number;
  runs: number;
}

export function exportRows(results: Results): ExportRow[] {
  return summariseCells(results)
    .filter((s) => s.repeats > 0)
    .flatMap((s) => {
      const { cell } = s;
      const base = {
        cell: cell.id,
        workload: cell.workload,
        mode: cell.mode,
        workers: cell.workers,
        interpreter: cell.interpreter,
        sweep: Object.entries(cell.sweep)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      };
      const row = (
        metric: MetricId,
        median: number,
        interval: { low: number; high: number; confidence: number },
        runs: number,
      ): ExportRow => ({
        ...base,
        metric,
        unit: METRICS[metric].unit,
        better: METRICS[metric].better,
        median,
        low: interval.low,
        high: interval.high,
        confidence: interval.confidence,
        runs,
      });
      const own = (
        Object.values(METRICS)
          .filter((m) => m.id !== 'speedup' && m.kinds.includes(s.kind))
          .map((m) => m.id) as RunMetricId[]
      )
        .map((metric) => metricSummary(metric, s.measured))
        .filter((m) => m.values.length > 0)
        .map((m) => row(m.metric, m.median, m.interval, m.values.length));
      const speedup =
        s.speedup === undefined || !s.speedupInterval ? [] : [row('speedup', s.speedup, s.speedupInterval, s.repeats)];
      return [...own, ...speedup];
    });
}
