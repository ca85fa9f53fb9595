/**
 * What a server workload asks of the load generator: the definition execute/loadgen carries out.
 * A leaf of define, so that a workload descriptor names its load without importing the generator.
 */

/** What one connection sends and how it knows the whole answer arrived intact. */
export type ProtocolSpec = { kind: 'echo'; messageBytes: number } | { kind: 'http'; path: string; bodyBytes: number };

/** closed: one message in flight per connection; open: a fixed rate (wrk2); idle: connections only held open. */
export type Pattern = 'closed' | 'open' | 'idle';

/** What the load generator does to a server: everything but where the server listens. */
export interface ServerLoad {
  protocol: ProtocolSpec;
  pattern: Pattern;
  connections: number;
  /** open loop: the total rate, messages per second */
  ratePerS: number;
  warmupS: number;
  durationS: number;
  timeoutMs: number;
  /** 'auto': one thread, and two when the first is busy through the warm-up */
  threads: number | 'auto';
  /** 'auto' (the default): native where it covers the load and could be built */
  engine?: 'auto' | 'native' | 'node';
}

/** A generator thread busier than this (share of the window) was the limit, not the server. */
export const BUSY_THREAD = 0.9;

/** How long the priming connection exchanges messages before a server's measured connections open. */
export const PRIME_S = 0.02;
