import { defineWorkload } from '../../bench/define/workload.ts';
import { echoParams, echoServer } from '../echo/shared.ts';

/** The Python servers' parameters that this program has no counterpart for. */
const PYTHON_ONLY = ['work', 'cpu_threads', 'switch_interval'];

export default defineWorkload({
  name: 'echo-node',
  title: 'TCP echo servers in Node.js',
  shows:
    "Node.js's answers to the same load, measured by the same generator beside the Python servers (--workloads echo,echo-node): one event loop, and a cluster of W worker processes sharing one listener.",
  program: 'echo.mjs',
  runtime: 'node',
  beside: 'echo',
  modes: ['event-loop', 'cluster'],
  params: Object.fromEntries(
    Object.entries(
      echoParams({
        connections: { quick: [1, 10], default: [1, 10, 100], full: [1, 10, 100] },
        message_bytes: { quick: 64, default: 64, full: [64, 1024, 65536] },
        duration_s: { quick: 0.5, default: 0.25, full: 2 },
        warmup_s: { quick: 0.2, default: 0.2, full: 1 },
      }),
    ).filter(([name]) => !PYTHON_ONLY.includes(name)),
  ),
  // W: the cluster's worker processes, one per core here, as the Python prefork server's.
  workers: { quick: [2], default: [2], full: [2] },
  ignoresWorkers: ['event-loop'],
  repeats: { quick: 1, default: 5, full: 5 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 60, full: 120 },
  charts: ['echo-bars', 'echo-latency', 'accepts-per-worker', 'cpu-timeline'],
  taskNoun: 'echoes',
  server: {
    ...echoServer({ windowFactor: (_mode, p) => (p.connections! >= 100 ? 2 : 1) }),
    programParams: ['message_bytes'],
  },
});
