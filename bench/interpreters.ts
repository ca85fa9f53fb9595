import { execa } from 'execa';
import { join } from 'node:path';
import { z } from 'zod';
import { fail } from './errors.ts';
import { tryParseJson } from './json.ts';
import { WORKLOADS_DIR } from './workload.ts';

export const MIN_PYTHON: [number, number] = [3, 8];

export const InterpreterSchema = z.object({
  /** Short unique label used in cell ids and reports, e.g. "cpython-3.11.7". */
  id: z.string(),
  /** What the user asked for: a name on PATH or a path. */
  requested: z.string(),
  /** The real executable (sys.executable), not a pyenv shim. */
  executable: z.string(),
  /** the file behind it, links resolved: two names of one interpreter count once */
  realpath: z.string(),
  version: z.string(),
  implementation: z.string(),
  gilEnabled: z.boolean(),
  freeThreadedBuild: z.boolean(),
  switchIntervalS: z.number().nullable(),
});
export type Interpreter = z.infer<typeof InterpreterSchema>;

const ProbeSchema = z.object({
  executable: z.string(),
  realpath: z.string(),
  version: z.string(),
  implementation: z.string(),
  gil_enabled: z.boolean(),
  free_threaded_build: z.boolean(),
  switch_interval_s: z.number().nullable(),
});

const PROBE = join(WORKLOADS_DIR, 'common', 'probe.py');

function isTooOld(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]);
}

/** Asks the interpreter itself what it is; a name that is not there, or too old, is a usage error. */
export async function probeInterpreter(requested: string): Promise<Interpreter> {
  const answer = await execa(requested, [PROBE], { reject: false, timeout: 30_000, stdin: 'ignore' });
  if (answer.failed) {
    const why = answer.code === 'ENOENT' ? 'was not found' : `failed (${(answer.shortMessage ?? '').split('\n')[0]})`;
    fail(`Python interpreter "${requested}" ${why}.`);
  }
  const parsed = ProbeSchema.safeParse(tryParseJson(answer.stdout.trim().split('\n').at(-1) ?? ''));
  if (!parsed.success) fail(`"${requested}" did not answer like a Python interpreter.`);
  const facts = parsed.data;
  if (isTooOld(facts.version)) {
    fail(`Python interpreter "${requested}" is ${facts.version}; gilbench needs Python ${MIN_PYTHON.join('.')} or newer.`);
  }
  return {
    id: `${facts.implementation.toLowerCase()}-${facts.version}${facts.free_threaded_build ? 't' : ''}`,
    requested,
    executable: facts.executable,
    realpath: facts.realpath,
    version: facts.version,
    implementation: facts.implementation,
    gilEnabled: facts.gil_enabled,
    freeThreadedBuild: facts.free_threaded_build,
    switchIntervalS: facts.switch_interval_s,
  };
}

/** Probes each requested interpreter once; two names for one executable count once. */
export async function resolveInterpreters(requested: string[]): Promise<Interpreter[]> {
  const probed = await Promise.all(requested.map(probeInterpreter));
  const byFile = new Map<string, Interpreter>();
  for (const interpreter of probed) {
    if (!byFile.has(interpreter.realpath)) byFile.set(interpreter.realpath, interpreter);
  }
  return uniqueIds([...byFile.values()]);
}

function uniqueIds(interpreters: Interpreter[]): Interpreter[] {
  const seen = new Map<string, number>();
  return interpreters.map((interpreter) => {
    const count = (seen.get(interpreter.id) ?? 0) + 1;
    seen.set(interpreter.id, count);
    return count === 1 ? interpreter : { ...interpreter, id: `${interpreter.id}#${count}` };
  });
}
