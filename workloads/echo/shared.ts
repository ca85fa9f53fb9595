import { type Framework, importsFramework } from '../../bench/define/frameworks.ts';
import type { Interpreter } from '../../bench/define/interpreters.ts';
import type { Pattern } from '../../bench/define/load.ts';
import type { ParamSpec, PerProfile, ServerSpec } from '../../bench/define/workload.ts';

/** What the echo workloads (echo, echo-memory, echo-work, echo-convoy, blocked-loop) share: one load, and echo's program. */
export const ECHO_PROGRAM = '../echo/echo.py';

/** The lecture's five servers (5.3.1–5.4.1, 5.4.4). */
export const LECTURE_SERVERS = ['serial', 'threads', 'processes', 'epoll', 'asyncio'];
/** The same echo in one thread, as each framework of 5.4.1 and after writes it (echo/loops.py). */
export const EVENT_LOOPS = [
  'generators',
  'asyncio-protocol',
  'uvloop',
  'uvloop-protocol',
  'gevent',
  'tornado',
  'twisted',
  'trio',
];
/** The modes that need a framework beyond the standard library. */
export const FRAMEWORK_OF: Record<string, Framework> = {
  uvloop: 'uvloop',
  'uvloop-protocol': 'uvloop',
  gevent: 'gevent',
  tornado: 'tornado',
  twisted: 'twisted',
  trio: 'trio',
};

/**
 * The interpreter a mode runs on here, for the tests and bench:loadgen: `python` for a standard-library
 * mode, else the first CPython found that imports the mode's framework (undefined: none does).
 */
export function pythonFor(mode: string, found: Interpreter[], python: string): string | undefined {
  const framework = FRAMEWORK_OF[mode];
  if (!framework) return python;
  return found.find((i) => i.implementation === 'CPython' && importsFramework(i, framework))?.executable;
}

const every = <T>(value: T): PerProfile<T> => ({ quick: value, default: value, full: value });

/** What drives a server: the load generator's parameters. */
export function loadParams(own: {
  connections: PerProfile<number | number[]>;
  duration_s: PerProfile<number>;
  warmup_s?: PerProfile<number>;
  message_bytes?: PerProfile<number | number[]>;
  timeout_ms?: PerProfile<number>;
  rate?: PerProfile<number | number[]>;
}): Record<string, ParamSpec> {
  return {
    connections: {
      description: 'client connections held open at once (C)',
      values: own.connections,
      min: 1,
      max: 100_000,
      integer: true,
    },
    message_bytes: {
      description: 'bytes per message (S)',
      values: own.message_bytes ?? every(64),
      min: 1,
      max: 16 * 1024 * 1024,
      integer: true,
    },
    duration_s: {
      description:
        "the measurement window, after the warm-up (times the workload's window factor for a mode, if it has one)",
      values: own.duration_s,
      min: 0.1,
      max: 86_400,
      integer: false,
    },
    warmup_s: {
      description: 'load before the window opens, not measured',
      values: own.warmup_s ?? { quick: 0.3, default: 0.3, full: 1 },
      min: 0,
      max: 86_400,
      integer: false,
    },
    rate: {
      description:
        'messages per second over all connections: 0 = closed loop, else open loop (latency from when each was due)',
      values: own.rate ?? every(0),
      min: 0,
      max: 10_000_000,
      integer: false,
    },
    timeout_ms: {
      description: 'a message unanswered this long counts as a timeout',
      values: own.timeout_ms ?? every(1000),
      min: 1,
      max: 600_000,
      integer: true,
    },
    generator_threads: {
      description: 'load generator threads: 0 = one, two when one is saturated',
      values: every(1),
      min: 0,
      max: 64,
      integer: true,
    },
  };
}

/** echo.py's parameters beside the load's. */
export function echoParams(
  own: Parameters<typeof loadParams>[0] & {
    work?: PerProfile<number>;
    cpu_threads?: PerProfile<number | number[]>;
    switch_interval?: PerProfile<number | number[]>;
  },
): Record<string, ParamSpec> {
  // In the order cells have always listed them.
  const { connections, message_bytes, ...load } = loadParams(own);
  return {
    connections: connections!,
    message_bytes: message_bytes!,
    work: {
      description: "the lecture's count(N) run by the server per message: 0 = pure IO",
      values: own.work ?? every(0),
      min: 0,
      max: 1e11,
      integer: true,
    },
    cpu_threads: {
      description: 'threads that only count, beside the server in its main process (the convoy effect)',
      values: own.cpu_threads ?? every(0),
      min: 0,
      max: 1000,
      integer: true,
    },
    switch_interval: {
      description: "the server's sys.setswitchinterval, in seconds: 0 = the interpreter's (5 ms)",
      values: own.switch_interval ?? every(0),
      min: 0,
      max: 10,
      integer: false,
    },
    ...load,
  };
}

/**
 * The load for a cell: closed loop, open loop when a rate is given, or idle connections held open.
 * windowFactor stretches the window of the cells whose answers/s vary most from run to run;
 * programParams: the parameters the server program takes (the rest configure the load).
 */
export function echoServer({
  idle = false,
  windowFactor = () => 1,
  programParams = ['work', 'message_bytes', 'cpu_threads', 'switch_interval'],
}: {
  idle?: boolean;
  windowFactor?: (mode: string, params: Record<string, number>) => number;
  programParams?: string[];
} = {}): ServerSpec {
  return {
    programParams,
    load: (p, mode) => ({
      protocol: { kind: 'echo', messageBytes: p.message_bytes! },
      pattern: (idle ? 'idle' : p.rate ? 'open' : 'closed') satisfies Pattern,
      connections: p.connections!,
      ratePerS: p.rate!,
      warmupS: idle ? 0 : p.warmup_s!,
      durationS: p.duration_s! * windowFactor(mode, p),
      timeoutMs: p.timeout_ms!,
      threads: p.generator_threads || 'auto',
    }),
  };
}
