/**
 * The load generator: the closed-loop echo on one thread goes to the native engine (native.ts)
 * when it can be built; everything else, and that too without a compiler, to the Node.js engine,
 * which spreads C connections over worker threads (thread.ts), warms up, measures for a fixed
 * window, and merges what the threads counted.
 */
import { availableParallelism } from 'node:os';
import { createHistogram, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../core/modules.ts';
import { BUSY_THREAD, PRIME_S } from '../../define/load.ts';
import { ERROR_KINDS, type Latency, type LoadResult } from '../../store/records.ts';
import { Mailbox } from './mailbox.ts';
import { ceilingOf, engineFor, nativeLoad } from './native.ts';
import { pinThisProcess } from './placement.ts';
import type { LoadSpec, WindowHooks } from './spec.ts';
import type { FromThread, ThreadSpec, ToThread } from './thread.ts';

/**
 * One connection that exchanges messages for a moment and closes, before a measurement opens its
 * own. A server that has never seen a connection close can be in a state no long-running server
 * is in: measured here, a fresh CPython asyncio echo server made an mmap, an mremap and a munmap
 * per read (strace) and answered at under half the rate it reached once any connection had closed.
 */
export async function primeServer(spec: LoadSpec): Promise<void> {
  await generateLoad({
    ...spec,
    pattern: 'closed',
    connections: 1,
    ratePerS: 0,
    warmupS: 0,
    durationS: PRIME_S,
    threads: 1,
  });
}

export async function generateLoad(spec: LoadSpec, hooks: WindowHooks = {}): Promise<LoadResult> {
  const choice = await engineFor(spec);
  if (choice.engine === 'native') return nativeLoad(spec, choice.binary, hooks);
  const unpin = spec.cpus ? pinThisProcess(spec.cpus) : undefined;
  try {
    const result = await nodeLoad(spec, hooks);
    return { ...result, engineNote: choice.why === 'asked for' ? undefined : choice.why };
  } finally {
    unpin?.();
  }
}

async function nodeLoad(spec: LoadSpec, hooks: WindowHooks): Promise<LoadResult> {
  let threads = Math.max(1, Math.min(spec.connections, spec.threads === 'auto' ? 1 : spec.threads));
  for (;;) {
    const group = await startThreads(spec, threads);
    try {
      const warmupElu = eluMarks(group);
      await sleep(spec.warmupS * 1000, undefined, { signal: spec.signal });
      if (
        spec.threads === 'auto' &&
        threads === 1 &&
        busiestSince(group, warmupElu) >= BUSY_THREAD &&
        availableParallelism() > 1 &&
        spec.connections > 1
      ) {
        threads = 2;
        continue;
      }
      const result = await measure(spec, group, hooks);
      await hooks.beforeClose?.();
      return result;
    } finally {
      await Promise.all(group.map((t) => t.worker.terminate()));
    }
  }
}

interface GeneratorThread {
  worker: Worker;
  inbox: Mailbox<FromThread, 'type'>;
}

function eluMarks(group: GeneratorThread[]): EventLoopUtilization[] {
  return group.map((t) => t.worker.performance.eventLoopUtilization());
}

/** The busiest thread's event-loop utilisation since the marks: near 1, it was the limit. */
function busiestSince(group: GeneratorThread[], marks: EventLoopUtilization[]): number {
  return Math.max(...group.map((t, i) => t.worker.performance.eventLoopUtilization(marks[i]).utilization));
}

async function startThreads(spec: LoadSpec, threads: number): Promise<GeneratorThread[]> {
  const group = Array.from({ length: threads }, (_, i) => {
    const share = Math.floor(spec.connections / threads) + (i < spec.connections % threads ? 1 : 0);
    const threadSpec: ThreadSpec = {
      ...withoutLoadOptions(spec),
      connections: share,
      ratePerS: (spec.ratePerS * share) / spec.connections,
    };
    const worker = startModuleWorker(import.meta.url, './thread', { spec: threadSpec });
    return { worker, inbox: inboxOf(worker, spec.signal) };
  });
  try {
    for (const thread of group) await thread.inbox.expect('ready');
  } catch (error) {
    await Promise.all(group.map((t) => t.worker.terminate()));
    throw error;
  }
  return group;
}

function withoutLoadOptions(spec: LoadSpec): Omit<ThreadSpec, 'connections' | 'ratePerS'> {
  return { port: spec.port, protocol: spec.protocol, pattern: spec.pattern, timeoutMs: spec.timeoutMs };
}

async function measure(spec: LoadSpec, group: GeneratorThread[], hooks: WindowHooks): Promise<LoadResult> {
  const tell = (message: ToThread) => {
    for (const t of group) t.worker.postMessage(message);
  };
  hooks.started?.();
  const cpuAtStart = process.cpuUsage();
  const eluAtStart = eluMarks(group);
  const started = performance.now();
  tell({ type: 'measure' });
  await sleep(spec.durationS * 1000, undefined, { signal: spec.signal });
  hooks.ending?.();
  const cpu = process.cpuUsage(cpuAtStart);
  const busiestThread = busiestSince(group, eluAtStart);
  const rssKiB = Math.round(process.memoryUsage.rss() / 1024);
  const windowS = (performance.now() - started) / 1000;
  tell({ type: 'stop' });
  const results = [];
  for (const thread of group) results.push(await thread.inbox.expect('result'));
  return merge(spec, results, { cpuPct: (100 * (cpu.user + cpu.system)) / 1e6 / windowS, busiestThread, rssKiB });
}

function merge(
  spec: LoadSpec,
  results: Extract<FromThread, { type: 'result' }>[],
  generator: LoadResult['generator'],
): LoadResult {
  const response = createHistogram();
  const service = createHistogram();
  const perSecond: number[] = [];
  const errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as LoadResult['errors'];
  for (const result of results) {
    response.add(result.response);
    service.add(result.service);
    const wholeSeconds = Math.floor(result.windowMs / 1000);
    for (const [second, count] of result.perSecond.slice(0, wholeSeconds).entries())
      perSecond[second] = (perSecond[second] ?? 0) + count;
    for (const kind of ERROR_KINDS) errors[kind] += result.errors[kind];
  }
  const windowS = results.reduce((sum, r) => sum + r.windowMs, 0) / results.length / 1000;
  const perS = results.reduce((sum, r) => sum + (r.windowMs > 0 ? (1000 * r.completed) / r.windowMs : 0), 0);
  return {
    protocol: spec.protocol.kind,
    pattern: spec.pattern,
    engine: 'node',
    connections: spec.connections,
    threads: results.length,
    targetRatePerS: spec.pattern === 'open' ? spec.ratePerS : undefined,
    windowS,
    completed: results.reduce((sum, r) => sum + r.completed, 0),
    perS,
    perSecond: Array.from(perSecond, (count) => count ?? 0),
    latencyMs: latencyOf(response),
    serviceMs: spec.pattern === 'open' ? latencyOf(service) : undefined,
    errors,
    openAtEnd: results.reduce((sum, r) => sum + r.openAtEnd, 0),
    generator: {
      ...generator,
      ceilingPerS: spec.pattern === 'closed' ? ceilingOf(perS, generator.busiestThread) : undefined,
    },
  };
}

function latencyOf(histogram: RecordableHistogram): Latency | undefined {
  if (histogram.count === 0) return undefined;
  const ms = (ns: number) => ns / 1e6;
  return {
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    p999: ms(histogram.percentile(99.9)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
  };
}

/** A thread's messages in order, listened to from its start; its crash or exit fails what is awaited. */
function inboxOf(worker: Worker, signal?: AbortSignal): Mailbox<FromThread, 'type'> {
  const mailbox = new Mailbox<FromThread, 'type'>('the load generator thread', 'type');
  worker.on('message', (message: FromThread) => mailbox.put(message));
  worker.on('error', (error) => mailbox.fail(new Error(`a load generator thread crashed: ${error.message}`)));
  worker.on('exit', () => mailbox.fail(new Error('a load generator thread stopped early')));
  mailbox.abortOn(signal, new Promise((resolve) => worker.once('exit', resolve)));
  return mailbox;
}
