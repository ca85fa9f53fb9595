import { fail } from '../core/errors.ts';
import { HEADLINE, METRICS, type MetricId, type RunKind } from '../core/metrics.ts';
import { type Interval, mannWhitneyP, median, ratioInterval, signedRankP } from '../core/stats.ts';
import { type Cell, calibratedApart, cellId, serialCellFor, sizeOf } from '../define/plan.ts';
import { LABEL_MARK } from '../define/workload.ts';
import { counted, type RunRecord, runValue, speedupOf } from '../store/records.ts';
import type { Results } from '../store/results.ts';

/**
 * Compares a baseline with a candidate cell by cell, as pyperf's compare_to and asv do: per
 * metric the ratio of medians with its distribution-free interval and a Mann-Whitney U p-value. "Slower"
 * needs both: significance and an effect beyond the threshold. Quiet is the default answer.
 */

/** missing: the base measured the cell and the candidate did not (failed runs, or no such cell): a regression. */
export type Verdict = 'faster' | 'slower' | 'differs' | 'no change' | 'too few runs' | 'missing' | 'new';
export const REGRESSIONS: Verdict[] = ['slower', 'missing'];

/** Metrics that are ratios within one run: comparable between runs whose tasks had different sizes. */
export const RATIO_METRICS: MetricId[] = ['speedup', 'cpu'];

export interface CompareOptions {
  /** the metrics to compare; undefined: each kind's headline metrics (batch: wall, speedup; server: throughput, p99) */
  metrics?: MetricId[];
  /** relative effect needed before "faster" or "slower" is said, e.g. 0.05 */
  threshold: number;
  /** significance level of the rank test */
  alpha: number;
  /** compare two interpreters of one file (A/B in one run) instead of two files */
  baseInterpreter?: string;
  candInterpreter?: string;
  /** compare two labelled revisions of the workloads (--workloads-dir DIR=LABEL) of one file */
  baseLabel?: string;
  candLabel?: string;
}

/** Which cells of a results file form one side. */
interface Selector {
  interpreter?: string;
  label?: string;
}

export interface Comparison {
  /** the cell's id, less what the two sides differ in (the interpreter, or the workloads' label) */
  key: string;
  kind: RunKind;
  metric: MetricId;
  base: number[];
  cand: number[];
  baseMedian: number;
  candMedian: number;
  /** cand / base, of medians */
  ratio: number;
  interval: Interval;
  p: number;
  /** which rank test gave p: paired for the two sides of one interleaved run */
  test: 'mann-whitney' | 'signed-rank' | 'none';
  verdict: Verdict;
  /** parameters that differ between the two sides, e.g. a deliberately injected slowdown */
  paramsDiffer: boolean;
}

/** One metric's value in each measured run, with the round it ran in: A/B in one run pairs the sides by round. */
type Samples = { round: number; value: number }[];

interface Side {
  cell: Cell;
  kind: RunKind;
  runs: RunRecord[];
  /** serial's runs by round, for the speedup */
  serialByRound: Map<number, RunRecord>;
}

/** A run set aside (made again on a busy machine) is kept in the file but not counted, as in the report. */
const measuredRuns = (results: Results, cell: Cell) =>
  results.runs.filter((run) => run.cellId === cell.id && counted(run));

function samplesOf(side: Side, metric: MetricId): Samples {
  return side.runs.flatMap((run) => {
    if (metric !== 'speedup') {
      const value = runValue(run, metric);
      return value === undefined ? [] : [{ round: run.round, value }];
    }
    // Serial's speedup over itself is 1 by definition: nothing to compare.
    const serial = side.cell.mode === 'serial' ? undefined : side.serialByRound.get(run.round);
    const value = serial && speedupOf(run, serial);
    return value === undefined ? [] : [{ round: run.round, value }];
  });
}

function sides(results: Results, { interpreter, label }: Selector): Map<string, Side> {
  const kindOf = new Map(results.plan.workloads.map((w) => [w.name, w.kind]));
  const found = new Map<string, Side>();
  for (const cell of results.plan.cells) {
    if (interpreter !== undefined && cell.interpreter !== interpreter) continue;
    if (label !== undefined && !cell.workload.endsWith(`${LABEL_MARK}${label}`)) continue;
    const serial = serialCellFor(results.plan, cell);
    const serialByRound = new Map(serial ? measuredRuns(results, serial).map((run) => [run.round, run]) : []);
    const key = cellId(cell, { interpreter: interpreter !== undefined, label: label !== undefined });
    found.set(key, { cell, kind: kindOf.get(cell.workload)!, runs: measuredRuns(results, cell), serialByRound });
  }
  return found;
}

/** Each cell of a results file with every measured run's value of its headline metrics: what the history store keeps. */
export function headlineRuns(
  results: Results,
): { cell: Cell; kind: RunKind; runs: Partial<Record<MetricId, number[]>> }[] {
  return [...sides(results, {}).values()].map((side) => ({
    cell: side.cell,
    kind: side.kind,
    runs: Object.fromEntries(
      HEADLINE[side.kind]
        .map((metric) => [metric, samplesOf(side, metric).map((s) => s.value)] as const)
        .filter(([, values]) => values.length > 0),
    ),
  }));
}

function verdictOf(
  metric: MetricId,
  ratio: number,
  p: number,
  options: Pick<CompareOptions, 'threshold' | 'alpha'>,
  enough: boolean,
): Verdict {
  if (!enough) return 'too few runs';
  if (!(p < options.alpha) || Math.abs(ratio - 1) <= options.threshold) return 'no change';
  if (METRICS[metric].better === 'neither') return 'differs';
  const higherIsWorse = METRICS[metric].better === 'lower';
  return ratio > 1 === higherIsWorse ? 'slower' : 'faster';
}

/** The fewest runs per side with which a rank test can reach p < alpha at all (3 vs 3 cannot reach 0.01). */
export function runsNeeded(alpha: number): number {
  for (let n = 2; n < 50; n++)
    if (
      mannWhitneyP(
        Array.from({ length: n }, (_, i) => i),
        Array.from({ length: n }, (_, i) => n + i),
      ) < alpha
    )
      return n;
  return 50;
}

function checkPair(kind: string, base: string | undefined, cand: string | undefined): void {
  if ((base === undefined) !== (cand === undefined))
    fail(`A/B in one file needs both --base-${kind} and --cand-${kind}.`);
}

function checkSelector(results: Results, { interpreter, label }: Selector): void {
  if (interpreter !== undefined && !results.interpreters.some((i) => i.id === interpreter)) {
    fail(
      `Results ${results.runId} have no interpreter "${interpreter}"; they have: ${results.interpreters.map((i) => i.id).join(', ')}.`,
    );
  }
  if (label !== undefined && !results.plan.cells.some((c) => c.workload.endsWith(`${LABEL_MARK}${label}`))) {
    fail(`Results ${results.runId} have no workloads labelled "${label}".`);
  }
}

export function compare(base: Results, cand: Results, options: CompareOptions): Comparison[] {
  checkPair('interpreter', options.baseInterpreter, options.candInterpreter);
  // A label may pick one side alone: a labelled half of an A/B run against an unlabelled baseline.
  const baseSelector = { interpreter: options.baseInterpreter, label: options.baseLabel };
  const candSelector = { interpreter: options.candInterpreter, label: options.candLabel };
  checkSelector(base, baseSelector);
  checkSelector(cand, candSelector);
  const baseSides = sides(base, baseSelector);
  const candSides = sides(cand, candSelector);
  if (![...baseSides.keys()].some((key) => candSides.has(key))) {
    fail(
      'The two sides have no cell in common (matched by workload, mode, workers, swept parameters and interpreter).',
    );
  }
  const keys = [...new Set([...baseSides.keys(), ...candSides.keys()])];
  const absolute = (options.metrics ?? []).length === 0 || options.metrics!.some((m) => !RATIO_METRICS.includes(m));
  for (const key of absolute ? keys : []) {
    const [b, c] = [baseSides.get(key), candSides.get(key)];
    const apart = b && c && calibratedApart(sizeOf(base.plan.sizes, b.cell), sizeOf(cand.plan.sizes, c.cell));
    if (apart) fail(`Cannot compare ${key}: ${apart}.`);
  }
  // Both sides from one interleaved run: round r of each ran side by side, so pair them.
  const paired = base === cand;
  return keys.flatMap((key) => {
    const [b, c] = [baseSides.get(key), candSides.get(key)];
    const kind = (b ?? c)!.kind;
    const paramsDiffer = Boolean(b && c) && JSON.stringify(b!.cell.params) !== JSON.stringify(c!.cell.params);
    const metrics = (options.metrics ?? HEADLINE[kind]).filter((metric) => METRICS[metric].kinds.includes(kind));
    return metrics.flatMap((metric) => {
      const [x, y] = [b ? samplesOf(b, metric) : [], c ? samplesOf(c, metric) : []];
      if (x.length === 0 && y.length === 0) return []; // e.g. serial's speedup, or no serial cell
      const byRound = new Map(x.map((s) => [s.round, s.value]));
      const pairs = paired
        ? y.flatMap((s) => (byRound.has(s.round) ? [[byRound.get(s.round)!, s.value] as [number, number]] : []))
        : undefined;
      return [
        {
          key,
          kind,
          metric,
          paramsDiffer,
          ...judge(
            metric,
            x.map((s) => s.value),
            y.map((s) => s.value),
            options,
            pairs,
          ),
        },
      ];
    });
  });
}

export type Judgement = Omit<Comparison, 'key' | 'kind' | 'metric' | 'paramsDiffer'>;

/**
 * One metric of one cell: base samples against candidate samples. With `pairs` (the same round
 * of both sides of one interleaved run) the p-value comes from the paired signed-rank test on
 * the per-round log ratios, which cancels the drift between rounds; otherwise Mann-Whitney U.
 */
export function judge(
  metric: MetricId,
  base: number[],
  cand: number[],
  options: Pick<CompareOptions, 'threshold' | 'alpha'>,
  pairs?: [number, number][],
): Judgement {
  if (base.length === 0 || cand.length === 0) {
    const empty = { low: NaN, high: NaN, confidence: 0 };
    const verdict: Verdict = cand.length === 0 ? 'missing' : 'new';
    return {
      base,
      cand,
      baseMedian: median(base),
      candMedian: median(cand),
      ratio: NaN,
      interval: empty,
      p: NaN,
      test: 'none',
      verdict,
    };
  }
  const ratio = median(cand) / median(base);
  const test = pairs ? 'signed-rank' : 'mann-whitney';
  const p = pairs ? signedRankP(pairs.map(([b, c]) => Math.log(c / b))) : mannWhitneyP(base, cand);
  const enough = pairs
    ? pairs.length >= pairsNeeded(options.alpha)
    : Math.min(base.length, cand.length) >= runsNeeded(options.alpha);
  return {
    base,
    cand,
    baseMedian: median(base),
    candMedian: median(cand),
    ratio,
    interval: ratioInterval(base, cand, 1 - options.alpha),
    p,
    test,
    verdict: verdictOf(metric, ratio, p, options, enough),
  };
}

/** The fewest pairs with which the signed-rank test can reach p < alpha (7 pairs cannot reach 0.01). */
export function pairsNeeded(alpha: number): number {
  for (let n = 1; n < 50; n++) if (signedRankP(Array.from({ length: n }, (_, i) => i + 1)) < alpha) return n;
  return 50;
}
