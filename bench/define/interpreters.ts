import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** How the Node.js that runs Node.js workloads (define/runtimes.ts) is told apart from the Pythons in a results file's list. */
export const NODE_IMPLEMENTATION = 'Node.js';

export function isNode(interpreter: Pick<Interpreter, 'implementation'>): boolean {
  return interpreter.implementation === NODE_IMPLEMENTATION;
}

/** What workloads/common needs; Python 2.7 is kept as well, for the old GIL's sake (the countdown runs on it). */
export const MIN_PYTHON = '3.8';
const OLD_GIL_PYTHON = '2.7';

export const InterpreterSchema = z.object({
  /** Short unique label used in cell ids and reports, e.g. "cpython-3.11.7". */
  id: z.string(),
  /** What the user asked for: a name on PATH or a path. */
  requested: z.string(),
  /** The real executable (sys.executable), not a pyenv shim. */
  executable: z.string(),
  /** the file behind it, symbolic links resolved (which names are one interpreter: interpreterKey) */
  realpath: z.string(),
  version: z.string(),
  implementation: z.string(),
  /** an implementation's own version where it differs from the Python it implements: PyPy 7.3.11 implements Python 3.9.16 */
  implementationVersion: z.string().optional(),
  gilEnabled: z.boolean(),
  freeThreadedBuild: z.boolean(),
  switchIntervalS: z.number().nullable(),
  /** the frameworks of define/frameworks.ts it can import, with their versions */
  frameworks: z.record(z.string(), z.string()).optional(),
  /** set for every run of this interpreter, e.g. PYTHON_GIL=1 on a free-threaded build */
  env: z.record(z.string(), z.string()).default({}),
  /** where discovery found it (PATH, pyenv, uv, GILBENCH_PYTHONS); absent for one named with --python */
  via: z.string().optional(),
});
export type Interpreter = z.infer<typeof InterpreterSchema>;

/** "3.12.1" ≥ "3.12": compared number by number. */
export function versionAtLeast(version: string, min: string): boolean {
  const [have, need] = [version, min].map((v) => v.split('.').map((part) => parseInt(part, 10) || 0));
  for (let i = 0; i < need!.length; i++) {
    if ((have![i] ?? 0) !== need![i]) return (have![i] ?? 0) > need![i]!;
  }
  return true;
}

/** Oldest first; builds of one version by id. */
export function byVersion(a: Interpreter, b: Interpreter): number {
  if (a.version === b.version) return a.id.localeCompare(b.id);
  return versionAtLeast(a.version, b.version) ? 1 : -1;
}

/** Why gilbench will not run this version, or undefined when it will. */
export function unsupportedBecause(version: string): string | undefined {
  if (versionAtLeast(version, MIN_PYTHON) || version.startsWith(`${OLD_GIL_PYTHON}.`)) return undefined;
  return `Python ${version} is not run: gilbench needs ${MIN_PYTHON} or newer, or ${OLD_GIL_PYTHON} (the old GIL)`;
}

/** How the interpreter's GIL behaves, in the words a report uses. */
export function gilStatus(interpreter: Interpreter): string {
  if (isNode(interpreter)) return 'none (Node.js: an event loop per thread, no shared heap)';
  if (!versionAtLeast(interpreter.version, '3.2')) return 'old GIL (before 3.2)';
  if (!interpreter.freeThreadedBuild) return 'enabled';
  return interpreter.gilEnabled ? 'enabled (free-threaded build, PYTHON_GIL=1)' : 'disabled (free-threaded build)';
}

/** A Python that ran without its GIL (Node.js has none to disable, and is not labelled so). */
export function runsWithoutGil(interpreter: Interpreter | undefined): boolean {
  return !!interpreter && interpreter.freeThreadedBuild && !interpreter.gilEnabled;
}

/** "CPython", "PyPy 7.3.11": the implementation, with its own version where it has one. */
export function implementationLabel(interpreter: Interpreter): string {
  return interpreter.implementationVersion
    ? `${interpreter.implementation} ${interpreter.implementationVersion}`
    : interpreter.implementation;
}

/** An implementation that compiles hot code as it runs (PyPy): its runs' times include warming up. */
export function hasJit(interpreter: Interpreter): boolean {
  return interpreter.implementation === 'PyPy';
}

/** "3.13.5t, no GIL", "PyPy 3.9.16": an interpreter as a chart or a sentence names it. */
export function interpreterLabel(interpreter: Interpreter): string {
  return `${interpreter.implementation === 'CPython' ? '' : `${interpreter.implementation} `}${interpreter.version}${interpreter.freeThreadedBuild ? 't' : ''}${runsWithoutGil(interpreter) ? ', no GIL' : ''}`;
}

/** "threads, no GIL": a mode's name where it ran without a GIL. */
export function modeLabel(mode: string, interpreter: Interpreter | undefined): string {
  return runsWithoutGil(interpreter) ? `${mode}, no GIL` : mode;
}

/**
 * What makes two names one interpreter: the file (device and inode, so hard links and symlinks
 * alike), and the environment it starts in — a venv's python links to its base interpreter's file
 * but has packages of its own (PEP 405: pyvenv.cfg beside it or one folder up).
 */
export function interpreterKey(path: string): string {
  let file: string;
  try {
    const { dev, ino } = statSync(path);
    file = `${dev}:${ino}`;
  } catch {
    return path; // a bare name, resolved by PATH when it is run
  }
  const venv = [dirname(path), dirname(dirname(path))].find((dir) => existsSync(join(dir, 'pyvenv.cfg')));
  return venv ? `${file} venv ${venv}` : file;
}

/** Two names for one interpreter count once, the first named kept. */
export function uniqueByFile<T>(items: T[], pathOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const key = interpreterKey(pathOf(item));
    if (!byKey.has(key)) byKey.set(key, item);
  }
  return [...byKey.values()];
}

export function uniqueIds(interpreters: Interpreter[]): Interpreter[] {
  const seen = new Map<string, number>();
  return interpreters.map((interpreter) => {
    const count = (seen.get(interpreter.id) ?? 0) + 1;
    seen.set(interpreter.id, count);
    return count === 1 ? interpreter : { ...interpreter, id: `${interpreter.id}#${count}` };
  });
}
