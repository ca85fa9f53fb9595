import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Timeline } from '../store/records.ts';
import { RunTree } from './kill.ts';
import { TreeSampler } from './sample.ts';

export interface ChildCommand {
  executable: string;
  args: string[];
  /** added to the harness's own environment, e.g. PYTHON_GIL=0 */
  env?: Record<string, string>;
  timeoutS: number;
  /** 0: no sampling */
  sampleIntervalMs: number;
  /** Aborting stops the run at once (Ctrl+C); the record then says so. */
  signal?: AbortSignal;
}

export type WatchedChild = ChildProcessByStdio<null, Readable, Readable>;

/** A child in a session of its own, its tree sampled while it lives, killed whole when it ends, times out or is aborted. */
export interface Watched {
  child: WatchedChild;
  pid: number;
  /** the child itself has exited (its tree and pipes may live on) */
  exited: Promise<unknown>;
  /** Kills the tree; the first reason given is the run's error. */
  stop(why: string): void;
  /** Waits for the child's exit, then kills what is left of its tree. */
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

const STDERR_TAIL_LINES = 20;
const STDERR_KEPT_CHARS = 64 * 1024;
/**
 * Once the tree is dead its pipes close; a descendant that escaped every search may still hold
 * them: the output is not waited for longer than this.
 */
const PIPES_GRACE_MS = 200;

export async function spawnWatched(command: ChildCommand): Promise<Watched | { error: string; notFound?: boolean }> {
  const started = performance.now();
  const tree = new RunTree();
  // Own session (detached): the terminal's Ctrl+C reaches the harness only, which decides.
  const child = spawn(command.executable, command.args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The mark first, so that /proc/PID/environ shows it however long the rest; and last, so that it wins.
    env: { ...tree.env, ...process.env, ...command.env, ...tree.env },
  });
  const pid = child.pid;
  if (pid === undefined) {
    const [error] = (await once(child, 'error')) as [NodeJS.ErrnoException];
    return { error: `could not start: ${error.message}`, notFound: error.code === 'ENOENT' };
  }
  tree.started(pid);
  const output = collect(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const sampler = new TreeSampler(pid, command.sampleIntervalMs);
  sampler.start();
  let stoppedBecause: string | undefined;
  const stop = (why: string) => {
    stoppedBecause ??= why;
    tree.remember(sampler.lastSeen());
    void tree.kill();
  };
  const timer = setTimeout(() => stop(`timed out after ${command.timeoutS} s`), command.timeoutS * 1000);
  const onAbort = () => stop('interrupted');
  command.signal?.addEventListener('abort', onAbort);
  const finish = async (): Promise<Finished> => {
    const [code, signal] = await exited;
    const processWallS = (performance.now() - started) / 1000;
    clearTimeout(timer);
    command.signal?.removeEventListener('abort', onAbort);
    const timeline = sampler.stop();
    // The run is its child: whatever it left behind, however detached, must not outlive it.
    tree.remember(sampler.lastSeen());
    await tree.kill();
    tree.ended();
    const { stdout, stderr } = await output.drained(PIPES_GRACE_MS);
    const stderrTail = stderr.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n') || undefined;
    const exitedBadly = code !== 0 ? `exited with ${signal ? `signal ${signal}` : `code ${code}`}` : undefined;
    return { stdout, stderrTail, processWallS, timeline, error: stoppedBecause ?? exitedBadly };
  };
  return { child, pid, exited, stop, finish };
}

/** Reads both pipes as they come; drained() waits for their end, but not for ever. */
function collect(child: WatchedChild) {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEPT_CHARS)));
  const closed = once(child, 'close').catch(() => undefined);
  return {
    async drained(graceMs: number) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      return { stdout, stderr };
    },
  };
}
