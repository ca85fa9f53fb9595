import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fail } from '../core/errors.ts';
import { METRIC_IDS, RUN_KINDS } from '../core/metrics.ts';
import { SizeSchema } from '../define/plan.ts';
import { writeAtomic } from './results.ts';
import { type FormatVersion, type Json, upgradeThrough } from './schema-history.ts';

/**
 * The history store: what each results file measured, filed under the commit it measured, so that
 * a cell's metric can be followed from commit to commit (analyse/history/). Plain files in a
 * folder that may live on a git branch of its own or in a CI artifact:
 *
 *   STORE/runs/<commit>/<run>.json              one entry per results file (docs/schemas/history-entry-v1.schema.json)
 *   STORE/confirmations/<from>..<to>.json       one interleaved A/B of two commits (history-confirmation-v1.schema.json)
 *
 * One file per commit and run, never a file many jobs append to: two jobs that each record a
 * commit write different files, so git merges their branches without a conflict, and adding the
 * same results file again rewrites its own file. Each file names its format and version; an older
 * version is brought up to date on reading (HISTORY_FORMAT), a newer one is refused.
 */

export const ENTRY_SCHEMA = 'gilbench/history-entry';
export const CONFIRMATION_SCHEMA = 'gilbench/history-confirmation';

const HISTORY_FORMAT: FormatVersion[] = [
  {
    version: 1,
    changes:
      'The first format: an entry per commit and results file (the commit, its date, the machine, each cell with every ' +
      "measured run of its headline metrics), a confirmation per A/B of two commits (each cell's comparison).",
  },
];
export const HISTORY_VERSION = HISTORY_FORMAT.at(-1)!.version;

/** A commit as the store names it: a SHA, or any id without a path in it (c1, v1.2). */
const CommitSchema = z
  .string()
  .regex(/^[0-9A-Za-z][0-9A-Za-z_.-]*$/)
  .refine((id) => !id.includes('..'), 'a commit id holds no ".."');

/** The machine a series belongs to: absolute times are compared within one of these only. */
const MachineIdentitySchema = z.strictObject({
  /** --runner, $GILBENCH_RUNNER, or the host's name */
  runner: z.string(),
  cpuModel: z.string(),
  logicalCores: z.number(),
  kernel: z.string(),
});
export type MachineIdentity = z.infer<typeof MachineIdentitySchema>;

const HistoryCellSchema = z.strictObject({
  /** the cell's id in its results file (define/plan.ts cellId) */
  id: z.string(),
  workload: z.string(),
  mode: z.string(),
  workers: z.number(),
  interpreter: z.string(),
  sweep: z.record(z.string(), z.number()),
  kind: z.enum(RUN_KINDS),
  /** the size its task ran at, when its workload is sized: two calibrated sizes measure different work */
  size: SizeSchema.pick({ param: true, value: true, how: true }).strict().optional(),
  /** every measured run's value of each of the cell's headline metrics, in the order run; above 0 (change points are found on their logs) */
  runs: z.partialRecord(z.enum(METRIC_IDS), z.array(z.number().positive())),
});
export type HistoryCell = z.infer<typeof HistoryCellSchema>;

const EntrySchema = z.strictObject({
  schema: z.literal(ENTRY_SCHEMA),
  version: z.literal(HISTORY_VERSION),
  commit: CommitSchema,
  /** the results file's runId: with the commit, what the entry is keyed by */
  run: z.string().min(1),
  /** the commit's date (ISO 8601): orders the commits the repository does not know */
  date: z.string(),
  branch: z.string().optional(),
  /** when the results file's run started */
  measuredAt: z.string(),
  machine: MachineIdentitySchema,
  /** the run's command line: what a confirmation measures again */
  command: z.array(z.string()),
  cells: z.array(HistoryCellSchema),
});
export type Entry = z.infer<typeof EntrySchema>;

const ConfirmationSchema = z.strictObject({
  schema: z.literal(CONFIRMATION_SCHEMA),
  version: z.literal(HISTORY_VERSION),
  /** the commit before the change and the commit after it, measured side by side in one run */
  from: CommitSchema,
  to: CommitSchema,
  measuredAt: z.string(),
  machine: MachineIdentitySchema,
  /** the A/B results file's runId */
  run: z.string(),
  /** what told the two sides apart: labelled workloads (two checkouts) or labelled interpreters (cell keys then hold no interpreter) */
  across: z.enum(['label', 'interpreter']),
  /** gilbench compare's judgement of each cell and metric, to over from (null where a side had no runs) */
  cells: z.array(
    z.strictObject({
      key: z.string(),
      metric: z.enum(METRIC_IDS),
      ratio: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
      p: z.number().nullable(),
      verdict: z.string(),
    }),
  ),
});
export type Confirmation = z.infer<typeof ConfirmationSchema>;

export interface Store {
  entries: Entry[];
  confirmations: Confirmation[];
}

/** "ci-2core (AMD EPYC 7763, 2 cores, kernel 6.5.0)": the machine a series was measured on. */
export function machineLabel(machine: MachineIdentity): string {
  return `${machine.runner} (${machine.cpuModel}, ${machine.logicalCores} cores, kernel ${machine.kernel})`;
}

/** Every entry and confirmation of a store; one sentence (exit 2) for a store that is not there or a file that is damaged. */
export function readStore(dir: string): Store {
  if (!existsSync(dir))
    fail(`There is no history store at "${dir}"; "gilbench history add RESULTS --store ${dir}" makes one.`);
  const runs = join(dir, 'runs');
  // a commit is a folder of runs/; a file beside them (a README, a stray copy) is not read, as jsonFiles reads only .json files
  const commits = existsSync(runs)
    ? readdirSync(runs, { withFileTypes: true }).filter((entry) => entry.isDirectory())
    : [];
  const entries = commits.flatMap((commit) =>
    jsonFiles(join(runs, commit.name)).map((file) => readStoreFile(file, ENTRY_SCHEMA, EntrySchema)),
  );
  const confirmations = jsonFiles(join(dir, 'confirmations')).map((file) =>
    readStoreFile(file, CONFIRMATION_SCHEMA, ConfirmationSchema),
  );
  return { entries, confirmations };
}

function jsonFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(dir, name))
    : [];
}

function readStoreFile<T>(file: string, schema: string, shape: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail(`"${file}" is not valid JSON: the history store is damaged (a merge conflict left in it?).`);
  }
  const header = z.object({ schema: z.string(), version: z.number() }).safeParse(json);
  if (!header.success || header.data.schema !== schema) fail(`"${file}" is not a ${schema} file.`);
  const { version } = header.data;
  if (!(Number.isInteger(version) && version >= 1 && version <= HISTORY_VERSION)) {
    fail(
      `"${file}" has history format version ${version}; this gilbench reads versions 1 to ${HISTORY_VERSION} (a newer gilbench wrote it?).`,
    );
  }
  const parsed = shape.safeParse(upgradeThrough(HISTORY_FORMAT, json as Json, version));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(
      `"${file}" is damaged or from a newer gilbench: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return parsed.data;
}

/** Where an entry lives: its commit's folder, a file per results file. */
function entryPath(dir: string, entry: Pick<Entry, 'commit' | 'run'>): string {
  return join(dir, 'runs', entry.commit, `${entry.run.replace(/[^\w.-]/g, '_')}.json`);
}

function confirmationPath(dir: string, confirmation: Pick<Confirmation, 'from' | 'to'>): string {
  return join(dir, 'confirmations', `${confirmation.from}..${confirmation.to}.json`);
}

/** Writes an entry (atomically), replacing the one of the same commit and run; says whether it replaced one. */
export function writeEntry(dir: string, entry: Entry): { path: string; replaced: boolean } {
  const path = entryPath(dir, valid(EntrySchema, entry));
  const replaced = existsSync(path);
  writeAtomic(path, storeText(entry));
  return { path, replaced };
}

export function writeConfirmation(dir: string, confirmation: Confirmation): string {
  const path = confirmationPath(dir, valid(ConfirmationSchema, confirmation));
  writeAtomic(path, storeText(confirmation));
  return path;
}

/** What is written is what will be read: a commit id that cannot be a file name (or anything else wrong) is one sentence. */
function valid<T>(shape: z.ZodType<T>, value: T): T {
  const parsed = shape.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  fail(
    `Cannot record ${issue?.path.join('.') || 'it'} = ${JSON.stringify(issue?.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], value))}: ${issue?.message ?? 'invalid'}.`,
  );
}

/** JSON with each cell on a line of its own: a cell measured again is a one-line diff, and a file stays short. */
function storeText({ cells, ...rest }: { cells: unknown[] }): string {
  const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
  return `${head},\n  "cells": [\n${cells.map((cell) => `    ${JSON.stringify(cell)}`).join(',\n')}\n  ]\n}\n`;
}

/** The store's formats as JSON Schemas generated from the schemas that read them (npm run schemas → docs/schemas/). */
export function historyDocuments(): Record<string, string> {
  const document = (title: string, schema: z.ZodType) =>
    `${JSON.stringify({ title, ...z.toJSONSchema(schema, { io: 'input' }) }, null, 2)}\n`;
  return {
    [`history-entry-v${HISTORY_VERSION}.schema.json`]: document(
      'gilbench history store: one results file under its commit',
      EntrySchema,
    ),
    [`history-confirmation-v${HISTORY_VERSION}.schema.json`]: document(
      'gilbench history store: an interleaved A/B of two commits',
      ConfirmationSchema,
    ),
  };
}
