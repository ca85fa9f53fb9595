import { defineWorkload } from '../../bench/define/workload.ts';
import { ECHO_PROGRAM, echoParams, echoServer, FRAMEWORK_OF } from '../echo/shared.ts';

export default defineWorkload({
  name: 'echo-memory',
  title: 'Memory per connection',
  shows:
    'C idle-but-open connections held against each concurrent server: the slope of server RSS against C is what one connection costs — a thread and its stack, an epoll entry, a coroutine or a generator, a greenlet (gevent), a task (trio), spread over prefork workers.',
  program: ECHO_PROGRAM,
  // The iterative server cannot hold two connections at once. gevent and trio run where installed.
  modes: ['threads', 'processes', 'epoll', 'asyncio', 'generators', 'gevent', 'trio'],
  python: { min: '3.8', frameworks: FRAMEWORK_OF },
  params: echoParams({
    connections: { quick: [100, 1000], default: [100, 1000, 5000, 10000], full: [100, 1000, 5000, 10000] },
    duration_s: { quick: 0.5, default: 0.5, full: 1 },
    // Starting thousands of threads takes seconds: the first echo on each may be slow to come.
    timeout_ms: { quick: 30000, default: 30000, full: 30000 },
  }),
  workers: { quick: [2], default: [2], full: [2] },
  ignoresWorkers: ['threads', 'epoll', 'asyncio', 'generators', 'gevent', 'trio'],
  repeats: { quick: 1, default: 1, full: 3 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 120, full: 120 },
  charts: ['rss-vs-connections'],
  taskNoun: 'echoes',
  server: echoServer({ idle: true }),
});
