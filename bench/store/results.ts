import { mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { syncFolder, writeDurably } from './durable.ts';
import { fail, writing } from '../core/errors.ts';
import { InterpreterSchema } from '../define/interpreters.ts';
import { withJournal } from './journal.ts';
import { LoadResultSchema } from '../execute/loadgen/index.ts';
import { MachineSchema } from '../define/machine.ts';
import { PlanSchema } from '../define/plan.ts';
import { CURRENT_VERSION, upgradeToCurrent } from './schema-history.ts';
import { TimelineSchema } from '../execute/sample.ts';

export const SCHEMA = 'gilbench/results';
export const SCHEMA_VERSION = CURRENT_VERSION;

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

/** A successful batch run's measurement, for the figures and checks that read a batch program's own numbers. */
export function measurementOf(run: RunRecord): Measurement {
  if (run.kind !== 'batch' || !run.measurement) throw new Error(`a run of ${run.cellId} has no batch measurement`);
  return run.measurement;
}

/** User + system CPU seconds of a process and its reaped children. */
export function treeCpuS({ self, children }: Measurement['rusage']): number {
  return self.user_s + self.sys_s + children.user_s + children.sys_s;
}

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

/** The line a server prints when SIGTERM stopped it (workloads/common/gilbench_server.py). */
export const DoneLineSchema = MeasurementSchema.pick({ mode: true, workers: true, params: true, rusage_total: true, pid: true, start_method: true, python: true }).extend({
  /** connections accepted, one count per prefork worker */
  accepted: z.array(z.number()),
});
export type DoneLine = z.infer<typeof DoneLineSchema>;

/** A program that does its work and exits: W tasks, timed by the program itself. */
export const BatchRunSchema = z.object({ ...RunBase, kind: z.literal('batch'), measurement: MeasurementSchema.optional() });

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
export type RunKind = RunRecord['kind'];

/** The same Python loop timed before every round (speed-probe.ts): how steady the machine was. */
const SpeedProbeSchema = z.object({
  /** the interpreter that ran it (its id) */
  interpreter: z.string(),
  /** count(n)'s n */
  n: z.number(),
  /** every timing, in the order taken, seconds */
  seconds: z.array(z.number()),
});
export type SpeedProbe = z.infer<typeof SpeedProbeSchema>;

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
  speedProbe: SpeedProbeSchema.optional(),
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

/** Reads a results file of any version gilbench knows; `onUpgrade` hears when it was an older one. */
export function readResults(path: string, onUpgrade?: (fromVersion: number) => void): Results {
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
  return parseResults(withJournal(path, json), path, onUpgrade);
}

/** Validates a results object of any version gilbench knows, brought to the current one. */
export function parseResults(json: unknown, source: string, onUpgrade?: (fromVersion: number) => void): Results {
  const header = z.object({ schema: z.string(), version: z.number() }).safeParse(json);
  if (!header.success || header.data.schema !== SCHEMA) fail(`"${source}" is not a gilbench results file.`);
  const { version } = header.data;
  if (!(Number.isInteger(version) && version >= 1 && version <= SCHEMA_VERSION)) {
    fail(`"${source}" has results schema version ${version}; this gilbench reads versions 1 to ${SCHEMA_VERSION}.`);
  }
  if (version < SCHEMA_VERSION) onUpgrade?.(version);
  let current: Record<string, unknown>;
  try {
    current = upgradeToCurrent(json as Record<string, unknown>, version);
  } catch {
    fail(`"${source}" is damaged: it does not have the shape of results schema version ${version}.`);
  }
  const parsed = ResultsSchema.safeParse(current);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`"${source}" is damaged: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  const unknown = droppedField(current, parsed.data);
  if (unknown) fail(`"${source}" has a field this gilbench does not know (${unknown}): written by a newer gilbench? It is not read, so that nothing is lost.`);
  checkCells(parsed.data, source);
  return parsed.data;
}

/** The path of the first field of `input` that parsing left out of `output`, if any. */
function droppedField(input: unknown, output: unknown, path = ''): string | undefined {
  if (typeof input !== 'object' || input === null || typeof output !== 'object' || output === null) return undefined;
  for (const [key, value] of Object.entries(input)) {
    const where = path ? `${path}.${key}` : key;
    if (value !== undefined && !(key in output)) return where;
    const deeper = droppedField(value, (output as Record<string, unknown>)[key], where);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Every cell id once, and every run of a cell the plan has. */
function checkCells(results: Results, source: string): void {
  const ids = new Set<string>();
  for (const cell of results.plan.cells) {
    if (ids.has(cell.id)) fail(`"${source}" holds cell "${cell.id}" twice; its runs cannot be told apart.`);
    ids.add(cell.id);
  }
  const stray = results.runs.find((run) => !ids.has(run.cellId));
  if (stray) fail(`"${source}" has runs of cell "${stray.cellId}", which its plan does not hold.`);
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
