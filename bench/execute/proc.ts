import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';

/** Linux /proc readers: what top and ps read, without spawning them. */

export const HAS_PROC = existsSync('/proc/self/stat');

function getconf(name: string, fallback: number): number {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

export const CLOCK_TICKS = HAS_PROC ? getconf('CLK_TCK', 100) : 100;
const PAGE_KIB = HAS_PROC ? getconf('PAGESIZE', 4096) / 1024 : 4;

export interface StatLine {
  /** the executable's name as the kernel knows it; it changes on exec */
  comm: string;
  state: string;
  ppid: number;
  /** process group and session: a run's child leads both, until a descendant leaves them */
  pgrp: number;
  session: number;
  /** user + system CPU time, seconds */
  cpuS: number;
  userS: number;
  sysS: number;
  threads: number;
  /** seconds after boot */
  startS: number;
  rssKiB: number;
  /** the CPU it last ran on */
  processor: number;
}

/** Parses /proc/PID/stat or /proc/PID/task/TID/stat; the command may contain spaces and ')'. */
export function parseStat(text: string): StatLine {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is stat field 3 (state); field k of proc(5) sits at fields[k - 3].
  const at = (k: number) => Number(fields[k - 3]);
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0] ?? '?',
    ppid: at(4),
    pgrp: at(5),
    session: at(6),
    cpuS: (at(14) + at(15)) / CLOCK_TICKS,
    userS: at(14) / CLOCK_TICKS,
    sysS: at(15) / CLOCK_TICKS,
    threads: at(20),
    startS: at(22) / CLOCK_TICKS,
    rssKiB: at(24) * PAGE_KIB,
    processor: at(39),
  };
}

// One buffer for every read: the sampler reads dozens of tiny files per walk, ten times a second.
const buffer = Buffer.alloc(64 * 1024);

/**
 * Reads /proc files. A sampler keeps each file open between walks and re-reads it with pread
 * (one syscall instead of open, read, close: most of a walk's cost); a /proc file of a PID that
 * ended fails to read rather than showing a newer process that reused the PID.
 */
export class ProcFiles {
  private readonly open = new Map<string, number>();
  private readonly keepOpen: number;

  constructor(keepOpen: number) {
    this.keepOpen = keepOpen;
  }

  read(path: string): string | undefined {
    let fd = this.open.get(path);
    try {
      fd ??= openSync(path, 'r');
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      if (!this.open.has(path) && this.open.size < this.keepOpen) this.open.set(path, fd);
      return buffer.toString('utf8', 0, length);
    } catch {
      return undefined; // the process or thread ended between listing and reading: normal
    } finally {
      if (fd !== undefined && this.open.get(path) !== fd) closeSync(fd);
    }
  }

  /** Forgets (and closes) files whose process is gone. */
  forget(path: string): void {
    const fd = this.open.get(path);
    if (fd !== undefined) closeSync(fd);
    this.open.delete(path);
  }

  close(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}

/** For one-off reads (listing a tree to kill it): nothing stays open. */
const ONCE = new ProcFiles(0);

function read(path: string): string | undefined {
  return ONCE.read(path);
}

export function readStat(pid: number, tid?: number, files = ONCE): StatLine | undefined {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const text = files.read(path);
  if (text === undefined) files.forget(path);
  return text === undefined ? undefined : parseStat(text);
}

export function readCommand(pid: number): string {
  const raw = read(`/proc/${pid}/cmdline`) ?? '';
  return raw.split('\0').filter(Boolean).join(' ');
}

export function listThreads(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/**
 * Beyond this many threads (a thread-per-connection server) only the main thread's children
 * and no per-thread rows are read: one /proc read per thread per walk would cost more than a core.
 */
export const MANY_THREADS = 64;

/** Direct children of every thread of pid (any thread may fork; see MANY_THREADS). */
export function listChildren(pid: number, threads = listThreads(pid), files = ONCE): number[] {
  const children: number[] = [];
  for (const tid of threads.length > MANY_THREADS ? [pid] : threads) {
    const path = `/proc/${pid}/task/${tid}/children`;
    const text = files.read(path);
    if (text === undefined) files.forget(path);
    if (text) for (const child of text.trim().split(' ')) if (child) children.push(Number(child));
  }
  return children;
}

/** Every PID in /proc now: processes, not threads. */
export function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** The environment a process was started with, as NAME=VALUE strings; empty when unreadable. */
export function readEnviron(pid: number): string[] {
  return (read(`/proc/${pid}/environ`) ?? '').split('\0');
}

/** root and all its descendants, root first. */
export function listTree(root: number): number[] {
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...listChildren(pid));
  }
  return tree;
}

/** Every process of root's tree now, by PID, root first; one that ends while being read is left out. */
export function readTree(root: number): Map<number, StatLine> {
  const tree = new Map<number, StatLine>();
  for (const pid of listTree(root)) {
    const stat = readStat(pid);
    if (stat) tree.set(pid, stat);
  }
  return tree;
}

type Cpu = Pick<StatLine, 'userS' | 'sysS'>;

/**
 * CPU seconds a process tree used between two readings of readTree: a process born in between
 * counts whole, one gone by the second reading not at all (its CPU can no longer be read).
 */
export function treeCpuBetween(start: ReadonlyMap<number, Cpu>, end: ReadonlyMap<number, Cpu>): Cpu {
  let userS = 0;
  let sysS = 0;
  for (const [pid, after] of end) {
    const before = start.get(pid);
    userS += after.userS - (before?.userS ?? 0);
    sysS += after.sysS - (before?.sysS ?? 0);
  }
  return { userS, sysS };
}

/**
 * Seconds since boot, on the clock that process start times use. /proc/uptime has only
 * 10 ms resolution, too coarse for CPU% over short intervals, so it is read once and the
 * monotonic clock carries it forward.
 */
const BOOT_OFFSET_S = Number((read('/proc/uptime') ?? '0').split(' ')[0]) - performance.now() / 1000;

export function uptimeS(): number {
  return BOOT_OFFSET_S + performance.now() / 1000;
}

export interface CpuTimes {
  /** seconds of CPU time, summed over all CPUs, since boot */
  busyS: number;
  stealS: number;
  totalS: number;
}

/** The machine-wide CPU line of /proc/stat: what everyone used, and what the hypervisor took. */
export function readCpuTimes(): CpuTimes | undefined {
  const line = ONCE.read('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq;
  return {
    busyS: busy / CLOCK_TICKS,
    stealS: steal / CLOCK_TICKS,
    totalS: (busy + idle + iowait + steal) / CLOCK_TICKS,
  };
}
