import { mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { syncFolder, writeDurably } from './durable.ts';
import { fail, writing } from './errors.ts';
import { InterpreterSchema } from './interpreters.ts';
import { withJournal } from './journal.ts';
import { LoadResultSchema } from './loadgen/index.ts';
import { MachineSchema } from './machine.ts';
import { PlanSchema } from './plan.ts';
import { TimelineSchema } from './sample.ts';

export const SCHEMA = 'gilbench/results';
export const SCHEMA_VERSION = 1;

const UsageSchema = z.object({
  user_s: z.number(),
  sys_s: z.number(),
  maxrss_kib: z.number(),
  voluntary_switches: z.number(),
  involuntary_switches: z.number(),
});

/** The one JSON line a batch workload prints (workloads/common/gilbench_task.py). */
export const MeasurementSchema = z.object({
  mode: z.string(),
  workers: z.number(),
  params: z.record(z.string(), z.unknown()),
  wall_s: z.number(),
  /** CPU of the measured work alone (start-up excluded) */
  rusage: z.object({ self: UsageSchema, children: UsageSchema }),
  /** CPU since the process started, start-up included */
  rusage_total: z.object({ self: UsageSchema, children: UsageSchema }),
  tasks: z.array(
    z.object({
      /** copy index (W copies) or item index (K items) */
      task: z.number(),
      pid: z.number(),
      tid: z.number(),
      start_s: z.number(),
      end_s: z.number(),
      /** what the task returned, e.g. bytes received */
      result: z.unknown(),
    }),
  ),
  pid: z.number(),
  start_method: z.string().nullable(),
  python: z.record(z.string(), z.unknown()),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

/** User + system CPU seconds of a process and its reaped children. */
export function treeCpuS({ self, children }: Measurement['rusage']): number {
  return self.user_s + self.sys_s + children.user_s + children.sys_s;
}

/** CPU of the measured work / its wall time: 1.0 = one core busy throughout. */
export function cpuUtilisation(measurement: Measurement): number {
  return treeCpuS(measurement.rusage) / measurement.wall_s;
}

export const RunRecordSchema = z.object({
  cellId: z.string(),
  round: z.number().int().nonnegative(),
  warmup: z.boolean(),
  ok: z.boolean(),
  /** why the run failed: exit code, timeout, unparseable output */
  error: z.string().optional(),
  stderrTail: z.string().optional(),
  /** from spawn to exit, as measured by the harness (what hyperfine would see) */
  processWallS: z.number(),
  measurement: MeasurementSchema.optional(),
  /** what else the machine did during the run: CPU used outside the measured tree, and steal */
  host: z.object({ othersCpuPct: z.number(), stealPct: z.number() }).optional(),
  /** what the run's fixture measured itself, e.g. the delay server's own added latency */
  fixtureFacts: z.record(z.string(), z.number()).optional(),
  /** a server workload's run: what the load generator measured */
  load: LoadResultSchema.optional(),
  /** a server workload's run: accepts per prefork worker, and the tree at the window's end */
  server: z
    .object({
      accepted: z.array(z.number()),
      atWindowEnd: z.object({ rssKiB: z.number(), pids: z.number(), threads: z.number() }),
    })
    .optional(),
  timeline: TimelineSchema,
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const RESULT_STATUSES = ['running', 'complete', 'partial'] as const;

export const ResultsSchema = z.object({
  schema: z.literal(SCHEMA),
  version: z.literal(SCHEMA_VERSION),
  runId: z.string(),
  /** running: being written; partial: stopped early (Ctrl+C), what is here is valid. */
  status: z.enum(RESULT_STATUSES),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  command: z.array(z.string()),
  machine: MachineSchema,
  loadBefore: z.array(z.number()),
  loadAfter: z.array(z.number()).optional(),
  interpreters: z.array(InterpreterSchema),
  plan: PlanSchema,
  runs: z.array(RunRecordSchema),
  /** for a merged file: every input run and the machine it ran on */
  sources: z.array(z.object({ runId: z.string(), startedAt: z.string(), machine: MachineSchema })).optional(),
});
export type Results = z.infer<typeof ResultsSchema>;

/**
 * Writes through a synced temporary file and a rename, so a reader (or a crash) never sees half a
 * file; when that fails (disk full) the old file stays, the temporary is removed, and a
 * WriteError says why.
 */
export function writeAtomic(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writing(path, () => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeDurably(temporary, text);
      renameSync(temporary, path);
      syncFolder(dirname(path));
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  });
}

export function writeResults(path: string, results: Results): void {
  writeAtomic(path, JSON.stringify(results));
}

export function readResults(path: string): Results {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail(`Cannot read results file "${path}".`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`"${path}" is not valid JSON; it is not a gilbench results file or it is damaged.`);
  }
  const header = z.object({ schema: z.string(), version: z.number() }).safeParse(json);
  if (!header.success || header.data.schema !== SCHEMA) fail(`"${path}" is not a gilbench results file.`);
  if (header.data.version !== SCHEMA_VERSION) {
    fail(`"${path}" has results schema version ${header.data.version}; this gilbench reads version ${SCHEMA_VERSION}.`);
  }
  const parsed = ResultsSchema.safeParse(withJournal(path, json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`"${path}" is damaged: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/** The run folder reports/latest points at. */
export function latestRunDir(reportsDir: string): string {
  return join(reportsDir, readlinkSync(join(reportsDir, 'latest')));
}

/** Points reports/latest at the newest run (a relative symlink, swapped in atomically). */
export function pointLatest(reportsDir: string, runDir: string): void {
  const link = join(reportsDir, 'latest');
  const temporary = `${link}.${process.pid}.tmp`;
  writing(link, () => {
    try {
      rmSync(temporary, { force: true });
      symlinkSync(basename(runDir), temporary);
      renameSync(temporary, link);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  });
}
