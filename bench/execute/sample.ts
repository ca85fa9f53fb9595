import pidusage from 'pidusage';
import type { ProcessSample, Sample, SamplerSummary, Timeline } from '../store/records.ts';
import {
  HAS_PROC,
  listChildren,
  listThreads,
  MANY_THREADS,
  ProcFiles,
  readCommand,
  readStat,
  type StatLine,
  uptimeS,
} from './proc.ts';

type ThreadRow = ProcessSample['threadCpu'][number];

/** What a walk remembers of a PID for the next one. */
interface Known {
  /** CPU seconds and when they were read: the next walk's CPU% is the difference */
  cpuS: number;
  atS: number;
  /** cmdline changes only on exec, which also changes the stat's comm: read again only then */
  comm: string;
  command: string;
  /** seconds after boot: with the PID, names the process (a PID may be reused) */
  startS: number;
  /** thread ids: /proc/PID/task is listed again only when their count changes or one vanished */
  threads?: number[];
}

/**
 * Walks a process tree through /proc, like top does: CPU% of each PID is its CPU time used
 * since the previous walk over the wall time between the walks (or since it started, for a
 * PID seen for the first time).
 */
export class ProcTreeReader {
  private known = new Map<number, Known>();
  /** Bounded so that a tree of thousands of threads cannot exhaust the harness's descriptors. */
  private readonly files = new ProcFiles(512);
  private readonly intervalS: number;

  constructor(intervalS = 0.1) {
    this.intervalS = intervalS;
  }

  read(root: number, t: number): Sample {
    const nowS = uptimeS();
    const seen = new Map<number, Known>();
    const processes: ProcessSample[] = [];
    const queue = [root];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      const stat = readStat(pid, undefined, this.files);
      if (!stat) continue;
      const before = this.known.get(pid);
      const threads = before?.threads?.length === stat.threads ? before.threads : listThreads(pid);
      const now: Known = {
        cpuS: stat.cpuS,
        atS: nowS,
        comm: stat.comm,
        startS: stat.startS,
        command: before?.comm === stat.comm ? before.command : readCommand(pid),
        threads,
      };
      seen.set(pid, now);
      // A PID first seen a few ms after it started: start time and CPU both tick in 10 ms steps,
      // so "since it started" can read 300%. Count at least one interval for it.
      const elapsed = before ? nowS - before.atS : Math.max(nowS - stat.startS, this.intervalS);
      processes.push({
        pid,
        ppid: stat.ppid,
        command: now.command,
        state: stat.state,
        cpuPct: elapsed > 0 ? (100 * (stat.cpuS - (before?.cpuS ?? 0))) / elapsed : 0,
        rssKiB: stat.rssKiB,
        threads: stat.threads,
        threadCpu: this.threadCpu(now, pid, threads, stat),
      });
      queue.push(...listChildren(pid, threads, this.files));
    }
    this.known = seen;
    return totals(t, processes);
  }

  /** The processes of the latest walk: PID → start time. */
  lastSeen(): Map<number, number> {
    return new Map([...this.known].map(([pid, known]) => [pid, known.startS]));
  }

  close(): void {
    this.files.close();
  }

  private threadCpu(now: Known, pid: number, threads: number[], stat: StatLine): ThreadRow[] {
    // A single-threaded process is its only thread: no second read needed.
    if (threads.length === 1) return [[threads[0]!, stat.cpuS, stat.processor, stat.state]];
    if (threads.length > MANY_THREADS) return [];
    const rows: ThreadRow[] = [];
    for (const tid of threads) {
      const thread = readStat(pid, tid, this.files);
      if (thread) rows.push([tid, thread.cpuS, thread.processor, thread.state]);
      // A thread ended and another may have taken its place at the same count: list again next time.
      else now.threads = undefined;
    }
    return rows;
  }
}

/** Where /proc is absent (macOS), pidusage still gives the root's CPU% and RSS; no tree, no threads. */
async function readWithPidusage(root: number, t: number): Promise<Sample> {
  try {
    const stats = await pidusage(root);
    const processes = [
      {
        pid: root,
        ppid: stats.ppid,
        command: '',
        state: '?',
        cpuPct: stats.cpu,
        rssKiB: stats.memory / 1024,
        threads: 1,
        threadCpu: [],
      },
    ];
    return totals(t, processes);
  } catch {
    return totals(t, []);
  }
}

function totals(t: number, processes: ProcessSample[]): Sample {
  return {
    t,
    processes,
    totalCpuPct: processes.reduce((sum, p) => sum + p.cpuPct, 0),
    totalRssKiB: processes.reduce((sum, p) => sum + p.rssKiB, 0),
  };
}

export function summarise(samples: Sample[], intervalMs: number, source: SamplerSummary['source']): SamplerSummary {
  // The first walk sees processes that barely started; their CPU% since start is noise.
  const cpu = (samples.length > 1 ? samples.slice(1) : samples).map((s) => s.totalCpuPct);
  const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);
  return {
    source,
    intervalMs,
    samples: samples.length,
    meanCpuPct: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0,
    peakCpuPct: max(cpu),
    peakRssKiB: max(samples.map((s) => s.totalRssKiB)),
    maxPids: max(samples.map((s) => s.processes.length)),
    maxThreads: max(samples.map((s) => s.processes.reduce((sum, p) => sum + p.threads, 0))),
  };
}

const FIRST_LOOK_MS = 10;

/** Samples a process tree every intervalMs from start() until stop(). */
export class TreeSampler {
  private readonly samples: Sample[] = [];
  private readonly reader: ProcTreeReader;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  readonly source: SamplerSummary['source'] = HAS_PROC ? 'proc' : 'pidusage';

  private readonly root: number;
  private readonly intervalMs: number;

  constructor(root: number, intervalMs: number) {
    this.root = root;
    this.intervalMs = intervalMs;
    this.reader = new ProcTreeReader(intervalMs / 1000);
  }

  /** An interval of 0 turns sampling off: the way to measure what sampling itself costs. */
  start(): void {
    this.startedAt = performance.now();
    if (this.intervalMs === 0) return;
    // A first early look catches runs shorter than one interval; by then the child has exec'd.
    this.timer = setTimeout(
      () => {
        void this.tick();
        this.timer = setInterval(() => void this.tick(), this.intervalMs);
      },
      Math.min(FIRST_LOOK_MS, this.intervalMs),
    );
  }

  /** The processes seen in the latest walk (PID → start time): part of what is killed when the run stops. */
  lastSeen(): Map<number, number> {
    return this.reader.lastSeen();
  }

  stop(): Timeline {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.reader.close();
    return { summary: summarise(this.samples, this.intervalMs, this.source), samples: this.samples };
  }

  private async tick(): Promise<void> {
    const t = (performance.now() - this.startedAt) / 1000;
    const sample = this.source === 'proc' ? this.reader.read(this.root, t) : await readWithPidusage(this.root, t);
    if (sample.processes.length > 0) this.samples.push(sample);
  }
}
