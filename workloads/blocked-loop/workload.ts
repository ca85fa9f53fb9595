import { defineWorkload } from '../../bench/define/workload.ts';
import { echoServer, loadParams } from '../echo/shared.ts';

export default defineWorkload({
  name: 'blocked-loop',
  title: 'What blocks an event loop',
  shows:
    "One asyncio echo server and one kind of request that blocks for B ms, sleeping or counting, beside C ordinary clients: done in the coroutine it stalls the loop for everyone; run_in_executor moves it to a thread (under the GIL, a counting thread still takes the loop's turns); a process pool moves it out; awaiting asyncio.sleep(0) every millisecond shares the loop; the thread-per-connection server for comparison.",
  program: 'blocked.py',
  modes: ['coroutine', 'executor', 'process-pool', 'cooperative', 'threads'],
  params: {
    ...loadParams({
      // C ordinary clients; the program adds the one that sends the blocking requests.
      connections: { quick: 9, default: 9, full: 9 },
      duration_s: { quick: 0.6, default: 1, full: 3 },
      // An open loop: a message due while the loop is stalled waits, and its latency says so (wrk2);
      // in a closed loop each stall would delay only the C messages in flight.
      rate: { quick: 2000, default: 2000, full: 2000 },
      timeout_ms: { quick: 5000, default: 5000, full: 5000 },
    }),
    block_ms: {
      description: 'how long one blocking request blocks (B), in ms',
      values: { quick: 20, default: 20, full: 20 },
      min: 0,
      max: 60_000,
      integer: false,
    },
    block_cpu: {
      description: 'the blocking work: 0 = time.sleep(B), 1 = counting for about B ms',
      values: { quick: [0, 1], default: [0, 1], full: [0, 1] },
      min: 0,
      max: 1,
      integer: true,
    },
    block_every_ms: {
      description: 'a blocking request every this many ms (sooner the last one took longer)',
      values: { quick: 100, default: 100, full: 100 },
      min: 1,
      max: 60_000,
      integer: false,
    },
  },
  // W: the process pool's workers.
  workers: { quick: [1], default: [1], full: [1] },
  ignoresWorkers: ['coroutine', 'executor', 'cooperative', 'threads'],
  repeats: { quick: 3, default: 5, full: 5 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 60, full: 120 },
  charts: ['echo-bars', 'echo-latency', 'cpu-timeline'],
  taskNoun: 'echoes',
  server: echoServer({ programParams: ['block_ms', 'block_cpu', 'block_every_ms', 'message_bytes'] }),
});
