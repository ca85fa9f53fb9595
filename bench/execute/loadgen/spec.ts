/** What a load is and what it yields: shared by both engines (index.ts, native.ts). A leaf of the load generator. */
import { z } from 'zod';
import { ERROR_KINDS } from './connection.ts';
import { PlacementSchema } from './placement.ts';
import type { ThreadSpec } from './thread.ts';

export interface LoadSpec extends Omit<ThreadSpec, 'ratePerS'> {
  /** open loop: the total rate, messages per second */
  ratePerS: number;
  warmupS: number;
  durationS: number;
  /** 'auto': one thread, and two when the first is busy through the warm-up */
  threads: number | 'auto';
  /** 'auto' (the default): native where it covers the load and could be built */
  engine?: 'auto' | 'native' | 'node';
  /** the CPUs the generator is pinned to, e.g. "3" (taskset's list form); unpinned without */
  cpus?: string;
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
  /** which engine measured: native (C) or Node.js; files from before the native engine say node */
  engine: z.enum(['native', 'node']).default('node'),
  /** why the Node.js engine measured a load the native one could have (no compiler, …) */
  engineNote: z.string().optional(),
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
    /** Node.js: the busiest thread's event-loop utilisation; native: its CPU share of one core. Near 1, the generator was the limit */
    busiestThread: z.number(),
    rssKiB: z.number(),
    /** answers/s the generator would reach if busy all the window: perS / busiestThread */
    ceilingPerS: z.number().optional(),
  }),
  /** where the server and the generator ran: own CPUs, or shared */
  placement: PlacementSchema.optional(),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

/** A thread whose loop is busier than this through the warm-up makes 'auto' use two. */
export const BUSY_THREAD = 0.9;

/** How long the priming connection exchanges messages. */
export const PRIME_S = 0.02;

/** What the report says of the priming (primeServer). */
export const PRIMED =
  `Every server was primed before its measured connections opened: one connection exchanged messages for ${PRIME_S * 1000} ms and closed ` +
  '(its accept is counted in "accepted per worker"), since a server that has never seen a connection close can run in a state no long-running server is in.';
