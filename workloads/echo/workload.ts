import { defineWorkload } from '../../bench/define/workload.ts';
import { ECHO_PROGRAM, EVENT_LOOPS, echoParams, echoServer, FRAMEWORK_OF, LECTURE_SERVERS } from './shared.ts';

export default defineWorkload({
  name: 'echo',
  title: 'TCP echo servers',
  shows:
    "The lecture's five servers under the same load: the iterative server serves one client and starves the rest, thread-per-connection pays for the GIL as connections grow, prefork spreads clients over processes, epoll and asyncio serve them all from one thread. Named with --modes, the same echo on the event loops of 5.4: hand-written generators on epoll, asyncio's Protocol, uvloop, gevent, Tornado, Twisted and trio.",
  program: ECHO_PROGRAM,
  modes: [...LECTURE_SERVERS, ...EVENT_LOOPS],
  // bench:gil and its time stay the lecture's five servers; the event loops run when named.
  defaultModes: LECTURE_SERVERS,
  python: { min: '3.8', frameworks: FRAMEWORK_OF },
  params: echoParams({
    connections: { quick: [1, 10], default: [1, 10, 100], full: [1, 10, 100] },
    message_bytes: { quick: 64, default: 64, full: [64, 1024, 65536] },
    duration_s: { quick: 0.5, default: 0.25, full: 2 },
    // Every connection has had its first answer before the warm-up starts: it need not be long.
    warmup_s: { quick: 0.2, default: 0.2, full: 1 },
    // The serial server's starved clients hold up the start of its cells until they time out.
    timeout_ms: { quick: 500, default: 500, full: 1000 },
  }),
  // W: prefork's worker processes, one per core here; the other servers have no W.
  workers: { quick: [2], default: [2], full: [2] },
  ignoresWorkers: ['serial', 'threads', 'epoll', 'asyncio', ...EVENT_LOOPS],
  // Five runs: the fewest the report does not flag, and a rank test can tell two cells apart.
  repeats: { quick: 1, default: 5, full: 5 },
  warmup: { quick: 0, default: 0, full: 0 },
  timeoutS: { quick: 60, default: 60, full: 120 },
  charts: ['echo-bars', 'echo-latency', 'accepts-per-worker', 'cpu-timeline'],
  taskNoun: 'echoes',
  // Answers/s vary most from run to run at C = 100 and in the threaded server (its threads queue
  // for the GIL): their windows are longer, the others' short, to spend the time where the noise is.
  server: echoServer({ windowFactor: (mode, p) => (p.connections! >= 100 ? 2 : 1) * (mode === 'threads' ? 2 : 1) }),
});
