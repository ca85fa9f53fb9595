import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fail } from '../core/errors.ts';
import { WORKLOADS_DIR } from '../core/paths.ts';
import type { Workload } from './workload.ts';

/** gilbench run --task FILE:FUNC: the user's own function as a workload, in every mode the countdown gets. */

export interface TaskSpec {
  /** absolute path of the user's Python file */
  file: string;
  func: string;
}

export type TaskParams = Record<string, number | string>;

const PROGRAM = join(WORKLOADS_DIR, 'task', 'task.py');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** --task-size NAME with --task-param NAME=N: the size as given, for the plan (a whole number). */
export function taskSizeGiven(size: string | undefined, params: TaskParams): number[] | undefined {
  if (size === undefined || params[size] === undefined) return undefined;
  const value = params[size];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    fail(`--task-size ${size}: --task-param ${size} must be a positive whole number; got "${value}".`);
  return [value];
}

/** "path/to/tasks.py:func" → the file (which must exist) and the function's name. */
export function parseTask(text: string): TaskSpec {
  const colon = text.lastIndexOf(':');
  const [file, func] = [text.slice(0, colon), text.slice(colon + 1)];
  if (colon < 1 || !IDENTIFIER.test(func))
    fail(`--task takes FILE:FUNCTION, e.g. --task tasks.py:work; got "${text}".`);
  if (!existsSync(file) || !statSync(file).isFile()) fail(`--task ${text}: there is no file "${file}".`);
  return { file: resolve(file), func };
}

/** --task-param k=v: a number when it reads as one, else a string. */
export function parseTaskParams(values: string[] | undefined): TaskParams {
  const params: TaskParams = {};
  for (const text of values ?? []) {
    const equals = text.indexOf('=');
    const [name, value] = [text.slice(0, equals), text.slice(equals + 1)];
    if (equals < 0 || !IDENTIFIER.test(name))
      fail(`--task-param takes NAME=VALUE with a Python name, e.g. --task-param n=100000; got "${text}".`);
    const number = Number(value.replaceAll('_', ''));
    params[name] = value.trim() !== '' && Number.isFinite(number) ? number : value;
  }
  return params;
}

// Reads the file without running it: a top-level def, async def, assignment or import of that name.
// Its bytes, as an import reads them (a coding line, a UTF-8 BOM); what ast cannot take (NUL
// bytes before 3.12, nesting too deep) is said as such. Python 2.7 reads it too.
const DEFINES = `
import ast, sys
try:
    tree = ast.parse(open(sys.argv[1], "rb").read(), sys.argv[1])
except SyntaxError as error:
    print("its syntax is wrong%s: %s" % (" at line %s" % error.lineno if error.lineno else "", error.msg)); sys.exit()
except Exception as error:
    print("Python cannot parse it: %s" % (str(error).split("\\n")[0] or type(error).__name__)); sys.exit()
names = set()
for node in tree.body:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): names.add(node.name)
    elif isinstance(node, ast.Assign): names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    elif isinstance(node, (ast.Import, ast.ImportFrom)): names.update((a.asname or a.name).split(".")[0] for a in node.names)
print("ok" if sys.argv[2] in names else "it defines no function %s" % sys.argv[2])
`;

/** The file must define the function; asked of the Python that will run it, which parses but does not execute it. */
export function checkTask(task: TaskSpec, python: string): void {
  let answer: string;
  try {
    // stderr is kept, not shown: a Python that fails here says why in its last line, not in a traceback on the terminal
    answer = execFileSync(python, ['-c', DEFINES, task.file, task.func], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    const { stderr, signal } = error as { stderr?: string; signal?: string };
    const why =
      stderr?.trim().split('\n').at(-1) || (signal ? `stopped by ${signal}` : (error as Error).message.split('\n')[0]);
    fail(`--task ${task.file}:${task.func}: ${python} could not read the file (${why}).`);
  }
  if (answer !== 'ok') fail(`--task ${task.file}:${task.func}: ${answer}.`);
}

function signature(func: string, params: TaskParams): string {
  return `${func}(i${Object.entries(params)
    .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
    .join('')})`;
}

/** Where a --task-size parameter's calibration starts when --task-param does not give it. */
const SIZE_START = 1000;

/**
 * The workload that runs the task: named "tasks.py:func", its file and parameters given to every
 * run of task.py. A size parameter (--task-size NAME) is a workload parameter instead, which the
 * run calibrates to the profile's time per task unless --task-param gives it (taskSizeGiven).
 */
export function taskWorkload(task: TaskSpec, given: TaskParams, size?: string): Workload {
  const name = `${basename(task.file)}:${task.func}`;
  const { [size ?? '']: _sized, ...params } = given;
  const sizeParams = size
    ? {
        [size]: {
          description: `the task's ${size}, in proportion to its work`,
          values: { quick: SIZE_START, default: SIZE_START, full: SIZE_START },
          min: 1,
          max: 1e12,
          integer: true,
        },
      }
    : {};
  return {
    name,
    title: `Your task ${name}`,
    shows: `${signature(task.func, params)} from ${task.file}, W times: serially, in threads, in processes, as asyncio tasks and in subinterpreters (3.12+).`,
    program: 'task.py',
    programPath: PROGRAM,
    programArgs: [
      '--task-file',
      task.file,
      '--task-func',
      task.func,
      '--task-params',
      JSON.stringify(params),
      ...(size ? ['--task-size', size] : []),
    ],
    modes: ['serial', 'threads', 'processes', 'async', 'subinterpreters'],
    python: {
      min: '3.8',
      modes: { subinterpreters: { min: '3.12', why: 'an interpreter gets a GIL of its own from 3.12 on (PEP 684)' } },
    },
    params: sizeParams,
    size,
    workers: { quick: [1, 2], default: [1, 2, 4], full: [1, 2, 4, 8] },
    repeats: { quick: 3, default: 5, full: 10 },
    warmup: { quick: 1, default: 1, full: 1 },
    timeoutS: { quick: 60, default: 120, full: 900 },
    charts: ['wall-bars', 'cpu-timeline', 'rss-bars'],
  };
}
