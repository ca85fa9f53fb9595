import { defineWorkload } from '../../bench/define/workload.ts';

export default defineWorkload({
  name: 'countdown',
  title: 'CPU-bound countdown',
  shows:
    "The lecture's count(n) run W times: threads cannot beat serial under the GIL, processes can use every core, async tasks without an await run one after another, and subinterpreters (3.12+, a GIL each) run side by side in one process.",
  program: 'countdown.py',
  modes: ['serial', 'threads', 'processes', 'async', 'subinterpreters'],
  python: {
    min: '2.7', // the old GIL's figure needs a real measurement
    modes: {
      async: { min: '3.8', why: 'asyncio.run and the asyncio modes of workloads/common' },
      subinterpreters: { min: '3.12', why: 'an interpreter gets a GIL of its own from 3.12 on (PEP 684)' },
    },
  },
  // n is calibrated per interpreter to the profile's time per task (PyPy counts ~40x faster than CPython).
  size: 'n',
  params: {
    n: {
      description: 'loop iterations per task (the lecture used 100,000,000)',
      // Where calibration starts: about the profile's time per task on CPython 3.11 here.
      values: { quick: 4_000_000, default: 12_000_000, full: 100_000_000 },
      min: 0,
      max: 1e11,
      integer: true,
    },
  },
  workers: { quick: [1, 2, 4], default: [1, 2, 4], full: [1, 2, 4, 8] },
  repeats: { quick: 3, default: 5, full: 10 },
  warmup: { quick: 1, default: 1, full: 1 },
  timeoutS: { quick: 60, default: 120, full: 900 },
  charts: ['wall-bars', 'cpu-timeline', 'rss-bars'],
});
