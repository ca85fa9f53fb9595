import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { tryParseJson } from '../core/json.ts';
import type { ServerLoad } from '../define/load.ts';
import { DoneSchema, ReadySchema } from '../store/contract.ts';
import type { LoadResult, Placement } from '../store/records.ts';
import { sendSignal } from './kill.ts';
import { generateLoad, primeServer } from './loadgen/index.ts';
import { engineFor } from './loadgen/native.ts';
import { allowedCpus, type Pin, pinnedCommand, placeCpus } from './loadgen/placement.ts';
import { hostDuring, lastJsonLine, notRun, type ServerOutcome } from './outcome.ts';
import { type CpuTimes, readCpuTimes, readTree, type StatLine, treeCpuBetween } from './proc.ts';
import { type ChildCommand, spawnWatched, type Watched } from './spawn.ts';

export interface ServerCommand extends ChildCommand {
  load: ServerLoad;
  /** auto: the server and the generator on disjoint CPUs when there are enough (the default) */
  pin?: Pin;
}

/** Descriptors a connection costs each side, and a margin for the rest of the process. */
const SPARE_FILES = 32;
/** How long a server may take to stop after SIGTERM before its tree is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Runs one server workload: starts the program, waits for its ready line, primes it (one
 * connection opened and closed), drives it with the load generator, reads its tree's CPU and
 * memory at the window's edges, then stops it with SIGTERM and reads its done line. Never throws
 * for the server's failures: they are the record's error.
 */
export async function runServer(command: ServerCommand): Promise<ServerOutcome> {
  const placement = await placementFor(command);
  if ('error' in placement) return { kind: 'server', ...notRun(placement.error, command.sampleIntervalMs) };
  const watched = await spawnWatched(
    placement.pinned ? { ...command, ...pinnedCommand(placement.server, command.executable, command.args) } : command,
  );
  if ('error' in watched) return { kind: 'server', ...notRun(watched.error, command.sampleIntervalMs) };
  const terminate = terminator(watched);
  let load: LoadResult | undefined;
  let start: Edge | undefined;
  let end: Edge | undefined;
  try {
    const ready = await readyLine(watched.child);
    checkReach(command.load.connections, ready.nofile);
    const spec = {
      ...command.load,
      port: ready.port,
      signal: command.signal,
      cpus: placement.pinned ? placement.generator : undefined,
    };
    await primeServer(spec);
    load = await generateLoad(spec, {
      started: () => (start = edge(watched.pid)),
      ending: () => (end = edge(watched.pid)),
      beforeClose: async () => void (await terminate()),
    });
    load.placement = placement;
  } catch (error) {
    watched.stop((error as Error).message);
  }
  await terminate();
  const { stdout, error, ...finished } = await watched.finish();
  if (error) return { kind: 'server', ok: false, error, ...finished, load };
  const done = DoneSchema.safeParse(lastJsonLine(stdout));
  if (!done.success)
    return {
      kind: 'server',
      ok: false,
      error: 'printed no valid done line on stdout after SIGTERM',
      ...finished,
      load,
    };
  if (!load || !start || !end) return { kind: 'server', ok: false, error: 'no load was measured', ...finished };
  const { event: _done, ...said } = done.data;
  const failure = failureOf(load, command.load);
  return { kind: 'server', ok: !failure, error: failure, ...finished, ...windowRecord(load, start, end, said) };
}

/** Where the server and the generator run, or why the pinning asked for cannot be had. */
async function placementFor(command: ServerCommand): Promise<Placement | { error: string }> {
  try {
    // The native engine is one thread; the Node.js engine's main thread and workers get two CPUs.
    const generatorCpus = (await engineFor(command.load)).engine === 'native' ? 1 : 2;
    return placeCpus(command.pin ?? 'auto', allowedCpus(), generatorCpus);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Stops the server: SIGTERM once (a second one would interrupt the server's own shutdown), then its
 * exit, however often asked; the tree is killed if it has not stopped within the grace.
 */
function terminator(watched: Watched): () => Promise<unknown> {
  let stopping: Promise<unknown> | undefined;
  return () => {
    if (!stopping) {
      const grace = setTimeout(
        () => watched.stop(`did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM`),
        STOP_GRACE_MS,
      );
      sendSignal(watched.pid, 'SIGTERM');
      stopping = watched.exited.finally(() => clearTimeout(grace));
    }
    return stopping;
  };
}

/** What the window measured: the server tree's CPU and memory at its edges, and the machine around it. */
function windowRecord(load: LoadResult, start: Edge, end: Edge, done: Omit<z.infer<typeof DoneSchema>, 'event'>) {
  const cpu = treeCpuBetween(start.tree, end.tree);
  // The generator is the harness, but its CPU is part of the experiment, not the machine's noise.
  const generatorCpuS = (load.generator.cpuPct * load.windowS) / 100;
  const host = hostDuring(start.machine, end.machine, load.windowS, cpu.userS + cpu.sysS + generatorCpuS);
  const atWindowEnd = { rssKiB: end.rssKiB, pids: end.pids, threads: end.threads };
  return { host, load, server: { windowCpu: cpu, atWindowEnd, done } };
}

/** What the tree and the machine looked like at one edge of the measurement window. */
interface Edge {
  tree: Map<number, StatLine>;
  rssKiB: number;
  pids: number;
  threads: number;
  machine: CpuTimes | undefined;
}

function edge(root: number): Edge {
  const tree = readTree(root);
  let rssKiB = 0;
  let threads = 0;
  for (const stat of tree.values()) {
    rssKiB += stat.rssKiB;
    threads += stat.threads;
  }
  return { tree, rssKiB, pids: tree.size, threads, machine: readCpuTimes() };
}

/** A corrupted or missing byte fails the run; so does an idle hold that could not hold them all. */
function failureOf(load: LoadResult, spec: ServerLoad): string | undefined {
  const { corrupt, short } = load.errors;
  if (corrupt > 0) return `${corrupt} answers came back corrupted (bytes differing from those sent)`;
  if (short > 0) return `${short} answers came back short: the server closed the connection mid-message`;
  if (spec.pattern === 'idle' && load.openAtEnd < spec.connections) {
    const { connect = 0, reset = 0, timeout = 0 } = load.errors;
    return `only ${load.openAtEnd} of ${spec.connections} connections held open (${connect} failed to connect, ${reset} reset, ${timeout} unanswered)`;
  }
  return undefined;
}

/** Both ends need a descriptor per connection: say so before trying, not with a thousand errors. */
function checkReach(connections: number, serverFiles: number): void {
  const needed = connections + SPARE_FILES;
  for (const [side, limit] of [
    ['the server', serverFiles],
    ['the load generator', ownOpenFileLimit()],
  ] as const) {
    if (needed > limit)
      throw new Error(
        `out of reach: ${connections} connections need ${needed} open files, ${side} may open ${limit} (raise ulimit -n)`,
      );
  }
}

function ownOpenFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return Infinity;
  }
}

const READY_TIMEOUT_MS = 30_000;

/** Reads the server's stdout until its ready line; its exit or silence first is the run's error. */
function readyLine(child: Watched['child']): Promise<z.infer<typeof ReadySchema>> {
  return new Promise((resolve, reject) => {
    let partial = '';
    const timer = setTimeout(
      () => settle(new Error(`said nothing ready within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    const settle = (outcome: Error | z.infer<typeof ReadySchema>) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onData = (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const ready = ReadySchema.safeParse(tryParseJson(line));
        if (ready.success) return settle(ready.data);
      }
    };
    const onExit = () => settle(new Error('exited before it was ready'));
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });
}
