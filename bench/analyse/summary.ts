import { busyMachine, busyReasons } from '../core/busy.ts';
import { METRICS, PRIMARY, type RunKind, type RunMetricId, speedRatio } from '../core/metrics.ts';
import { cv, type Interval, median, medianInterval, outliers, quantile, ratioInterval } from '../core/stats.ts';
import { BUSY_THREAD } from '../define/load.ts';
import { type Cell, type Plan, serialCellFor } from '../define/plan.ts';
import type { LoadResult } from '../store/records.ts';
import { type RunRecord, runValue, type ServerRun } from '../store/records.ts';
import type { Results } from '../store/results.ts';

/** One metric over a cell's measured runs. */
export interface MetricSummary {
  metric: RunMetricId;
  /** one value per successful measured run */
  values: number[];
  median: number;
  /** confidence interval of the median (order statistics) */
  interval: Interval;
  cv: number;
  outliers: number;
}

/** What a report says about one cell, computed from its measured (non-warm-up) runs alone. */
export interface CellSummary {
  cell: Cell;
  kind: RunKind;
  /** measured runs that succeeded */
  repeats: number;
  /** those runs */
  measured: RunRecord[];
  failures: RunRecord[];
  /** the kind's primary metric (batch: wall time; server: answers per second) */
  primary: MetricSummary;
  /** spawn to exit, start-up included: what hyperfine would report for the same command */
  medianProcessWallS: number;
  /** how much faster than serial (at the same W and parameters) in the primary metric; undefined without a serial cell */
  speedup?: number;
  /**
   * the speedup's 95% interval (stats.ts ratioInterval, of the ratio of the two cells' runs): NaN
   * ends from one run, unbounded where too few runs cannot reach 95%
   */
  speedupInterval?: Interval;
  /** the fewer measured runs of this cell and its serial cell: what the interval rests on */
  speedupRuns?: number;
  /** the serial cell's CPU utilisation (its CPU time / wall): 1 − it is the share of its time it waited */
  serialCpuUtil?: number;
  /** median over runs of tasks (answers) completed per second */
  tasksPerS: number;
  /** batch: every task's duration pooled over the runs; server: the median over runs of each run's percentile */
  taskP50S: number;
  taskP99S: number;
  /** CPU time of the measured tree / wall time (a server's: in its window); 1.0 = one core busy throughout */
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
  /** batch: median involuntary context switches per second of the measured tree (getrusage); servers have none */
  involuntaryPerS?: number;
  /** every measured run had at least MIN_SAMPLES /proc samples past the first: the tree's CPU%, RSS, PIDs and threads are known */
  sampled: boolean;
  /** a batch cell whose median wall time is below CLOCK_FLOOR_S: CPU util from getrusage means nothing there */
  tooShort: boolean;
  /** why each run set aside (and made again) was: e.g. a busy machine */
  setAside: string[];
  /** why this cell's numbers deserve less trust: few runs, spread, a busy machine */
  warnings: string[];
  /** the measured run whose primary metric is closest to the median: the one whose timeline is shown */
  typical?: RunRecord;
  /** a server cell: what the load generator and /proc saw */
  server?: ServerSummary;
  /** how its processes were started (fork, forkserver, spawn), where it started any through multiprocessing */
  startMethod?: string;
}

export interface ServerSummary {
  p999Ms: number;
  /** errors summed over the measured runs, by kind */
  errors: Record<string, number>;
  /** the busiest generator thread's share of the window spent working, median over runs */
  busiestThread: number;
  generatorCpuPct: number;
  /** the engines that measured the runs: "native", "node", or both */
  engine: string;
  /** the generator's own ceiling in this cell (answers/s were it busy all the time), median over runs */
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
  /** the connections were only held open (the memory sweep): nothing was asked, nothing answered */
  idle: boolean;
  /** the server's own CPU over the window per answer, user and system, µs (median over runs) */
  cpuPerAnswerUs: { user: number; system: number };
}

export function summariseCells(results: Results): CellSummary[] {
  const measured = results.runs.filter((run) => !run.warmup && !run.setAside);
  const machineCv = (results.speedProbe?.seconds.length ?? 0) >= 2 ? cv(results.speedProbe!.seconds) : undefined;
  const kindOf = new Map(results.plan.workloads.map((w) => [w.name, w.kind]));
  const summaries = results.plan.cells.map((cell) =>
    summariseCell(
      cell,
      kindOf.get(cell.workload)!,
      measured.filter((run) => run.cellId === cell.id),
    ),
  );
  for (const summary of summaries) {
    summary.setAside = results.runs
      .filter((run) => run.cellId === summary.cell.id && run.setAside)
      .map((run) => run.setAside!);
    Object.assign(summary, speedupOf(summary, summaries, results.plan));
    summary.warnings = warningsFor(summary, machineCv);
  }
  return summaries;
}

export function metricSummary(metric: RunMetricId, runs: RunRecord[]): MetricSummary {
  const values = runs.flatMap((run) => runValue(run, metric) ?? []);
  return {
    metric,
    values,
    median: median(values),
    interval: medianInterval(values),
    cv: cv(values),
    outliers: outliers(values).length,
  };
}

function summariseCell(cell: Cell, kind: RunKind, runs: RunRecord[]): CellSummary {
  const ok = runs.filter((run) => runValue(run, PRIMARY[kind]) !== undefined);
  const primary = metricSummary(PRIMARY[kind], ok);
  const hosts = ok.flatMap((run) => (run.host ? [run.host] : []));
  const medianOf = (metric: RunMetricId) => median(ok.flatMap((run) => runValue(run, metric) ?? []));
  const maxOf = (pick: (run: RunRecord) => number) => ok.reduce((max, run) => Math.max(max, pick(run)), 0);
  const closest = (run: RunRecord) => Math.abs(runValue(run, primary.metric)! - primary.median);
  return {
    cell,
    kind,
    repeats: ok.length,
    measured: ok,
    failures: runs.filter((run) => !run.ok),
    primary,
    medianProcessWallS: median(ok.map((run) => run.processWallS)),
    cpuUtilisation: medianOf('cpu'),
    othersCpuPct: median(hosts.map((h) => h.othersCpuPct)),
    stealPct: median(hosts.map((h) => h.stealPct)),
    involuntaryPerS: kind === 'batch' ? median(ok.map(involuntaryPerS)) : undefined,
    warnings: [],
    setAside: [],
    sampled: ok.length > 0 && ok.every((run) => run.timeline.samples.length - 1 >= MIN_SAMPLES),
    tooShort: kind === 'batch' && primary.median < CLOCK_FLOOR_S,
    tasksPerS: medianOf('throughput'),
    ...taskLatency(ok),
    meanCpuPct: median(ok.map((run) => run.timeline.summary.meanCpuPct)),
    peakCpuPct: maxOf((run) => run.timeline.summary.peakCpuPct),
    peakRssKiB: maxOf((run) => run.timeline.summary.peakRssKiB),
    maxPids: maxOf((run) => run.timeline.summary.maxPids),
    maxThreads: maxOf((run) => run.timeline.summary.maxThreads),
    typical: ok.reduce<RunRecord | undefined>(
      (best, run) => (!best || closest(run) < closest(best) ? run : best),
      undefined,
    ),
    server: serverSummary(ok.filter((run): run is ServerRun => run.kind === 'server')),
    startMethod: startMethodOf(ok),
  };
}

/** multiprocessing's ways to start a process (a Node.js cluster says "cluster.fork": its mode's name says it already). */
const START_METHODS = ['fork', 'forkserver', 'spawn'];

/** The start method the runs reported (Python 3.14 made forkserver Linux's default in place of fork). */
function startMethodOf(runs: RunRecord[]): string | undefined {
  const methods = runs
    .flatMap((run) => (run.kind === 'batch' ? run.measurement?.start_method : run.server?.done.start_method) ?? [])
    .filter((method) => START_METHODS.includes(method));
  return methods.length ? [...new Set(methods)].join(', ') : undefined;
}

function involuntaryPerS(run: RunRecord): number {
  if (run.kind !== 'batch' || !run.measurement) return NaN;
  const { rusage, wall_s } = run.measurement;
  return (rusage.self.involuntary_switches + rusage.children.involuntary_switches) / wall_s;
}

/** p50 and p99 of one task or answer: from the tasks' own start and end, or from the load generator's histogram. */
function taskLatency(ok: RunRecord[]): Pick<CellSummary, 'taskP50S' | 'taskP99S'> {
  const batch = ok.flatMap((run) =>
    run.kind === 'batch' ? run.measurement!.tasks.map((t) => t.end_s - t.start_s) : [],
  );
  const loads = ok.flatMap((run) => (run.kind === 'server' ? [run.load!] : []));
  if (loads.length === 0) return { taskP50S: quantile(batch, 0.5), taskP99S: quantile(batch, 0.99) };
  return {
    taskP50S: median(loads.map((l) => l.latencyMs?.p50 ?? NaN)) / 1000,
    taskP99S: median(loads.map((l) => l.latencyMs?.p99 ?? NaN)) / 1000,
  };
}

function serverSummary(ok: ServerRun[]): ServerSummary | undefined {
  if (ok.length === 0) return undefined;
  const loads = ok.map((run) => run.load!);
  const errors: Record<string, number> = {};
  for (const load of loads)
    for (const [kind, count] of Object.entries(load.errors)) errors[kind] = (errors[kind] ?? 0) + count;
  const perS = loads.map((load) => load.perS);
  const middle = median(perS);
  // The typical run's, like the answers/s beside them: a maximum busy share with a minimum ceiling
  // described no run (a ceiling below the median answers/s).
  const ceilings = loads.flatMap((load) =>
    load.generator.ceilingPerS === undefined ? [] : [load.generator.ceilingPerS],
  );
  const typical = ok.reduce((best, run) =>
    Math.abs(run.load!.perS - middle) < Math.abs(best.load!.perS - middle) ? run : best,
  );
  const perAnswer = ok.map((run) => cpuPerAnswerUs(run));
  return {
    p999Ms: median(loads.map((load) => load.latencyMs?.p999 ?? NaN)),
    errors,
    busiestThread: median(loads.map((load) => load.generator.busiestThread)),
    generatorCpuPct: median(loads.map((load) => load.generator.cpuPct)),
    engine: [...new Set(loads.map((load) => load.engine))].join(', '),
    ceilingPerS: ceilings.length ? median(ceilings) : undefined,
    placement: placementOf(loads[0]!.placement),
    rssKiB: median(ok.map((run) => run.server!.atWindowEnd.rssKiB)),
    threads: Math.max(...ok.map((run) => run.server!.atWindowEnd.threads)),
    openAtEnd: median(loads.map((load) => load.openAtEnd)),
    accepted: typical.server!.done.accepted,
    idle: loads.every((load) => load.pattern === 'idle'),
    cpuPerAnswerUs: {
      user: median(perAnswer.map((cpu) => cpu.user)),
      system: median(perAnswer.map((cpu) => cpu.system)),
    },
  };
}

/** One server run's CPU over its window per answer in it, µs: what a server layer costs. */
export function cpuPerAnswerUs(run: ServerRun): { user: number; system: number } {
  const { windowCpu } = run.server!;
  const answers = run.load!.completed;
  return { user: (windowCpu.userS * 1e6) / answers, system: (windowCpu.sysS * 1e6) / answers };
}

function placementOf(p: LoadResult['placement']): string | undefined {
  if (!p) return undefined;
  return p.pinned
    ? `server on CPUs ${p.server}, load generator on CPUs ${p.generator}`
    : `server and load generator shared CPUs ${p.server} (${p.why})`;
}

/** Serial's primary metric against this cell's, as a speedup (above 1: faster, the ratio of medians), with its interval. */
function speedupOf(
  summary: CellSummary,
  all: CellSummary[],
  plan: Plan,
): Pick<CellSummary, 'speedup' | 'speedupInterval' | 'speedupRuns' | 'serialCpuUtil'> {
  const serial = serialCellFor(plan, summary.cell);
  const baseline = serial && all.find((other) => other.cell.id === serial.id);
  if (!baseline?.repeats || !summary.repeats) return {};
  const { metric, values, median: value } = summary.primary;
  const reference = baseline.primary;
  // The interval of second / first: ordered so that it is the speedup's.
  const [first, second] = METRICS[metric].better === 'lower' ? [values, reference.values] : [reference.values, values];
  return {
    speedup: speedRatio(metric, value, reference.median),
    speedupInterval: ratioInterval(first, second),
    speedupRuns: Math.min(summary.repeats, baseline.repeats),
    serialCpuUtil: baseline.tooShort ? undefined : baseline.cpuUtilisation,
  };
}

/** Fewer /proc samples than this (past the first, which sees processes barely started) say nothing reliable about a run. */
export const MIN_SAMPLES = 3;
/** Wall times below this are near the resolution of the clock, the scheduler and CPU accounting. */
export const CLOCK_FLOOR_S = 0.001;

/** Below this many measured runs a rank test cannot reach p < 0.01 and the interval is wide. */
export const FEW_RUNS = 5;
export const HIGH_CV = 0.1;
/** A cell measured on a busy machine: its numbers explain nothing (the busy-machine verdict). */
export function onBusyMachine(s: CellSummary): boolean {
  return s.repeats > 0 && busyMachine(s);
}

/** machineCv: how much the speed probe's Python loop varied over the run, where it was timed. */
function warningsFor(s: CellSummary, machineCv: number | undefined): string[] {
  const warnings: string[] = [];
  if (s.failures.length) warnings.push(`${s.failures.length} failed`);
  if (s.setAside.length)
    warnings.push(
      `${s.setAside.length} set aside and made again (${[...new Set(s.setAside.map((why) => why.split(':')[0]))].join(', ')})`,
    );
  if (s.repeats > 0 && s.repeats < FEW_RUNS) warnings.push(`few runs (${s.repeats})`);
  if (s.primary.cv > HIGH_CV) {
    const machine = machineCv === undefined ? '' : `; the machine's own Python loop: ${(machineCv * 100).toFixed(0)}%`;
    warnings.push(`noisy (CV ${(s.primary.cv * 100).toFixed(0)}%${machine})`);
  }
  if (s.tooShort)
    warnings.push(
      `wall time ${(s.primary.median * 1e6).toFixed(0)} µs is near the clock's resolution (CPU util not meaningful)`,
    );
  if (s.repeats > 0 && !s.sampled) warnings.push(`runs too short to sample (under ${MIN_SAMPLES} /proc samples each)`);
  const busy = busyReasons(s);
  if (busy.length) warnings.push(`busy machine (${busy.join(', ')})`);
  if (s.server && s.server.busiestThread >= BUSY_THREAD) {
    const ceiling =
      s.server.ceilingPerS !== undefined
        ? `, its ceiling here about ${Math.round(s.server.ceilingPerS!).toLocaleString('en-US')}/s`
        : '';
    warnings.push(
      `generator-bound (${s.server.engine} engine, its busiest thread busy ${Math.round(s.server.busiestThread * 100)}% of the window${ceiling}: the server may be faster than this)`,
    );
  }
  const errors = Object.entries(s.server?.errors ?? {}).filter(([, count]) => count > 0);
  if (errors.length) warnings.push(`errors: ${errors.map(([kind, count]) => `${count} ${kind}`).join(', ')}`);
  return warnings;
}
