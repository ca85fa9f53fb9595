import { defineWorkload } from '../../bench/define/workload.ts';
import { MAX_BODY_BYTES, MAX_DELAY_MS } from '../../bench/execute/fixtures/http-delay-limits.ts';

export default defineWorkload({
  name: 'fetch',
  title: 'IO-bound fetch',
  shows:
    "The lecture's urlopen, K requests to a local server that waits L ms before answering: threads overlap the waiting despite the GIL, asyncio does the same in one thread, and CPU stays low while wall time falls.",
  program: 'fetch.py',
  modes: ['serial', 'threads', 'processes', 'async', 'async-executor'],
  params: {
    requests: {
      description: 'requests per run (K)',
      values: { quick: 16, default: 64, full: 256 },
      min: 1,
      max: 100_000,
      integer: true,
    },
    delay_ms: {
      description: 'how long the server waits before answering (L)',
      values: { quick: 20, default: 25, full: 50 },
      min: 0,
      max: MAX_DELAY_MS,
      integer: true,
    },
    body_bytes: {
      description: 'response body size (B)',
      values: { quick: 1024, default: 1024, full: 1024 },
      min: 0,
      max: MAX_BODY_BYTES,
      integer: true,
    },
    timeout_s: {
      description: 'a request that takes longer fails the run',
      values: { quick: 10, default: 10, full: 10 },
      min: 0.001,
      max: 3600,
      integer: false,
    },
  },
  workers: { quick: [1, 8], default: [1, 4, 8, 16, 64], full: [1, 2, 4, 8, 16, 32, 64, 128] },
  // Five: the fewest the report does not flag (with three, the interval of a median covers 75%).
  repeats: { quick: 2, default: 5, full: 5 },
  // No warm-up round by default: the suite's earlier cells have warmed Python and the page cache.
  // Time goes as K / W x L: L = 25 ms by default (50 in full) keeps npm run bench:gil near 3 minutes.
  warmup: { quick: 0, default: 0, full: 1 },
  timeoutS: { quick: 60, default: 120, full: 300 },
  charts: ['wall-vs-workers', 'throughput-vs-workers', 'latency-bars', 'cpu-timeline'],
  taskNoun: 'requests',
  fixture: 'http-delay',
  ignoresWorkers: ['serial'],
  ideal: {
    description: '⌈K / W⌉ × L: every request waits L ms, W at a time, and nothing else costs time',
    wallS: (params, workers) => (Math.ceil(params.requests! / workers) * params.delay_ms!) / 1000,
  },
});
