import { execa, type ResultPromise } from 'execa';
import { groupAlive, killTree } from './kill.ts';
import { readCpuTimes, type CpuTimes } from './proc.ts';
import { MeasurementSchema, treeCpuS, type BatchRun, type RunRecord, type ServerRun } from './results.ts';
import { summarise, TreeSampler, type Timeline } from './sample.ts';
import { tryParseJson } from './json.ts';

export interface BatchCommand {
  executable: string;
  args: string[];
  /** added to the harness's own environment, e.g. PYTHON_GIL=0 */
  env?: Record<string, string>;
  timeoutS: number;
  sampleIntervalMs: number;
  /** Aborting stops the run at once (Ctrl+C); the record then says so. */
  signal?: AbortSignal;
}

/** What a run yields, before the suite files it under its cell and round. */
type Outcome<R extends RunRecord> = Omit<R, 'cellId' | 'round' | 'warmup'>;
export type BatchOutcome = Outcome<BatchRun>;
export type ServerOutcome = Outcome<ServerRun>;
export type RunOutcome = BatchOutcome | ServerOutcome;

const STDERR_TAIL_LINES = 20;

const SPAWN_OPTIONS = {
  detached: true, // own process group: the terminal's Ctrl+C reaches the harness, which decides
  cleanup: false,
  reject: false,
  stdin: 'ignore',
  stripFinalNewline: true,
} as const;

/** A child in a process group of its own, its tree sampled while it lives, killed whole on timeout or abort. */
export interface Watched {
  child: ResultPromise<typeof SPAWN_OPTIONS>;
  pid: number;
  /** Kills the tree; the first reason given is the run's error. */
  stop(why: string): void;
  /** Waits for the exit and reaps anything left of the tree. */
  finish(): Promise<Finished>;
}

export interface Finished {
  stdout: string;
  stderrTail?: string;
  processWallS: number;
  timeline: Timeline;
  /** why the run failed: stopped (timeout, interrupted, …) or a non-zero exit */
  error?: string;
}

export async function spawnWatched(command: BatchCommand): Promise<Watched | { error: string }> {
  const started = performance.now();
  const child = execa(command.executable, command.args, { ...SPAWN_OPTIONS, env: command.env });
  const pid = child.pid;
  if (pid === undefined) return { error: `could not start: ${(await child).shortMessage}` };
  const sampler = new TreeSampler(pid, command.sampleIntervalMs);
  sampler.start();
  let stoppedBecause: string | undefined;
  const stop = (why: string) => {
    stoppedBecause ??= why;
    void killTree(pid, sampler.lastPids());
  };
  const timer = setTimeout(() => stop(`timed out after ${command.timeoutS} s`), command.timeoutS * 1000);
  const onAbort = () => stop('interrupted');
  command.signal?.addEventListener('abort', onAbort);
  const finish = async (): Promise<Finished> => {
    const result = await child;
    const processWallS = (performance.now() - started) / 1000;
    clearTimeout(timer);
    command.signal?.removeEventListener('abort', onAbort);
    const timeline = sampler.stop();
    // A workload's stray grandchild must not outlive its run.
    if (groupAlive(pid)) await killTree(pid, sampler.lastPids(), 0);
    const stderrTail = String(result.stderr).split('\n').slice(-STDERR_TAIL_LINES).join('\n') || undefined;
    const exited = result.exitCode !== 0 ? `exited with ${result.signal ? `signal ${result.signal}` : `code ${result.exitCode}`}` : undefined;
    return { stdout: String(result.stdout), stderrTail, processWallS, timeline, error: stoppedBecause ?? exited };
  };
  return { child, pid, stop, finish };
}

/** The last line a program printed, parsed as JSON: where workloads put their result. */
export function lastJsonLine(stdout: string): unknown {
  return tryParseJson(stdout.trim().split('\n').at(-1) ?? '');
}

/**
 * Runs one batch workload: spawn, sample, wait, and read its one result line. Never throws for
 * the child's failures: they are the record's error.
 */
export async function runBatch(command: BatchCommand): Promise<BatchOutcome> {
  const cpuBefore = readCpuTimes();
  const watched = await spawnWatched(command);
  if ('error' in watched) return { kind: 'batch', ...notRun(watched.error, command.sampleIntervalMs) };
  const { stdout, error, ...finished } = await watched.finish();
  if (error) return { kind: 'batch', ok: false, error, ...finished };
  const measurement = MeasurementSchema.safeParse(lastJsonLine(stdout));
  if (!measurement.success) return { kind: 'batch', ok: false, error: 'printed no valid result line on stdout', ...finished };
  const host = hostDuring(cpuBefore, readCpuTimes(), finished.processWallS, treeCpuS(measurement.data.rusage_total));
  return { kind: 'batch', ok: true, ...finished, measurement: measurement.data, host };
}

/**
 * CPU the rest of the machine used during wallS (the harness included), in % of one core,
 * beyond the accountedS seconds of the measured tree; and the share of CPU time the hypervisor
 * stole: the two reasons a quiet number is not.
 */
export function hostDuring(before: CpuTimes | undefined, after: CpuTimes | undefined, wallS: number, accountedS: number) {
  if (!before || !after || wallS <= 0) return undefined;
  const totalS = after.totalS - before.totalS;
  return {
    othersCpuPct: Math.max(0, (100 * (after.busyS - before.busyS - accountedS)) / wallS),
    stealPct: totalS > 0 ? (100 * (after.stealS - before.stealS)) / totalS : 0,
  };
}

/** The record of a run that never got as far as a process. */
export function notRun(error: string, sampleIntervalMs: number): Omit<BatchOutcome, 'kind'> {
  return { ok: false, error, processWallS: 0, timeline: { summary: summarise([], sampleIntervalMs, 'proc'), samples: [] } };
}
