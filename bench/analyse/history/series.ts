import { METRICS, type MetricId } from '../../core/metrics.ts';
import { type Interval, median, medianInterval } from '../../core/stats.ts';
import { cellId } from '../../define/plan.ts';
import { type Confirmation, type Entry, type HistoryCell, machineLabel, type Store } from '../../store/history.ts';
import { RATIO_METRICS } from '../compare.ts';
import { type ChangePoint, type CommitRuns, detectChangePoints, EFFECT_WINDOW } from './changepoints.ts';

/**
 * A history store as series: per cell, metric and machine, each commit's runs in commit order,
 * and the change points in them. Absolute metrics (wall time, answers/s, p99) are compared within
 * one machine's series only; a ratio within one run (speedup) is also pooled across machines.
 * A change point on a shared machine is a candidate until an interleaved A/B of the commits
 * either side of it, recorded in the store, says whether it is real.
 */

/** Smallest change reported, and the margin by which a regression must still hold at the newest commit. */
const MIN_EFFECT = 0.02;
/** The machine of a series pooled over every machine (ratios only). */
const ALL_MACHINES = 'all machines';

/**
 * improvement: the metric got better (no A/B is looked for: it stays a candidate); candidate: a
 * regression no A/B has measured; confirmed: the A/B found it slower; not confirmed: the A/B found
 * no slowdown beyond its threshold; inconclusive: the A/B had too few runs, or the cell failed in it.
 */
export type ChangeStatus = 'improvement' | 'candidate' | 'confirmed' | 'not confirmed' | 'inconclusive';

export interface Change extends ChangePoint {
  regression: boolean;
  /** still worse at the newest commit than before the change (by more than MIN_EFFECT) */
  inEffect: boolean;
  status: ChangeStatus;
  /** the A/B that decided the status: its commits, its ratio (after / before) and that ratio's interval */
  confirmation?: {
    from: string;
    to: string;
    ratio: number | null;
    low: number | null;
    high: number | null;
    p: number | null;
    verdict: string;
  };
}

export interface Point {
  commit: string;
  /** position in the history's commit order */
  index: number;
  runs: readonly number[];
  median: number;
  interval: Interval;
}

export type CellIdentity = Pick<HistoryCell, 'workload' | 'mode' | 'workers' | 'interpreter' | 'sweep' | 'kind'>;

export interface Series {
  /** the cell's id, with its calibrated size for an absolute metric ("… (n=5000000)") */
  cell: string;
  identity: CellIdentity;
  metric: MetricId;
  machine: string;
  points: Point[];
  changes: Change[];
}

export interface HistoryAnalysis {
  /** every commit of the store, oldest first */
  commits: string[];
  series: Series[];
}

/** Commits oldest first by their recorded date (then by when they were measured): for commits the repository does not know. */
export function orderByDate(entries: Entry[]): string[] {
  const first = new Map<string, Entry>();
  for (const entry of [...entries].sort((a, b) => a.measuredAt.localeCompare(b.measuredAt)))
    if (!first.has(entry.commit)) first.set(entry.commit, entry);
  return [...first.values()]
    .sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.measuredAt.localeCompare(b.measuredAt))
    .map((e) => e.commit);
}

/** Each series of the store over `commits` (oldest first; entries of other commits are left out), with its change points. */
export function analyseHistory(store: Store, commits: string[]): HistoryAnalysis {
  const position = new Map(commits.map((commit, i) => [commit, i]));
  const entries = store.entries.filter((entry) => position.has(entry.commit));
  const pooled = new Set(entries.map((entry) => machineLabel(entry.machine))).size > 1;
  const groups = new Map<
    string,
    { cell: string; identity: CellIdentity; metric: MetricId; machine: string; runs: number[][] }
  >();
  for (const entry of entries) {
    for (const cell of entry.cells) {
      for (const [metric, values] of Object.entries(cell.runs) as [MetricId, number[]][]) {
        for (const machine of [
          machineLabel(entry.machine),
          ...(pooled && RATIO_METRICS.includes(metric) ? [ALL_MACHINES] : []),
        ]) {
          const name = seriesCell(cell, metric);
          const key = JSON.stringify([name, metric, machine]);
          const group = groups.get(key) ?? {
            cell: name,
            identity: identityOf(cell),
            metric,
            machine,
            runs: commits.map(() => []),
          };
          group.runs[position.get(entry.commit)!]!.push(...values);
          groups.set(key, group);
        }
      }
    }
  }
  const series = [...groups.values()].map((group) => analyseSeries(group, commits, store.confirmations, position));
  return {
    commits,
    series: series.sort(
      (a, b) => a.cell.localeCompare(b.cell) || a.metric.localeCompare(b.metric) || a.machine.localeCompare(b.machine),
    ),
  };
}

function identityOf({ workload, mode, workers, interpreter, sweep, kind }: HistoryCell): CellIdentity {
  return { workload, mode, workers, interpreter, sweep, kind };
}

/** Two calibrated sizes are two amounts of work: an absolute metric's series is per size (define/plan.ts calibratedApart). */
function seriesCell(cell: HistoryCell, metric: MetricId): string {
  return cell.size?.how === 'calibrated' && !RATIO_METRICS.includes(metric)
    ? `${cell.id} (${cell.size.param}=${cell.size.value})`
    : cell.id;
}

function analyseSeries(
  group: { cell: string; identity: CellIdentity; metric: MetricId; machine: string; runs: number[][] },
  commits: string[],
  confirmations: Confirmation[],
  position: Map<string, number>,
): Series {
  const input: CommitRuns[] = commits.map((id, i) => ({ id, values: group.runs[i]! }));
  const points = input.flatMap(({ id, values }, index) =>
    values.length
      ? [{ commit: id, index, runs: values, median: median(values), interval: medianInterval(values) }]
      : [],
  );
  const found = detectChangePoints(input, { minEffect: MIN_EFFECT });
  const latest = latestLevel(input, found);
  const changes = found.map((change) => {
    const regression = isWorse(group.metric, change.effect);
    const inEffect = regression && isWorse(group.metric, latest / change.before, MIN_EFFECT);
    return { ...change, regression, inEffect, ...statusOf(group, change, regression, confirmations, position) };
  });
  return { cell: group.cell, identity: group.identity, metric: group.metric, machine: group.machine, points, changes };
}

/** After / before, for a metric: is it a change for the worse, beyond `margin`? A metric that is neither better nor worse never is. */
function isWorse(metric: MetricId, ratio: number, margin = 0): boolean {
  const { better } = METRICS[metric];
  return better === 'lower' ? ratio > 1 + margin : better === 'higher' ? ratio < 1 / (1 + margin) : false;
}

/** The median of the newest level: the runs since the last change point, of the newest EFFECT_WINDOW commits at most (the detector's window). */
function latestLevel(input: CommitRuns[], found: ChangePoint[]): number {
  const since = Math.max(found.at(-1)?.index ?? 0, input.length - EFFECT_WINDOW);
  return median(input.slice(since).flatMap((commit) => commit.values));
}

/**
 * A regression's status from the A/Bs recorded in the store: the newest one whose two commits
 * span the change (its `from` before the change's first commit at the new level, its `to` at or
 * after it) and that measured this cell's metric.
 */
function statusOf(
  group: { identity: CellIdentity; metric: MetricId; cell: string },
  change: ChangePoint,
  regression: boolean,
  confirmations: Confirmation[],
  position: Map<string, number>,
): Pick<Change, 'status' | 'confirmation'> {
  if (!regression) return { status: 'improvement' };
  const at = position.get(change.commit)!;
  const spanning = confirmations
    .filter((c) => (position.get(c.from) ?? Infinity) < at && at <= (position.get(c.to) ?? -Infinity))
    .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
  for (const confirmation of spanning) {
    const key = cellId(group.identity, { interpreter: confirmation.across === 'interpreter' });
    const cell = confirmation.cells.find((c) => c.key === key && c.metric === group.metric);
    if (!cell) continue;
    const { from, to } = confirmation;
    return {
      status: STATUS_OF_VERDICT[cell.verdict] ?? 'inconclusive',
      confirmation: { from, to, ratio: cell.ratio, low: cell.low, high: cell.high, p: cell.p, verdict: cell.verdict },
    };
  }
  return { status: 'candidate' };
}

/** gilbench compare's verdict on the A/B of the two commits, as the change's status. */
const STATUS_OF_VERDICT: Record<string, ChangeStatus> = {
  slower: 'confirmed',
  faster: 'not confirmed',
  'no change': 'not confirmed',
  differs: 'not confirmed',
  'too few runs': 'inconclusive',
  missing: 'inconclusive',
  new: 'inconclusive',
};

/** What history check fails on: these regressions, confirmed or not ruled out. */
export const BLOCKING: ChangeStatus[] = ['confirmed', 'candidate', 'inconclusive'];

export interface Finding {
  series: Series;
  change: Change;
}

/** Every regression still in effect at the newest commit whose change lies after position `since` (all of them without it). */
export function openRegressions(analysis: HistoryAnalysis, since = -1): Finding[] {
  return analysis.series.flatMap((series) =>
    series.changes.filter((change) => change.inEffect && change.index > since).map((change) => ({ series, change })),
  );
}
