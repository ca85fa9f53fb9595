import { defineWorkload } from '../../bench/define/workload.ts';
import { ECHO_PROGRAM, echoParams, echoServer } from '../echo/shared.ts';

export default defineWorkload({
  name: 'echo-work',
  title: 'CPU-bound echo: threads vs prefork',
  shows:
    "Each message costs the server the lecture's count(N): thread-per-connection stays on one core whatever W, prefork's W processes use them all — requests/s against W and the number of cores.",
  program: ECHO_PROGRAM,
  modes: ['threads', 'processes'],
  params: echoParams({
    connections: { quick: 8, default: 16, full: 16 },
    duration_s: { quick: 1, default: 1.5, full: 3 },
    work: { quick: 20000, default: 20000, full: 20000 },
  }),
  workers: { quick: [1, 2], default: [1, 2, 4], full: [1, 2, 4, 8] },
  ignoresWorkers: ['threads'],
  repeats: { quick: 1, default: 2, full: 5 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 60, full: 120 },
  charts: ['throughput-vs-workers', 'cpu-timeline'],
  taskNoun: 'echoes',
  server: echoServer(),
});
