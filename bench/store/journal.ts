import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fail, writing } from '../core/errors.ts';
import { syncFolder, writeAll } from './durable.ts';

/**
 * While a suite runs, results.json holds its header with no runs, and each run record is appended
 * to runs.jsonl beside it as one JSON line: a run costs the writing of its own record, not of every
 * record so far. The suite folds the journal into results.json at its end; until then (or when
 * the writer died) a reader takes the runs from the journal.
 */
export const JOURNAL_FILE = 'runs.jsonl';

/** The journal's first line: who writes it, so that a reader can tell an abandoned journal. */
interface Writer {
  writer: { pid: number; host: string };
}

export function journalBeside(resultsPath: string): string {
  return join(dirname(resultsPath), JOURNAL_FILE);
}

export class Journal {
  /** bytes of whole lines written: a write cut short is cut back to this */
  private bytes = 0;
  /** run records appended */
  count = 0;
  readonly path: string;
  private readonly fd: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  /** A new, empty journal (one left by an earlier writer of the folder is replaced). */
  static create(path: string): Journal {
    return writing(path, () => {
      const journal = new Journal(path, openSync(path, 'w'));
      journal.appendLine({ writer: { pid: process.pid, host: hostname() } } satisfies Writer);
      journal.sync();
      return journal;
    });
  }

  /** Appends one run record; a write cut short (disk full) is undone, so every line stays whole. */
  append(record: object): void {
    writing(this.path, () => this.appendLine(record));
    this.count++;
  }

  /** Makes what was appended survive a crash: the file's data, and its entry in the folder. */
  sync(): void {
    writing(this.path, () => {
      fsyncSync(this.fd);
      syncFolder(dirname(this.path));
    });
  }

  /** Closes it, and removes it once results.json holds its runs. */
  close(remove: boolean): void {
    closeSync(this.fd);
    if (remove) rmSync(this.path, { force: true });
  }

  private appendLine(value: unknown): void {
    const line = Buffer.from(`${JSON.stringify(value)}\n`);
    try {
      writeAll(this.fd, line, this.bytes);
    } catch (error) {
      ftruncateSync(this.fd, this.bytes);
      throw error;
    }
    this.bytes += line.length;
  }
}

/**
 * The parsed results.json, with the runs of the journal beside it when it holds none of its own
 * (a suite still running, or one that could not fold its journal in). A last line torn by a crash
 * is left out; a damaged line elsewhere is an error.
 */
export function withJournal(resultsPath: string, json: unknown): unknown {
  const lines = readJournal(resultsPath);
  const hasNoRuns =
    typeof json === 'object' &&
    json !== null &&
    Array.isArray((json as { runs?: unknown }).runs) &&
    (json as { runs: unknown[] }).runs.length === 0;
  return lines && hasNoRuns ? { ...json, runs: lines.slice(1) } : json;
}

/** True when a journal beside results.json was left by a writer that is no longer running here. */
export function abandonedJournal(resultsPath: string): boolean {
  const first = readJournal(resultsPath)?.[0] as Writer | undefined;
  if (!first?.writer) return false;
  if (first.writer.host !== hostname()) return true;
  try {
    process.kill(first.writer.pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Marks results.json partial by rewriting its status in place: "running" and "partial" have the
 * same length, so this needs no free space on a disk too full for a new copy of the file.
 * Returns whether it could.
 */
export function markPartialInPlace(resultsPath: string): boolean {
  try {
    const at = readFileSync(resultsPath).indexOf('"status":"running"');
    if (at < 0) return false;
    const fd = openSync(resultsPath, 'r+');
    try {
      writeAll(fd, Buffer.from('"status":"partial"'), at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

export function removeJournal(resultsPath: string): void {
  rmSync(journalBeside(resultsPath), { force: true });
}

function readJournal(resultsPath: string): unknown[] | undefined {
  const path = journalBeside(resultsPath);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  const parsed: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      parsed.push(JSON.parse(line));
    } catch {
      if (index < lines.length - 1) fail(`"${path}" is damaged at line ${index + 1}.`);
      // the last line: empty after a whole record, or torn by a crash mid-write
    }
  }
  return parsed;
}
