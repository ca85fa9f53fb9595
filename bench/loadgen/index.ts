/**
 * The load generator: spreads C connections over worker threads (bench/loadgen/thread.ts), warms
 * up, measures for a fixed window, and merges what the threads counted. No external binary.
 */
import { availableParallelism } from 'node:os';
import { createHistogram, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { startModuleWorker } from '../modules.ts';
import { ERROR_KINDS } from './connection.ts';
import type { FromThread, Pattern, ThreadSpec, ToThread } from './thread.ts';

export interface LoadSpec extends Omit<ThreadSpec, 'ratePerS'> {
  /** open loop: the total rate, messages per second */
  ratePerS: number;
  warmupS: number;
  durationS: number;
  /** 'auto': one thread, and two when the first is busy through the warm-up */
  threads: number | 'auto';
  signal?: AbortSignal;
}

/** Called at the edges of the measurement window, e.g. to read the server's CPU and memory. */
export interface WindowHooks {
  started?(): void;
  ending?(): void;
  /**
   * After the window, while every connection is still open: the moment to stop a server. Ten
   * thousand clients leaving at once make a thread-per-connection server's threads wake together
   * and queue for the GIL, and its main thread then takes a minute to get to SIGTERM.
   */
  beforeClose?(): Promise<void>;
}

const LatencySchema = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number(), mean: z.number() });
export type Latency = z.infer<typeof LatencySchema>;

export const LoadResultSchema = z.object({
  protocol: z.string(),
  pattern: z.enum(['closed', 'open', 'idle']),
  connections: z.number(),
  threads: z.number(),
  /** open loop only */
  targetRatePerS: z.number().optional(),
  windowS: z.number(),
  completed: z.number(),
  perS: z.number(),
  /** answers in each whole second of the window */
  perSecond: z.array(z.number()),
  /** ms; open loop: from when each message was due, so a stalled server cannot hide (wrk2) */
  latencyMs: LatencySchema.optional(),
  /** ms from when each message was actually sent; differs from latencyMs in the open loop only */
  serviceMs: LatencySchema.optional(),
  errors: z.record(z.enum(ERROR_KINDS), z.number()),
  openAtEnd: z.number(),
  generator: z.object({
    /** CPU of the whole generator process in the window, % of one core */
    cpuPct: z.number(),
    /** the busiest thread's event-loop utilisation: near 1, the generator was the limit */
    busiestThread: z.number(),
    rssKiB: z.number(),
  }),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

/** A thread whose loop is busier than this through the warm-up makes 'auto' use two. */
export const BUSY_THREAD = 0.9;

export async function generateLoad(spec: LoadSpec, hooks: WindowHooks = {}): Promise<LoadResult> {
  let threads = Math.max(1, Math.min(spec.connections, spec.threads === 'auto' ? 1 : spec.threads));
  for (;;) {
    const group = await startThreads(spec, threads);
    try {
      const warmupElu = eluMarks(group);
      await sleep(spec.warmupS * 1000, undefined, { signal: spec.signal });
      if (spec.threads === 'auto' && threads === 1 && busiestSince(group, warmupElu) >= BUSY_THREAD && availableParallelism() > 1 && spec.connections > 1) {
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
  inbox: Inbox;
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
    const threadSpec: ThreadSpec = { ...withoutLoadOptions(spec), connections: share, ratePerS: (spec.ratePerS * share) / spec.connections };
    const worker = startModuleWorker(import.meta.url, './thread', { spec: threadSpec });
    return { worker, inbox: new Inbox(worker, spec.signal) };
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
  const tell = (message: ToThread) => group.forEach((t) => t.worker.postMessage(message));
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

function merge(spec: LoadSpec, results: Extract<FromThread, { type: 'result' }>[], generator: LoadResult['generator']): LoadResult {
  const response = createHistogram();
  const service = createHistogram();
  const perSecond: number[] = [];
  const errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as LoadResult['errors'];
  for (const result of results) {
    response.add(result.response);
    service.add(result.service);
    const wholeSeconds = Math.floor(result.windowMs / 1000);
    result.perSecond.slice(0, wholeSeconds).forEach((count, second) => (perSecond[second] = (perSecond[second] ?? 0) + count));
    for (const kind of ERROR_KINDS) errors[kind] += result.errors[kind];
  }
  const windowS = results.reduce((sum, r) => sum + r.windowMs, 0) / results.length / 1000;
  return {
    protocol: spec.protocol.kind,
    pattern: spec.pattern,
    connections: spec.connections,
    threads: results.length,
    targetRatePerS: spec.pattern === 'open' ? spec.ratePerS : undefined,
    windowS,
    completed: results.reduce((sum, r) => sum + r.completed, 0),
    perS: results.reduce((sum, r) => sum + (r.windowMs > 0 ? (1000 * r.completed) / r.windowMs : 0), 0),
    perSecond: Array.from(perSecond, (count) => count ?? 0),
    latencyMs: latencyOf(response),
    serviceMs: spec.pattern === 'open' ? latencyOf(service) : undefined,
    errors,
    openAtEnd: results.reduce((sum, r) => sum + r.openAtEnd, 0),
    generator,
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
class Inbox {
  private readonly queue: FromThread[] = [];
  private failure: Error | undefined;
  private wake = () => {};

  constructor(worker: Worker, signal?: AbortSignal) {
    const fail = (error: Error) => ((this.failure ??= error), this.wake());
    worker.on('message', (message: FromThread) => (this.queue.push(message), this.wake()));
    worker.on('error', (error) => fail(new Error(`a load generator thread crashed: ${error.message}`)));
    worker.on('exit', () => fail(new Error('a load generator thread stopped early')));
    const onAbort = () => fail(new Error('interrupted'));
    signal?.addEventListener('abort', onAbort);
    worker.on('exit', () => signal?.removeEventListener('abort', onAbort));
  }

  async expect<T extends FromThread['type']>(type: T): Promise<Extract<FromThread, { type: T }>> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const message = this.queue.shift()!;
    if (message.type !== type) throw new Error(`the load generator thread said ${message.type}, not ${type}`);
    return message as Extract<FromThread, { type: T }>;
  }
}

export type { Pattern };
