import { defineWorkload } from '../../bench/define/workload.ts';

export default defineWorkload({
  name: 'worker-cost',
  title: 'What a worker costs: threads, processes, tasks',
  shows:
    'Time to start W workers that do nothing, hold them all alive, and join them, and the memory they take meanwhile: a thread costs tens of microseconds and a few KiB, a forked process milliseconds and its private pages, a spawned one a whole new interpreter; an asyncio task microseconds and a few KiB.',
  program: 'worker_cost.py',
  modes: ['threads', 'fork', 'forkserver', 'spawn', 'async'],
  limits: {
    fork: { maxWorkers: 1000, why: 'a process each: 10,000 would take minutes and gigabytes' },
    // Measured on 2 cores: 1,000 forkserver workers took 85 s; each imports the program afresh, as spawn's do.
    forkserver: {
      maxWorkers: 100,
      why: 'each worker imports the program afresh (tens of ms of CPU): 1,000 take over a minute on 2 cores',
    },
    spawn: {
      maxWorkers: 100,
      why: 'each spawned worker starts a new interpreter (tens of ms of CPU): 1,000 take minutes on 2 cores',
    },
  },
  params: {},
  workers: { quick: [1, 10, 100], default: [1, 10, 100, 1000, 10000], full: [1, 10, 100, 1000, 10000] },
  repeats: { quick: 1, default: 1, full: 3 },
  warmup: { quick: 0, default: 0, full: 1 },
  timeoutS: { quick: 60, default: 120, full: 300 },
  charts: ['wall-vs-workers', 'rss-bars'],
});
