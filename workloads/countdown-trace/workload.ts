import { defineWorkload } from '../../bench/define/workload.ts';

export default defineWorkload({
  name: 'countdown-trace',
  title: 'Who holds the GIL: the countdown with a clock',
  shows:
    "The lecture's count(n) in chunks of K iterations, each thread noting the time after every chunk: threads under one GIL take turns, one switch interval (5 ms) at a time; processes progress side by side.",
  program: 'trace.py',
  modes: ['serial', 'threads', 'processes'],
  python: { min: '2.7' },
  size: 'n',
  params: {
    n: {
      description: 'loop iterations per task',
      values: { quick: 4_000_000, default: 20_000_000, full: 100_000_000 },
      min: 1,
      max: 1e11,
      integer: true,
    },
    every: {
      description: 'iterations per chunk: one timestamp per chunk (K)',
      values: { quick: 5_000, default: 5_000, full: 5_000 },
      min: 1,
      max: 1e11,
      integer: true,
    },
  },
  workers: { quick: [2], default: [2], full: [2] },
  repeats: { quick: 1, default: 3, full: 5 },
  warmup: { quick: 0, default: 1, full: 1 },
  timeoutS: { quick: 60, default: 120, full: 900 },
  charts: ['wall-bars', 'cpu-timeline'],
});
