import { readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { fail, writing } from '../core/errors.ts';
import { InterpreterSchema } from '../define/interpreters.ts';
import { MachineSchema } from '../define/machine.ts';
import { PlanSchema } from '../define/plan.ts';
import { checkConsistency } from './consistency.ts';
import { makeFolder, syncFolder, writeDurably } from './durable.ts';
import { withJournal } from './journal.ts';
import { RunRecordSchema } from './records.ts';
import { CURRENT_VERSION, upgradeToCurrent } from './schema-history.ts';

export const SCHEMA = 'gilbench/results';
export const SCHEMA_VERSION = CURRENT_VERSION;

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
      makeFolder(dirname(path));
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
  // zod says "expected object, received undefined" of a field that is not there
  const parsed = ResultsSchema.safeParse(current, {
    error: (issue) => (issue.input === undefined ? 'missing' : undefined),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`"${source}" is damaged: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  const unknown = droppedField(current, parsed.data);
  if (unknown)
    fail(
      `"${source}" has a field this gilbench does not know (${unknown}): written by a newer gilbench? It is not read, so that nothing is lost.`,
    );
  checkConsistency(parsed.data, source);
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
