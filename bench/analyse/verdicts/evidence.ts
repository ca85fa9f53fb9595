import { median } from '../../core/stats.ts';
import type { RunRecord, Sample } from '../../store/records.ts';
import type { CellSummary } from '../summary.ts';

/**
 * What a verdict may rest on, measured: each field is undefined when the run did not measure it
 * (too few /proc samples, no serial cell, no tasks), and a rule that needs it then stays silent.
 */
export interface Evidence {
  summary: CellSummary;
  /** the machine's logical cores */
  cores: number;
  /** the cell's threads share one GIL: a GIL build, not subinterpreters (a GIL each); undefined when the interpreter is not known */
  oneGil?: boolean;
  /** the speedup over serial and its 95% interval, in the kind's primary metric */
  speedup?: { value: number; low: number; high: number; runs: number };
  /** CPU time / wall time from getrusage (a server's: /proc over its window): 1 = one core busy; NaN for a run too short to tell */
  cpuUtil: number;
  /** the serial cell's CPU util: for the rest of its time it waited */
  serialCpuUtil?: number;
  /** enough /proc samples in every measured run (summary.sampled): the timeline facts below are known */
  sampled: boolean;
  /** highest total CPU% of the tree in a sample (100 = one core) */
  peakCpuPct?: number;
  /** the most threads running or runnable (state R) at one sampled moment, over the measured runs */
  runningAtOnce?: number;
  /** the most processes of the tree each using at least half a core at one sampled moment */
  busyProcessesAtOnce?: number;
  /** threads of the busiest process that did a real share (≥ 10%) of its CPU work, in the typical run */
  workingThreads?: number;
  processes: number;
  /** CPU other programs used while it ran (% of one core, median), and the hypervisor's steal (%) */
  othersCpuPct: number;
  stealPct: number;
  /** batch, tasks that overlapped: the last task's start as a share of the wall time (median over runs): what starting the workers took */
  startShare?: number;
  /** batch with several tasks: each began only when the one before it had ended, in every run */
  oneAfterAnother?: boolean;
  /** server: the window's CPU split, in cores: user (the interpreter) and system (the kernel's send/recv) */
  userCores?: number;
  systemCores?: number;
}

const WORKING_SHARE = 0.1;
const BUSY_PROCESS_PCT = 50;

/** The samples that count: the first walk sees processes that barely started. */
const settled = (run: RunRecord): Sample[] => run.timeline.samples.slice(1);

function runningIn(sample: Sample): number {
  return sample.processes.reduce((sum, p) => {
    // Past MANY_THREADS a process has no per-thread rows: its own state stands for it.
    const threads = p.threadCpu.length ? p.threadCpu.filter((row) => row[3] === 'R').length : p.state === 'R' ? 1 : 0;
    return sum + threads;
  }, 0);
}

/**
 * Threads that did at least WORKING_SHARE of the CPU work of their process over the samples (a
 * thread's CPU time from the first to the last sample it was seen in), in the busiest process.
 * A batch run's tasks name their threads: the main thread's start-up is not the work.
 */
function workingThreads(run: RunRecord): number | undefined {
  const taskThreads = new Set(run.kind === 'batch' ? (run.measurement?.tasks.map((t) => t.tid) ?? []) : []);
  const byProcess = new Map<number, Map<number, { from: number; to: number }>>();
  for (const sample of settled(run)) {
    for (const p of sample.processes) {
      const threads = byProcess.get(p.pid) ?? new Map<number, { from: number; to: number }>();
      byProcess.set(p.pid, threads);
      for (const [tid, cpuS] of p.threadCpu) {
        if (taskThreads.size === 0 || taskThreads.has(tid))
          threads.set(tid, { from: threads.get(tid)?.from ?? cpuS, to: cpuS });
      }
    }
  }
  const work = [...byProcess.values()].map((threads) => [...threads.values()].map((t) => t.to - t.from));
  const busiest = work.reduce<number[]>((a, b) => (sum(b) > sum(a) ? b : a), []);
  return sum(busiest) > 0 ? busiest.filter((w) => w >= WORKING_SHARE * sum(busiest)).length : undefined;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The batch tasks of a run as [start, end] pairs, when it has more than one. */
function taskSpans(run: RunRecord): [number, number][] {
  if (run.kind !== 'batch' || !run.measurement || run.measurement.tasks.length < 2) return [];
  return run.measurement.tasks.map((t) => [t.start_s, t.end_s]);
}

/** The last task's start as a share of the run's wall time: how long its workers took to start. */
function lastStart(run: RunRecord, spans: [number, number][]): number {
  return Math.max(...spans.map(([start]) => start)) / (run.kind === 'batch' ? run.measurement!.wall_s : NaN);
}

/** Each task began only when the one before it had ended: they took turns as whole tasks. */
function oneAfterAnother(spans: [number, number][]): boolean {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  return sorted.every(([start], i) => i === 0 || start >= sorted[i - 1]![1]);
}

/** What the cell ran on, as far as a verdict needs it. */
export interface RanOn {
  cores: number;
  /** the interpreter had its GIL on (false: a free-threaded build without it, or Node.js) */
  gilEnabled?: boolean;
}

export function evidenceOf(summary: CellSummary, { cores, gilEnabled }: RanOn): Evidence {
  const { measured, sampled } = summary;
  const samples = measured.flatMap(settled);
  const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);
  const interval = summary.speedupInterval;
  const windows = measured.flatMap((run) =>
    run.kind === 'server' && run.server && run.load ? [{ ...run.server.windowCpu, windowS: run.load.windowS }] : [],
  );
  const spanned = measured.map((run) => ({ run, spans: taskSpans(run) })).filter(({ spans }) => spans.length > 0);
  const sequential = spanned.length > 0 && spanned.every(({ spans }) => oneAfterAnother(spans));
  // Start-up matters where the workers then ran side by side; tasks one after another start late by design.
  const shares = sequential ? [] : spanned.map(({ run, spans }) => lastStart(run, spans));
  return {
    summary,
    cores,
    oneGil: gilEnabled === undefined ? undefined : gilEnabled && summary.cell.mode !== 'subinterpreters',
    speedup:
      summary.speedup === undefined || !interval
        ? undefined
        : { value: summary.speedup, low: interval.low, high: interval.high, runs: summary.speedupRuns! },
    // Near the clock's resolution getrusage's CPU time says nothing: no rule may rest on it.
    cpuUtil: summary.tooShort ? NaN : summary.cpuUtilisation,
    serialCpuUtil: summary.serialCpuUtil,
    sampled,
    peakCpuPct: sampled ? summary.peakCpuPct : undefined,
    runningAtOnce: sampled ? max(samples.map(runningIn)) : undefined,
    busyProcessesAtOnce: sampled
      ? max(samples.map((s) => s.processes.filter((p) => p.cpuPct >= BUSY_PROCESS_PCT).length))
      : undefined,
    workingThreads: sampled && summary.typical ? workingThreads(summary.typical) : undefined,
    processes: summary.maxPids,
    othersCpuPct: summary.othersCpuPct,
    stealPct: summary.stealPct,
    startShare: shares.length ? median(shares) : undefined,
    oneAfterAnother: spanned.length > 0 ? sequential : undefined,
    userCores: windows.length ? median(windows.map((w) => w.userS / w.windowS)) : undefined,
    systemCores: windows.length ? median(windows.map((w) => w.sysS / w.windowS)) : undefined,
  };
}
