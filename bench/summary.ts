import { serialCellFor, type Cell, type Plan } from './plan.ts';
import { cpuUtilisation, type Results, type RunRecord } from './results.ts';
import { BUSY_THREAD, type LoadResult } from './loadgen/index.ts';
import { cv, median, medianInterval, outliers, quantile, ratioOfMediansInterval, type Interval } from './stats.ts';

/** What a report says about one cell, computed from its measured (non-warm-up) runs alone. */
export interface CellSummary {
  cell: Cell;
  /** measured runs that succeeded */
  repeats: number;
  failures: RunRecord[];
  wallS: number[];
  medianWallS: number;
  /** spawn to exit, start-up included: what hyperfine would report for the same command */
  medianProcessWallS: number;
  interval: Interval;
  cv: number;
  outliers: number;
  /** serial wall time at the same workers / this mode's; undefined without a serial cell */
  speedup?: number;
  /** bootstrap interval of the speedup (ratio of the two medians) */
  speedupInterval?: Interval;
  /** median over runs of tasks completed per second of wall time */
  tasksPerS: number;
  /** every task's duration (end − start) pooled over the measured runs, in seconds */
  taskP50S: number;
  taskP99S: number;
  /** (user + sys CPU of the tree) / wall; 1.0 = one core busy throughout */
  cpuUtilisation: number;
  meanCpuPct: number;
  peakCpuPct: number;
  peakRssKiB: number;
  maxPids: number;
  maxThreads: number;
  /** median CPU% of one core used outside the measured tree while it ran (harness included) */
  othersCpuPct: number;
  /** median % of the machine's CPU time stolen by the hypervisor while it ran */
  stealPct: number;
  /** median involuntary context switches per second of the measured tree: preemption */
  involuntaryPerS: number;
  /** why this cell's numbers deserve less trust: few runs, spread, a busy machine */
  warnings: string[];
  /** the measured run whose wall time is closest to the median: the one whose timeline is shown */
  typical?: RunRecord;
  /** a server workload's cell: what the load generator saw */
  server?: ServerSummary;
}

export interface ServerSummary {
  /** answers per second of each measured run; tasksPerS is their median */
  perS: number[];
  p999Ms: number;
  /** errors summed over the measured runs, by kind */
  errors: Record<string, number>;
  /** the busiest generator thread's event-loop utilisation, worst run */
  busiestThread: number;
  generatorCpuPct: number;
  /** the engines that measured the runs: "native", "node", or both */
  engine: string;
  /** the lowest over runs of the generator's own ceiling in this cell (answers/s busy all the time) */
  ceilingPerS?: number;
  /** where the server and the generator ran, e.g. "shared CPUs 0-1" or "server on 0-2, generator on 3" */
  placement?: string;
  /** the server tree at the end of the window (median over runs): the memory sweep's number */
  rssKiB: number;
  threads: number;
  /** connections still open at the end of the window (median) */
  openAtEnd: number;
  /** connections accepted per prefork worker, in the typical run */
  accepted: number[];
}

export function summariseCells(results: Results): CellSummary[] {
  const measured = results.runs.filter((run) => !run.warmup);
  const summaries = results.plan.cells.map((cell) => summariseCell(cell, measured.filter((run) => run.cellId === cell.id)));
  for (const summary of summaries) {
    Object.assign(summary, speedupOf(summary, summaries, results.plan));
    summary.warnings = warningsFor(summary);
  }
  return summaries;
}

function summariseCell(cell: Cell, runs: RunRecord[]): CellSummary {
  const ok = runs.filter((run) => run.ok && run.measurement);
  const server = serverSummary(ok);
  const wallS = ok.map((run) => run.measurement!.wall_s);
  // A server runs for a fixed window: its spread is that of its throughput.
  const measured = server?.perS ?? wallS;
  const medianWallS = median(wallS);
  const utilisation = ok.map((run) => cpuUtilisation(run.measurement!));
  const hosts = ok.flatMap((run) => (run.host ? [run.host] : []));
  const taskDurations = ok.flatMap((run) => run.measurement!.tasks.map((t) => t.end_s - t.start_s));
  const fromTimeline = (pick: (run: RunRecord) => number) => median(ok.map(pick));
  const maxOf = (pick: (run: RunRecord) => number) => ok.reduce((max, run) => Math.max(max, pick(run)), 0);
  return {
    cell,
    repeats: ok.length,
    failures: runs.filter((run) => !run.ok),
    wallS,
    medianWallS,
    medianProcessWallS: median(ok.map((run) => run.processWallS)),
    interval: medianInterval(measured),
    cv: cv(measured),
    outliers: outliers(measured).length,
    cpuUtilisation: median(utilisation),
    othersCpuPct: median(hosts.map((h) => h.othersCpuPct)),
    stealPct: median(hosts.map((h) => h.stealPct)),
    involuntaryPerS: median(ok.map((run) => {
      const { self, children } = run.measurement!.rusage;
      return (self.involuntary_switches + children.involuntary_switches) / run.measurement!.wall_s;
    })),
    warnings: [],
    tasksPerS: server ? median(server.perS) : median(ok.map((run) => run.measurement!.tasks.length / run.measurement!.wall_s)),
    taskP50S: server ? median(ok.map((run) => run.load!.latencyMs?.p50 ?? NaN)) / 1000 : quantile(taskDurations, 0.5),
    taskP99S: server ? median(ok.map((run) => run.load!.latencyMs?.p99 ?? NaN)) / 1000 : quantile(taskDurations, 0.99),
    meanCpuPct: fromTimeline((run) => run.timeline.summary.meanCpuPct),
    peakCpuPct: maxOf((run) => run.timeline.summary.peakCpuPct),
    peakRssKiB: maxOf((run) => run.timeline.summary.peakRssKiB),
    maxPids: maxOf((run) => run.timeline.summary.maxPids),
    maxThreads: maxOf((run) => run.timeline.summary.maxThreads),
    typical: ok.reduce<RunRecord | undefined>(
      (best, run) =>
        !best || Math.abs(run.measurement!.wall_s - medianWallS) < Math.abs(best.measurement!.wall_s - medianWallS) ? run : best,
      undefined,
    ),
    server,
  };
}

function serverSummary(ok: RunRecord[]): ServerSummary | undefined {
  const loads = ok.flatMap((run) => (run.load ? [run.load] : []));
  if (loads.length === 0 || loads.length !== ok.length) return undefined;
  const errors: Record<string, number> = {};
  for (const load of loads) for (const [kind, count] of Object.entries(load.errors)) errors[kind] = (errors[kind] ?? 0) + count;
  const perS = loads.map((load) => load.perS);
  const middle = median(perS);
  const ceiling = Math.min(...loads.map((load) => load.generator.ceilingPerS ?? Infinity));
  const typical = ok.reduce((best, run) => (Math.abs(run.load!.perS - middle) < Math.abs(best.load!.perS - middle) ? run : best));
  return {
    perS,
    p999Ms: median(loads.map((load) => load.latencyMs?.p999 ?? NaN)),
    errors,
    busiestThread: Math.max(...loads.map((load) => load.generator.busiestThread)),
    generatorCpuPct: median(loads.map((load) => load.generator.cpuPct)),
    engine: [...new Set(loads.map((load) => load.engine))].join(', '),
    ceilingPerS: Number.isFinite(ceiling) ? ceiling : undefined,
    placement: placementOf(loads[0]!.placement),
    rssKiB: median(ok.map((run) => run.server?.atWindowEnd.rssKiB ?? NaN)),
    threads: Math.max(...ok.map((run) => run.server?.atWindowEnd.threads ?? 0)),
    openAtEnd: median(loads.map((load) => load.openAtEnd)),
    accepted: typical.server?.accepted ?? [],
  };
}

function placementOf(p: LoadResult['placement']): string | undefined {
  if (!p) return undefined;
  return p.pinned ? `server on CPUs ${p.server}, load generator on CPUs ${p.generator}` : `server and load generator shared CPUs ${p.server} (${p.why})`;
}

function speedupOf(summary: CellSummary, all: CellSummary[], plan: Plan): Pick<CellSummary, 'speedup' | 'speedupInterval'> {
  const serial = serialCellFor(plan, summary.cell);
  const baseline = serial && all.find((other) => other.cell.id === serial.id);
  if (!baseline || !baseline.repeats || !summary.repeats) return {};
  // A server's speedup is in throughput, a batch's in wall time.
  return summary.server && baseline.server
    ? { speedup: summary.tasksPerS / baseline.tasksPerS, speedupInterval: ratioOfMediansInterval(baseline.server.perS, summary.server.perS) }
    : { speedup: baseline.medianWallS / summary.medianWallS, speedupInterval: ratioOfMediansInterval(summary.wallS, baseline.wallS) };
}

/** Below this many measured runs a rank test cannot reach p < 0.01 and the interval is wide. */
export const FEW_RUNS = 5;
export const HIGH_CV = 0.1;
/** CPU used by others during a run, in % of one core, above which the machine was busy. */
export const BUSY_OTHERS_PCT = 50;
export const HIGH_STEAL_PCT = 2;

function warningsFor(s: CellSummary): string[] {
  const warnings: string[] = [];
  if (s.failures.length) warnings.push(`${s.failures.length} failed`);
  if (s.repeats > 0 && s.repeats < FEW_RUNS) warnings.push(`few runs (${s.repeats})`);
  if (s.cv > HIGH_CV) warnings.push(`noisy (CV ${(s.cv * 100).toFixed(0)}%)`);
  if (s.othersCpuPct > BUSY_OTHERS_PCT) warnings.push(`busy machine (others used ${Math.round(s.othersCpuPct)}% of a core)`);
  if (s.stealPct > HIGH_STEAL_PCT) warnings.push(`CPU steal ${s.stealPct.toFixed(1)}%`);
  if (s.server && s.server.busiestThread >= BUSY_THREAD) {
    const ceiling = s.server.ceilingPerS !== undefined ? `, its ceiling here about ${Math.round(s.server.ceilingPerS!).toLocaleString('en-US')}/s` : '';
    warnings.push(`generator-bound (${s.server.engine} engine, its busiest thread busy ${Math.round(s.server.busiestThread * 100)}% of the window${ceiling}: the server may be faster than this)`);
  }
  const errors = Object.entries(s.server?.errors ?? {}).filter(([, count]) => count > 0);
  if (errors.length) warnings.push(`errors: ${errors.map(([kind, count]) => `${count} ${kind}`).join(', ')}`);
  return warnings;
}
