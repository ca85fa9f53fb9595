/**
 * What one run's record holds: the timeline the sampler fills, the load generator's result, and
 * the run itself, batch or server. The execute stage fills these; every later stage reads them.
 */
import { z } from 'zod';
import { PRIMARY, type RunMetricId, speedRatio } from '../core/metrics.ts';
import { DoneLineSchema, type Measurement, MeasurementSchema } from './contract.ts';

export const ProcessSampleSchema = z.object({
  pid: z.number(),
  ppid: z.number(),
  command: z.string(),
  state: z.string(),
  /** 100% = one core, as top shows it */
  cpuPct: z.number(),
  rssKiB: z.number(),
  threads: z.number(),
  /**
   * per-thread [tid, CPU seconds so far, last CPU it ran on, state] from /proc/PID/task/TID/stat;
   * empty beyond MANY_THREADS. State R is running or runnable: a thread waiting for a GIL sleeps (S).
   * Files written before the state was kept have three fields.
   */
  threadCpu: z.array(z.tuple([z.number(), z.number(), z.number()], z.string())),
});
export type ProcessSample = z.infer<typeof ProcessSampleSchema>;

export const SampleSchema = z.object({
  /** seconds since the run was spawned */
  t: z.number(),
  processes: z.array(ProcessSampleSchema),
  totalCpuPct: z.number(),
  totalRssKiB: z.number(),
});
export type Sample = z.infer<typeof SampleSchema>;

export const SamplerSummarySchema = z.object({
  source: z.enum(['proc', 'pidusage']),
  intervalMs: z.number(),
  samples: z.number(),
  meanCpuPct: z.number(),
  peakCpuPct: z.number(),
  peakRssKiB: z.number(),
  maxPids: z.number(),
  maxThreads: z.number(),
});
export type SamplerSummary = z.infer<typeof SamplerSummarySchema>;

export const TimelineSchema = z.object({ summary: SamplerSummarySchema, samples: z.array(SampleSchema) });
export type Timeline = z.infer<typeof TimelineSchema>;

export const ERROR_KINDS = ['connect', 'reset', 'timeout', 'short', 'corrupt'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const PlacementSchema = z.object({
  pinned: z.boolean(),
  /** CPU lists in taskset's form, e.g. "0-2"; the same list when not pinned: they shared it */
  server: z.string(),
  generator: z.string(),
  /** why not pinned */
  why: z.string().optional(),
});
export type Placement = z.infer<typeof PlacementSchema>;

/** Percentiles of a latency distribution: milliseconds in a load result, nanoseconds from the C client. */
export const LatencySchema = z.object({
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  mean: z.number(),
});
export type Latency = z.infer<typeof LatencySchema>;

export const LoadResultSchema = z.object({
  protocol: z.string(),
  pattern: z.enum(['closed', 'open', 'idle']),
  /** which engine measured: native (C) or Node.js; files from before the native engine say node */
  engine: z.enum(['native', 'node']).default('node'),
  /** why the Node.js engine measured a load the native one could have (no compiler, …) */
  engineNote: z.string().optional(),
  connections: z.number(),
  threads: z.number(),
  /** open loop only */
  targetRatePerS: z.number().optional(),
  windowS: z.number(),
  completed: z.number(),
  perS: z.number(),
  /** answers in each whole second of the window */
  perSecond: z.array(z.number()),
  /** ms; open loop: from when each message was due, so a stalled server cannot hide (wrk2) */
  latencyMs: LatencySchema.optional(),
  /** ms from when each message was actually sent; differs from latencyMs in the open loop only */
  serviceMs: LatencySchema.optional(),
  errors: z.record(z.enum(ERROR_KINDS), z.number()),
  openAtEnd: z.number(),
  generator: z.object({
    /** CPU of the whole generator process in the window, % of one core */
    cpuPct: z.number(),
    /** Node.js: the busiest thread's event-loop utilisation; native: its CPU share of one core. Near 1, the generator was the limit */
    busiestThread: z.number(),
    rssKiB: z.number(),
    /** answers/s the generator would reach if busy all the window: perS / busiestThread */
    ceilingPerS: z.number().optional(),
  }),
  /** where the server and the generator ran: own CPUs, or shared */
  placement: PlacementSchema.optional(),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

/** What every run record holds, whatever its kind. */
const RunBase = {
  cellId: z.string(),
  round: z.number().int().nonnegative(),
  warmup: z.boolean(),
  ok: z.boolean(),
  /** why the run failed: exit code, timeout, unparseable output */
  error: z.string().optional(),
  stderrTail: z.string().optional(),
  /** from spawn to exit, as measured by the harness (what hyperfine would see) */
  processWallS: z.number(),
  /** what else the machine did during the run: CPU used outside the measured tree, and steal */
  host: z.object({ othersCpuPct: z.number(), stealPct: z.number() }).optional(),
  /** what the run's fixture measured itself, e.g. the delay server's own added latency */
  fixtureFacts: z.record(z.string(), z.number()).optional(),
  /** why the run was set aside and made again (--busy retry): it is kept, but not counted */
  setAside: z.string().optional(),
  timeline: TimelineSchema,
};

/** A program that does its work and exits: W tasks, timed by the program itself. */
export const BatchRunSchema = z.object({
  ...RunBase,
  kind: z.literal('batch'),
  measurement: MeasurementSchema.optional(),
});

/** A server driven by the load generator for a fixed window: answers, latency and errors, not wall time. */
export const ServerRunSchema = z.object({
  ...RunBase,
  kind: z.literal('server'),
  /** what the load generator measured */
  load: LoadResultSchema.optional(),
  /** what the server's tree did in the window (/proc), and what it said when it stopped */
  server: z
    .object({
      windowCpu: z.object({ userS: z.number(), sysS: z.number() }),
      atWindowEnd: z.object({ rssKiB: z.number(), pids: z.number(), threads: z.number() }),
      done: DoneLineSchema,
    })
    .optional(),
});

export const RunRecordSchema = z.discriminatedUnion('kind', [BatchRunSchema, ServerRunSchema]);
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type BatchRun = z.infer<typeof BatchRunSchema>;
export type ServerRun = z.infer<typeof ServerRunSchema>;

/** A run whose numbers count: measured (not a warm-up), not set aside for a busy machine, and it succeeded. */
export function counted(run: RunRecord): boolean {
  return run.ok && !run.warmup && !run.setAside;
}

/** A successful batch run's measurement, for the figures and checks that read a batch program's own numbers. */
export function measurementOf(run: RunRecord): Measurement {
  if (run.kind !== 'batch' || !run.measurement) throw new Error(`a run of ${run.cellId} has no batch measurement`);
  return run.measurement;
}

/** User + system CPU seconds of a process and its reaped children. */
export function treeCpuS({ self, children }: Measurement['rusage']): number {
  return self.user_s + self.sys_s + children.user_s + children.sys_s;
}

/** One run's value of a metric; undefined when the run failed or its kind does not have it. */
export function runValue(run: RunRecord, metric: RunMetricId): number | undefined {
  if (!run.ok) return undefined;
  if (run.kind === 'batch') {
    const m = run.measurement;
    if (!m) return undefined;
    if (metric === 'wall') return m.wall_s;
    if (metric === 'throughput') return m.tasks.length / m.wall_s;
    if (metric === 'cpu') return treeCpuS(m.rusage) / m.wall_s;
    return undefined;
  }
  const { load, server } = run;
  if (!load || !server) return undefined;
  if (metric === 'throughput') return load.perS;
  if (metric === 'p99') return load.latencyMs?.p99;
  if (metric === 'cpu') return (server.windowCpu.userS + server.windowCpu.sysS) / load.windowS;
  return undefined;
}

/** A run's speedup over serial's run of the same round: the kind's primary metric, as a ratio above 1 when faster. */
export function speedupOf(run: RunRecord, serial: RunRecord): number | undefined {
  const primary = PRIMARY[run.kind];
  const [value, reference] = [runValue(run, primary), runValue(serial, primary)];
  return value === undefined || reference === undefined ? undefined : speedRatio(primary, value, reference);
}
