import { defineWorkload } from '../../bench/define/workload.ts';
import { ECHO_PROGRAM, echoParams, echoServer } from '../echo/shared.ts';

export default defineWorkload({
  name: 'echo-convoy',
  title: 'The convoy effect: an IO server beside CPU-bound threads',
  shows:
    'The thread-per-connection echo server with 0, 1, 2 or 4 threads counting beside it, at switch intervals from 0.1 s down to 10 µs: every answer needs the GIL back from a counting thread, which holds it for up to one switch interval. Prefork, whose workers are other processes, for contrast.',
  program: ECHO_PROGRAM,
  modes: ['threads', 'processes'],
  params: echoParams({
    connections: { quick: 1, default: 1, full: 1 },
    duration_s: { quick: 0.6, default: 1, full: 2 },
    cpu_threads: { quick: [0, 1], default: [0, 1, 2, 4], full: [0, 1, 2, 4] },
    switch_interval: {
      quick: [0.1, 0.005, 0.0001],
      default: [0.1, 0.01, 0.005, 0.001, 0.0001, 0.00001],
      full: [0.1, 0.01, 0.005, 0.001, 0.0001, 0.00001],
    },
    timeout_ms: { quick: 2000, default: 2000, full: 2000 },
  }),
  workers: { quick: [2], default: [2], full: [2] },
  ignoresWorkers: ['threads'],
  repeats: { quick: 1, default: 1, full: 3 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 60, full: 60 },
  charts: ['echo-bars', 'echo-latency'],
  taskNoun: 'echoes',
  server: echoServer(),
});
