import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { z } from 'zod';
import { fail } from '../core/errors.ts';
import { tryParseJson } from '../core/json.ts';
import { PROBE } from '../core/paths.ts';
import { FRAMEWORK_NAMES } from '../define/frameworks.ts';
import {
  byVersion,
  type Interpreter,
  interpreterKey,
  uniqueByFile,
  uniqueIds,
  unsupportedBecause,
} from '../define/interpreters.ts';
import { spawnWatched } from './spawn.ts';

const ProbeSchema = z.object({
  executable: z.string(),
  realpath: z.string(),
  version: z.string(),
  implementation: z.string(),
  implementation_version: z.string().nullable().optional(),
  gil_enabled: z.boolean(),
  free_threaded_build: z.boolean(),
  switch_interval_s: z.number().nullable(),
  frameworks: z.record(z.string(), z.string()).optional(),
});

/** An interpreter answers in a fraction of a second; a wrapper that hangs must not hang the harness. */
export const PROBE_TIMEOUT_S = 5;

/** Asks the interpreter itself what it is; the reason in one sentence when it cannot be used. */
export async function tryProbe(
  requested: string,
  env: Record<string, string> = {},
): Promise<Interpreter | { error: string; realpath?: string }> {
  const watched = await spawnWatched({
    executable: requested,
    args: [PROBE, ...FRAMEWORK_NAMES],
    env,
    timeoutS: PROBE_TIMEOUT_S,
    sampleIntervalMs: 0,
  });
  if ('error' in watched)
    return {
      error: `Python interpreter "${requested}" ${watched.notFound ? 'was not found' : `failed (${watched.error})`}.`,
    };
  const answer = await watched.finish();
  if (answer.error)
    return {
      error: `Python interpreter "${requested}" failed (${answer.error}${answer.stderrTail ? `: ${answer.stderrTail.split('\n').at(-1)}` : ''}).`,
    };
  const parsed = ProbeSchema.safeParse(tryParseJson(answer.stdout.trim().split('\n').at(-1) ?? ''));
  if (!parsed.success) return { error: `"${requested}" did not answer like a Python interpreter.` };
  const facts = parsed.data;
  const unsupported = unsupportedBecause(facts.version);
  if (unsupported) return { error: `"${requested}": ${unsupported}.`, realpath: facts.realpath };
  return {
    id: `${facts.implementation.toLowerCase()}-${facts.version}${facts.free_threaded_build ? 't' : ''}`,
    requested,
    executable: facts.executable,
    realpath: facts.realpath,
    version: facts.version,
    implementation: facts.implementation,
    implementationVersion: facts.implementation_version ?? undefined,
    frameworks: facts.frameworks,
    gilEnabled: facts.gil_enabled,
    freeThreadedBuild: facts.free_threaded_build,
    switchIntervalS: facts.switch_interval_s,
    env,
  };
}

/** A name that is not there, or not a Python gilbench runs, is a usage error. */
export async function probeInterpreter(requested: string): Promise<Interpreter> {
  const probed = await tryProbe(requested);
  return 'error' in probed ? fail(probed.error) : probed;
}

/**
 * Each free-threaded build once per PYTHON_GIL value asked for (0 or 1), probed again under it so
 * that its GIL status is what the interpreter says, not what we set; other builds stay as they are.
 */
export async function withGilSettings(interpreters: Interpreter[], settings: string[]): Promise<Interpreter[]> {
  if (settings.length === 0) return interpreters;
  const expanded = await Promise.all(
    interpreters.map(async (interpreter) => {
      if (!interpreter.freeThreadedBuild) return [interpreter];
      return Promise.all(
        settings.map(async (value) => {
          const probed = await tryProbe(interpreter.executable, { PYTHON_GIL: value });
          if ('error' in probed) fail(`${interpreter.id} with PYTHON_GIL=${value}: ${probed.error}`);
          return { ...probed, id: `${interpreter.id}-gil${value}`, requested: interpreter.requested };
        }),
      );
    }),
  );
  return expanded.flat();
}

/** python, python3, python3.12, python3.13t, python2.7, pypy3, pypy3.9: the names an interpreter goes by. */
const PYTHON_NAME = /^(python|pypy)(\d+(\.\d+)?t?)?$/;

export interface Discovery {
  /** usable interpreters, oldest first, one per executable */
  found: (Interpreter & { via: string })[];
  /** candidates that did not answer, or answered with a version gilbench does not run */
  unusable: { path: string; via: string; reason: string }[];
}

function pythonsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => PYTHON_NAME.test(name))
      .map((name) => join(dir, name));
  } catch {
    return []; // a PATH entry or an install folder that is not there
  }
}

function binsUnder(root: string): string[] {
  try {
    return readdirSync(root).map((version) => join(root, version, 'bin'));
  } catch {
    return [];
  }
}

/**
 * GILBENCH_PYTHONS: folders of interpreters on no PATH — a bin folder, or a folder of installs each
 * with its bin/ — by default gilbench's own cache, where .ci/run unpacks the builds it is given.
 */
function extraBins(env: NodeJS.ProcessEnv, home: string): string[] {
  const cache = join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'gilbench', 'pythons');
  const dirs = (env.GILBENCH_PYTHONS ?? cache).split(delimiter).filter(Boolean);
  return dirs.flatMap((dir) => [dir, ...binsUnder(dir)]);
}

/** Every file that may be a Python, and where it was found. */
export function candidates(env: NodeJS.ProcessEnv = process.env): { path: string; via: string }[] {
  const home = env.HOME ?? homedir();
  const pyenv = env.PYENV_ROOT ?? join(home, '.pyenv');
  const uv = env.UV_PYTHON_INSTALL_DIR ?? join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'uv', 'python');
  // Shims (pyenv, asdf) only dispatch to an installed version, which is listed from its own folder.
  const path = (env.PATH ?? '').split(delimiter).filter((dir) => dir && basename(dir) !== 'shims');
  return [
    ...path.flatMap(pythonsIn).map((file) => ({ path: file, via: 'PATH' })),
    ...binsUnder(join(pyenv, 'versions'))
      .flatMap(pythonsIn)
      .map((file) => ({ path: file, via: 'pyenv' })),
    ...binsUnder(uv)
      .flatMap(pythonsIn)
      .map((file) => ({ path: file, via: 'uv' })),
    ...extraBins(env, home)
      .flatMap(pythonsIn)
      .map((file) => ({ path: file, via: 'GILBENCH_PYTHONS' })),
  ];
}

/** Probes every candidate once per real executable. */
export async function discoverInterpreters(env: NodeJS.ProcessEnv = process.env): Promise<Discovery> {
  // One probe per file: python, python3 and python3.12 in one folder are usually one binary.
  const all = uniqueByFile(candidates(env), (candidate) => candidate.path);
  const probed = await Promise.all(
    all.map(async (candidate) => ({ candidate, answer: await tryProbe(candidate.path) })),
  );
  const unusable = probed.flatMap(({ candidate, answer }) =>
    'error' in answer ? [{ ...candidate, reason: answer.error }] : [],
  );
  const usable = probed.flatMap(({ candidate, answer }) =>
    'error' in answer ? [] : [{ ...answer, via: candidate.via }],
  );
  const found = uniqueIds(uniqueByFile(usable, (i) => i.executable).sort(byVersion)) as Discovery['found'];
  return { found, unusable: unusable.map(({ path, via, reason }) => ({ path, via, reason })) };
}

/** Which discovered interpreter this is, if any: the same file in the same environment. */
export function foundAs(
  discovery: Discovery | undefined,
  interpreter: Interpreter,
): Discovery['found'][number] | undefined {
  const key = interpreterKey(interpreter.executable);
  return discovery?.found.find((found) => interpreterKey(found.executable) === key);
}

export const ALL = 'all';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** "base=.venv-a/bin/python" → a label and a path; "python3" → no label. */
function parseRequest(item: string): { label?: string; path: string } {
  const equals = item.indexOf('=');
  if (equals < 0) return { path: item };
  const [label, path] = [item.slice(0, equals), item.slice(equals + 1)];
  if (!LABEL.test(label) || !path)
    fail(`--python takes NAME, PATH or LABEL=PATH with a label of letters, digits, ".", "_" or "-"; got "${item}".`);
  return { label, path };
}

/** The labelled interpreter is named by its label: in cells, reports and compare. */
async function probeRequest({
  label,
  path,
}: {
  label?: string;
  path: string;
}): Promise<{ interpreter: Interpreter; labelled: boolean }> {
  const interpreter = await probeInterpreter(path);
  return { interpreter: label ? { ...interpreter, id: label } : interpreter, labelled: label !== undefined };
}

/** Names of one interpreter count once, the first named kept; the groups of names that were merged. */
function mergeNames(given: Interpreter[]): { kept: Interpreter[]; merged: string[][] } {
  const groups = new Map<string, Interpreter[]>();
  for (const interpreter of given) {
    const key = interpreterKey(interpreter.executable);
    groups.set(key, [...(groups.get(key) ?? []), interpreter]);
  }
  const merged = [...groups.values()].filter((group) => group.length > 1).map((group) => group.map((i) => i.requested));
  return { kept: [...groups.values()].map((group) => group[0]!), merged };
}

/**
 * --python LIST: names or paths, each of which must be a Python gilbench runs, LABEL=PATH for one
 * that keeps its own name and is never merged with another (two venvs of one Python, compared),
 * and "all" for every one discovered; then --gil's PYTHON_GIL settings on free-threaded builds.
 */
export async function chooseInterpreters(
  requested: string[],
  gilSettings: string[] = [],
): Promise<{ interpreters: Interpreter[]; discovery?: Discovery; merged: string[][] }> {
  const items = requested.filter((name) => name !== ALL).map(parseRequest);
  const labels = items.flatMap((item) => (item.label ? [item.label] : []));
  const twice = labels.find((label, i) => labels.indexOf(label) !== i);
  if (twice !== undefined)
    fail(`--python: the label "${twice}" is given twice; each labelled interpreter needs its own.`);
  const [discovery, given] = await Promise.all([
    requested.includes(ALL) ? discoverInterpreters() : undefined,
    Promise.all(items.map(probeRequest)),
  ]);
  const pick = (labelled: boolean) => given.filter((g) => g.labelled === labelled).map((g) => g.interpreter);
  const { kept, merged } = mergeNames(pick(false));
  const others = uniqueByFile([...kept, ...(discovery?.found ?? [])], (i) => i.executable);
  const chosen = [...pick(true), ...others].sort(byVersion);
  return { interpreters: uniqueIds(await withGilSettings(chosen, gilSettings)), discovery, merged };
}
