import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail } from '../core/errors.ts';
import { MODULE_EXT } from '../core/modules.ts';
import { WORKLOADS_DIR } from '../core/paths.ts';
import type { FixtureName } from './fixtures.ts';
import type { Framework } from './frameworks.ts';
import type { ServerLoad } from './load.ts';

export const PROFILES = ['quick', 'default', 'full'] as const;
export type Profile = (typeof PROFILES)[number];
export type PerProfile<T> = Record<Profile, T>;

/**
 * What a profile asks of a workload whose work is sized to a time (its descriptor's `size`): one
 * serial task of about taskS on every interpreter, and /proc sampled often enough that such a run
 * gets at least 3 samples (the quick profile's shorter tasks are sampled every 50 ms: sampling a
 * 5-process tree then took 1.1% of a core here, against 1.0% every 100 ms: npm run bench:self -- --hz 20).
 */
export const PROFILE_TARGETS: Record<Profile, { taskS: number; sampleIntervalMs: number }> = {
  quick: { taskS: 0.2, sampleIntervalMs: 50 },
  default: { taskS: 0.4, sampleIntervalMs: 100 },
  full: { taskS: 3, sampleIntervalMs: 100 },
};

/** The charts a report can draw; each workload picks those that carry its message. */
export const CHART_KINDS = [
  'wall-bars',
  'cpu-timeline',
  'rss-bars',
  'wall-vs-workers',
  'throughput-vs-workers',
  'latency-bars',
  'echo-bars',
  'echo-latency',
  'rss-vs-connections',
  'accepts-per-worker',
  'cpu-per-answer',
] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** What runs a workload's program (define/runtimes.ts). */
export type Runtime = 'python' | 'node';

export interface ParamSpec {
  description: string;
  /** several values sweep the parameter: one cell per value */
  values: PerProfile<number | number[]>;
  /** the smallest value the program accepts */
  min: number;
  /** the largest value --param accepts: a bound on every duration and count a run can be given */
  max: number;
  integer: boolean;
}

/** What a workload folder declares about itself; the harness knows nothing else about it. */
export interface WorkloadDescriptor {
  name: string;
  title: string;
  /** One sentence: what the workload demonstrates. */
  shows: string;
  /** The program, relative to the workload's folder: Python, or JavaScript for runtime "node". */
  program: string;
  /** Arguments every run of the program gets before the harness's own (a --task's file and function). */
  programArgs?: string[];
  /** What runs the program: the chosen Pythons (the default), or the Node.js that runs gilbench. */
  runtime?: Runtime;
  /** Modes the program accepts; "serial" is the baseline every speedup is relative to. */
  modes: readonly string[];
  /** The modes that run when --modes names none (default: every mode); the others run when named. */
  defaultModes?: readonly string[];
  params: Record<string, ParamSpec>;
  /**
   * The parameter that sets how much work one task does, in proportion (the countdown's n): before
   * the first round it is calibrated on each interpreter so that one serial task takes the
   * profile's target time (PROFILE_TARGETS); its values per profile are where the search starts,
   * and a value given with --param is used as given.
   */
  size?: string;
  workers: PerProfile<number[]>;
  repeats: PerProfile<number>;
  warmup: PerProfile<number>;
  /** A single run is killed (and its cell failed) after this many seconds. */
  timeoutS: PerProfile<number>;
  charts: ChartKind[];
  /** What one task is, for throughput ("requests"); tasks/s and task latency are reported when set. */
  taskNoun?: string;
  /** A fixture the harness starts for the workload's runs (execute/fixtures), e.g. "http-delay". */
  fixture?: FixtureName;
  /** Modes whose program does the same whatever W is (serial fetch, a thread-per-connection server): run once, at the smallest W. */
  ignoresWorkers?: string[];
  /** The program is a server: the harness starts it, drives it with the load generator, and stops it. */
  server?: ServerSpec;
  /** Modes that cannot run beyond some W on an ordinary machine, and why: larger cells are skipped, and the report says so. */
  limits?: Record<string, { maxWorkers: number; why: string }>;
  /** Which Pythons the program runs on; without it, those workloads/common supports (3.8+). */
  python?: PythonNeeds;
  /** A workload whose servers this one's are measured beside: when both run, the report shows their cells in one table and chart. */
  beside?: string;
  /** The best wall time physics allows, drawn as a reference line. */
  ideal?: { description: string; wallS: (params: Record<string, number>, workers: number) => number };
}

export interface PythonNeeds {
  /** the oldest version the program runs on, e.g. "2.7" for a program Python 2 can read */
  min: string;
  /** modes that need a newer version than the program, and why */
  modes?: Record<string, { min: string; why: string }>;
  /** modes that need a framework beyond the standard library (define/frameworks.ts) */
  frameworks?: Record<string, Framework>;
}

export interface ServerSpec {
  /** the parameters the program takes; the others configure the load */
  programParams: string[];
  /** what the load generator does, from one cell's parameters and mode */
  load(params: Record<string, number>, mode: string): ServerLoad;
}

export interface Workload extends WorkloadDescriptor {
  /** Absolute path of the program. */
  programPath: string;
}

const DESCRIPTOR_FILE = `workload${MODULE_EXT}`;

export function defineWorkload(descriptor: WorkloadDescriptor): WorkloadDescriptor {
  return descriptor;
}

/**
 * Every folder under workloads/ that holds a descriptor is a workload. A label tells apart two
 * revisions of the same folders measured in one run (A/B): their names become "countdown@base".
 */
export async function loadWorkloads(dir = WORKLOADS_DIR, label?: string): Promise<Map<string, Workload>> {
  if (!existsSync(dir)) fail(`Workloads folder "${dir}" does not exist.`);
  if (!statSync(dir).isDirectory()) fail(`Workloads folder "${dir}" is a file, not a folder.`);
  const found = new Map<string, Workload>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const folder = join(dir, entry.name);
    const file = join(folder, DESCRIPTOR_FILE);
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const descriptor = await descriptorIn(file);
    const name = label ? `${descriptor.name}${LABEL_MARK}${label}` : descriptor.name;
    found.set(name, { ...descriptor, name, programPath: join(folder, descriptor.program) });
  }
  return found;
}

/**
 * The descriptor a workload's file exports. One that does not load (a syntax error, a throw) or
 * exports no workload is one sentence: a folder of one's own (--workloads-dir) is input too.
 */
async function descriptorIn(file: string): Promise<WorkloadDescriptor> {
  let exported: Partial<WorkloadDescriptor> | undefined;
  try {
    exported = (await import(pathToFileURL(file).href)).default;
  } catch (error) {
    // A transform error's last line says where: "workload.ts:4:0: ERROR: Unexpected end of file"
    const where = (error instanceof Error ? error.message : String(error)).trim().split('\n').at(-1)!;
    fail(`Workload descriptor ${file} could not be loaded: ${where.replace(/\.$/, '')}.`);
  }
  if (typeof exported?.name !== 'string' || typeof exported.program !== 'string' || !Array.isArray(exported.modes)) {
    fail(
      `Workload descriptor ${file} exports no workload: it needs "export default defineWorkload({ name, program, modes, … })" (docs/WORKLOADS.md).`,
    );
  }
  return exported as WorkloadDescriptor;
}

export const LABEL_MARK = '@';

/** "countdown@base" → "countdown": the workload whatever revision it came from. */
export function unlabelled(name: string): string {
  return name.split(LABEL_MARK)[0]!;
}

export function pickWorkloads(all: Map<string, Workload>, names: string[]): Workload[] {
  return names.map(
    (name) => all.get(name) ?? fail(`Unknown workload "${name}"; known workloads: ${[...all.keys()].join(', ')}.`),
  );
}
