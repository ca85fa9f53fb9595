import type { ParamSpec, PerProfile, ServerSpec } from '../../bench/define/workload.ts';
import type { Pattern } from '../../bench/define/load.ts';

/** What the echo workloads (echo, echo-memory, echo-work) share: one server program, one load. */
export const ECHO_PROGRAM = '../echo/echo.py';

const every = <T>(value: T): PerProfile<T> => ({ quick: value, default: value, full: value });

export function echoParams(own: {
  connections: PerProfile<number | number[]>;
  duration_s: PerProfile<number>;
  warmup_s?: PerProfile<number>;
  work?: PerProfile<number>;
  message_bytes?: PerProfile<number | number[]>;
  timeout_ms?: PerProfile<number>;
  cpu_threads?: PerProfile<number | number[]>;
  switch_interval?: PerProfile<number | number[]>;
}): Record<string, ParamSpec> {
  return {
    connections: { description: 'client connections held open at once (C)', values: own.connections, min: 1, max: 100_000, integer: true },
    message_bytes: { description: 'bytes per message (S)', values: own.message_bytes ?? every(64), min: 1, max: 16 * 1024 * 1024, integer: true },
    work: { description: "the lecture's count(N) run by the server per message: 0 = pure IO", values: own.work ?? every(0), min: 0, max: 1e11, integer: true },
    cpu_threads: { description: 'threads that only count, beside the server in its main process (the convoy effect)', values: own.cpu_threads ?? every(0), min: 0, max: 1000, integer: true },
    switch_interval: { description: "the server's sys.setswitchinterval, in seconds: 0 = the interpreter's (5 ms)", values: own.switch_interval ?? every(0), min: 0, max: 10, integer: false },
    duration_s: { description: "the measurement window, after the warm-up (times the workload's window factor for a mode, if it has one)", values: own.duration_s, min: 0.1, max: 86_400, integer: false },
    warmup_s: { description: 'load before the window opens, not measured', values: own.warmup_s ?? { quick: 0.3, default: 0.3, full: 1 }, min: 0, max: 86_400, integer: false },
    rate: { description: 'messages per second over all connections: 0 = closed loop, else open loop (latency from when each was due)', values: every(0), min: 0, max: 10_000_000, integer: false },
    timeout_ms: { description: 'a message unanswered this long counts as a timeout', values: own.timeout_ms ?? every(1000), min: 1, max: 600_000, integer: true },
    generator_threads: { description: 'load generator threads: 0 = one, two when one is saturated', values: every(1), min: 0, max: 64, integer: true },
  };
}

/**
 * The load for a cell: closed loop, open loop when a rate is given, or idle connections held open.
 * windowFactor stretches the window of the cells whose answers/s vary most from run to run.
 */
export function echoServer({ idle = false, windowFactor = () => 1 }: { idle?: boolean; windowFactor?: (mode: string, params: Record<string, number>) => number } = {}): ServerSpec {
  return {
    programParams: ['work', 'message_bytes', 'cpu_threads', 'switch_interval'],
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
