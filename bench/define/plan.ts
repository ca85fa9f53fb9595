import { z } from 'zod';
import { BUSY_POLICIES, type BusyPolicy } from '../core/busy.ts';
import { fail } from '../core/errors.ts';
import { FIXTURE_NAMES } from './fixtures.ts';
import { FRAMEWORKS, importsFramework } from './frameworks.ts';
import { type Interpreter, MIN_PYTHON, versionAtLeast } from './interpreters.ts';
import { interpretersFor, runtimeOf } from './runtimes.ts';
import { CHART_KINDS, type Profile, unlabelled, type Workload } from './workload.ts';

export const CellSchema = z.object({
  id: z.string(),
  workload: z.string(),
  mode: z.string(),
  workers: z.number().int().positive(),
  interpreter: z.string(),
  params: z.record(z.string(), z.number()),
  /** the parameters this cell's workload sweeps, and this cell's values of them */
  sweep: z.record(z.string(), z.number()),
  timeoutS: z.number().positive(),
  warmup: z.number().int().nonnegative(),
  repeats: z.number().int().positive(),
  /** the workload's ideal wall time for this cell, when it defines one */
  idealWallS: z.number().optional(),
});
export type Cell = z.infer<typeof CellSchema>;

/** What the report needs to know about a workload, kept in the results so they render alone. */
export const WorkloadInfoSchema = z.object({
  name: z.string(),
  title: z.string(),
  shows: z.string(),
  charts: z.array(z.enum(CHART_KINDS)),
  taskNoun: z.string().optional(),
  fixture: z.enum(FIXTURE_NAMES).optional(),
  ignoresWorkers: z.array(z.string()),
  /** batch: a program that does its work and exits; server: driven by the load generator for a window */
  kind: z.enum(['batch', 'server']),
  ideal: z.string().optional(),
  /** the workload this one's cells join in one table and chart when both are run (echo-node beside echo) */
  beside: z.string().optional(),
});
export type WorkloadInfo = z.infer<typeof WorkloadInfoSchema>;

export const AutoRepeatSchema = z.object({
  /** stop adding rounds to a cell once its median's interval is within ±targetPct */
  targetPct: z.number().positive(),
  /** …or once this many seconds of extra rounds have been spent */
  budgetS: z.number().positive(),
  maxRepeats: z.number().int().positive(),
});
export type AutoRepeat = z.infer<typeof AutoRepeatSchema>;

/** Cells not run: a whole workload (no mode) or one mode of it on an interpreter, or one mode beyond its W limit. */
export const SkipSchema = z.object({
  workload: z.string(),
  mode: z.string().optional(),
  interpreter: z.string(),
  /** set when only this W was skipped */
  workers: z.number().optional(),
  /** the oldest Python version that runs it, when that is the reason */
  needs: z.string().optional(),
  /** the framework it needs, when that is the reason */
  framework: z.string().optional(),
  reason: z.string(),
});
export type Skip = z.infer<typeof SkipSchema>;

/**
 * The size of one workload's task (its descriptor's `size` parameter) on some interpreters: one
 * build's names share it (a venv's python, PYTHON_GIL=0 and =1), so that they do the same work.
 */
export const SizeSchema = z.object({
  workload: z.string(),
  param: z.string(),
  value: z.number(),
  interpreters: z.array(z.string()),
  /** calibrated: chosen so that one serial task took about targetS; given: by --param; profile: calibration failed, the profile's value */
  how: z.enum(['calibrated', 'given', 'profile']),
  targetS: z.number().optional(),
  /** calibrated: the probe it was scaled from, its size and one serial task's seconds */
  probe: z.object({ value: z.number(), taskS: z.number() }).optional(),
});
export type Size = z.infer<typeof SizeSchema>;

export const PlanSchema = z.object({
  profile: z.string(),
  /** retry: set such a run aside and make it again after a pause, up to half as many runs again; keep: count it; fail: stop */
  busy: z.enum(BUSY_POLICIES),
  /** --repeat auto: rounds are added after the planned ones until every interval is narrow */
  autoRepeat: AutoRepeatSchema.optional(),
  sampleIntervalMs: z.number().nonnegative(),
  workloads: z.array(WorkloadInfoSchema),
  cells: z.array(CellSchema),
  skipped: z.array(SkipSchema),
  /** each sized workload's size per interpreter: what its cells' size parameter holds */
  sizes: z.array(SizeSchema),
});
export type Plan = z.infer<typeof PlanSchema>;

export interface PlanRequest {
  workloads: Workload[];
  interpreters: Interpreter[];
  profile: Profile;
  /** Overrides of the workloads' own per-profile choices; undefined keeps the workload's. */
  modes?: string[];
  workers?: number[];
  /** parameter overrides per workload name; several values sweep */
  params?: Record<string, Record<string, number[]>>;
  timeoutS?: number;
  autoRepeat?: AutoRepeat;
  busy?: BusyPolicy;
  repeats?: number;
  warmup?: number;
  sampleIntervalMs: number;
  /** the sizes of sized workloads (execute/calibrate.ts); without them, the profile's values */
  sizes?: Size[];
}

/** ["connections=10", …]: a cell's swept parameters, as ids, tables and charts name them. */
export function sweepParts(sweep: Record<string, number>): string[] {
  return Object.entries(sweep).map(([name, value]) => `${name}=${value}`);
}

/** What makes a cell itself; the workload's name carries its revision's label (countdown@head). */
export type CellIdentity = Pick<Cell, 'workload' | 'mode' | 'workers' | 'interpreter' | 'sweep'>;

/** What two sides of a comparison may differ in and still be the same cell: the interpreter, or the workloads' label. */
export interface Across {
  interpreter?: boolean;
  label?: boolean;
}

/**
 * The one place a cell's id is built: countdown/threads/w2/connections=10/cpython-3.11.7. With
 * `across`, the id leaves out what two sides of an A/B comparison differ in.
 */
export function cellId(cell: CellIdentity, across: Across = {}): string {
  const workload = across.label ? unlabelled(cell.workload) : cell.workload;
  return [
    workload,
    cell.mode,
    `w${cell.workers}`,
    ...sweepParts(cell.sweep),
    ...(across.interpreter ? [] : [cell.interpreter]),
  ].join('/');
}

/** Expands workloads × modes × workers × interpreters into cells. */
export function buildPlan(request: PlanRequest): Plan {
  const { profile } = request;
  checkModes(request.workloads, request.modes);
  const cells: Cell[] = [];
  const skipped: Skip[] = [];
  for (const workload of request.workloads) {
    // A workload without any of the modes asked for has no cells; checkModes caught unknown modes.
    const chosenModes = request.modes?.filter((mode) => workload.modes.includes(mode)) ?? [
      ...(workload.defaultModes ?? workload.modes),
    ];
    const workerCounts = request.workers ?? workload.workers[profile];
    for (const interpreter of interpretersFor(workload, request.interpreters)) {
      const values = paramValues(workload, interpreter, request);
      const skips = skipsFor(workload, chosenModes, interpreter);
      skipped.push(...skips);
      if (skips.some((skip) => !skip.mode)) continue;
      const modes = chosenModes.filter((mode) => !skips.some((skip) => skip.mode === mode));
      skipped.push(...limitSkips(workload, modes, workerCounts, interpreter));
      cells.push(...cellsOn(workload, interpreter, modes, workerCounts, values, request));
    }
  }
  if (cells.length === 0) {
    const reasons = [...new Set(skipped.map((skip) => skip.reason))];
    fail(
      `Nothing to run: no chosen workload has any of the chosen modes${reasons.length ? ` that the chosen interpreters can run (${reasons.join('; ')})` : ''}.`,
    );
  }
  return {
    profile,
    sampleIntervalMs: request.sampleIntervalMs,
    autoRepeat: request.autoRepeat,
    busy: request.busy ?? 'retry',
    workloads: request.workloads.map(workloadInfo),
    cells,
    skipped,
    sizes: (request.sizes ?? []).filter((size) =>
      cells.some((c) => c.workload === size.workload && size.interpreters.includes(c.interpreter)),
    ),
  };
}

/** One workload's cells on one interpreter: every combination of its parameters' values, W and mode. */
function cellsOn(
  workload: Workload,
  interpreter: Interpreter,
  modes: string[],
  workerCounts: number[],
  values: (readonly [string, number[]])[],
  request: PlanRequest,
): Cell[] {
  const { profile } = request;
  return combinations(values).flatMap((params) => {
    const sweep = Object.fromEntries(
      values.filter(([, list]) => list.length > 1).map(([name]) => [name, params[name]!]),
    );
    return workerCounts.flatMap((workers) =>
      modes.flatMap((mode) => {
        if (workload.ignoresWorkers?.includes(mode) && workers !== Math.min(...workerCounts)) return [];
        if (workers > (workload.limits?.[mode]?.maxWorkers ?? Infinity)) return []; // skipped: limitSkips says why
        const identity = { workload: workload.name, mode, workers, interpreter: interpreter.id, sweep };
        return [
          {
            id: cellId(identity),
            ...identity,
            params,
            timeoutS: request.timeoutS ?? workload.timeoutS[profile],
            warmup: request.warmup ?? workload.warmup[profile],
            repeats: request.repeats ?? workload.repeats[profile],
            idealWallS: workload.ideal?.wallS(params, workers),
          },
        ];
      }),
    );
  });
}

/** What the report needs to know about a workload, kept in the results so that they render alone. */
function workloadInfo(w: Workload): WorkloadInfo {
  return {
    name: w.name,
    title: w.title,
    shows: w.shows,
    charts: w.charts,
    taskNoun: w.taskNoun,
    fixture: w.fixture,
    ignoresWorkers: w.ignoresWorkers ?? [],
    kind: w.server ? 'server' : 'batch',
    ideal: w.ideal?.description,
    beside: w.beside,
  };
}

/** Each parameter's values for a workload's cells on one interpreter: given, its size there, or the profile's. */
function paramValues(
  workload: Workload,
  interpreter: Interpreter,
  request: PlanRequest,
): (readonly [string, number[]])[] {
  const size = request.sizes?.find(
    (s) => s.workload === workload.name && s.param === workload.size && s.interpreters.includes(interpreter.id),
  );
  return Object.entries(workload.params).map(([name, spec]) => {
    const given = request.params?.[workload.name]?.[name];
    return [
      name,
      given ?? (size && name === size.param ? [size.value] : [spec.values[request.profile]].flat()),
    ] as const;
  });
}

/** What an interpreter cannot run of a workload, and why: the whole of it, or some modes. */
export function skipsFor(workload: Workload, modes: string[], interpreter: Interpreter): Skip[] {
  if (runtimeOf(workload) === 'node') return [];
  const needs = workload.python ?? { min: MIN_PYTHON };
  /** The whole workload (no mode) or one mode of it, skipped for want of a newer Python (needs) or a framework. */
  const skip = (why: { needs: string } | { framework: string }, reason: string, mode?: string): Skip => ({
    workload: workload.name,
    mode,
    interpreter: interpreter.id,
    ...why,
    reason,
  });
  if (!versionAtLeast(interpreter.version, needs.min)) {
    return [skip({ needs: needs.min }, `${workload.name} needs Python ${needs.min} or newer`)];
  }
  return modes.flatMap((mode) => {
    const need = needs.modes?.[mode];
    if (need && !versionAtLeast(interpreter.version, need.min))
      return [skip({ needs: need.min }, `${mode} needs Python ${need.min} or newer: ${need.why}`, mode)];
    const framework = needs.frameworks?.[mode];
    if (!framework || importsFramework(interpreter, framework)) return [];
    return [
      skip(
        { framework },
        `${mode} needs the ${framework} package, which ${interpreter.id} cannot import: ${FRAMEWORKS[framework]}`,
        mode,
      ),
    ];
  });
}

/** The cells beyond a mode's W limit, once per mode and W (whatever the parameters). */
function limitSkips(workload: Workload, modes: string[], workerCounts: number[], interpreter: Interpreter): Skip[] {
  return workerCounts.flatMap((workers) =>
    modes.flatMap((mode) => {
      const limit = workload.limits?.[mode];
      const runsHere = !workload.ignoresWorkers?.includes(mode) || workers === Math.min(...workerCounts);
      return limit && runsHere && workers > limit.maxWorkers
        ? [
            {
              workload: workload.name,
              mode,
              interpreter: interpreter.id,
              workers,
              reason: `${mode} stops at W=${limit.maxWorkers}: ${limit.why}`,
            },
          ]
        : [];
    }),
  );
}

/** Every combination of the parameters' values, in the order they were given. */
function combinations(values: (readonly [string, number[]])[]): Record<string, number>[] {
  return values.reduce<Record<string, number>[]>(
    (partial, [name, list]) => partial.flatMap((params) => list.map((value) => ({ ...params, [name]: value }))),
    [{}],
  );
}

/** Every mode asked for must exist in at least one chosen workload. */
function checkModes(workloads: Workload[], modes: string[] | undefined): void {
  const known = new Set(workloads.flatMap((w) => w.modes));
  for (const mode of modes ?? []) {
    if (!known.has(mode)) fail(`No chosen workload has a mode "${mode}"; their modes are: ${[...known].join(', ')}.`);
  }
}

export interface ScheduledRun {
  cell: Cell;
  /** 0-based; rounds below plan.warmup are warm-up runs whose numbers are not used. */
  round: number;
  warmup: boolean;
}

/**
 * Interleaved order, as asv does it: round 1 of every cell, then round 2, …, so that drift
 * in the machine's speed spreads over all cells instead of landing on one. A cell with fewer
 * rounds than others simply drops out of the later ones.
 */
export function* schedule(plan: Plan): Generator<ScheduledRun> {
  const rounds = Math.max(0, ...plan.cells.map((cell) => cell.warmup + cell.repeats));
  for (let round = 0; round < rounds; round++) {
    for (const cell of plan.cells) {
      if (round < cell.warmup + cell.repeats) yield { cell, round, warmup: round < cell.warmup };
    }
  }
}

export function totalRuns(plan: Plan): number {
  return plan.cells.reduce((sum, cell) => sum + cell.warmup + cell.repeats, 0);
}

/**
 * The serial cell a cell's speedup is measured against: serial at the same W and parameters on
 * the same interpreter, or the one serial cell when W does not change what serial does.
 */
export function serialCellFor(plan: Plan, cell: Cell): Cell | undefined {
  const serialOnce = plan.workloads.find((w) => w.name === cell.workload)?.ignoresWorkers.includes('serial');
  return plan.cells.find(
    (c) =>
      c.workload === cell.workload &&
      c.mode === 'serial' &&
      c.interpreter === cell.interpreter &&
      (serialOnce || c.workers === cell.workers) &&
      JSON.stringify(c.params) === JSON.stringify(cell.params),
  );
}

/** The size a cell ran at, when its workload is sized. */
export function sizeOf(sizes: Size[], cell: Pick<Cell, 'workload' | 'interpreter'>): Size | undefined {
  return sizes.find((size) => size.workload === cell.workload && size.interpreters.includes(cell.interpreter));
}

/**
 * Why two cells' numbers measure different work although each was sized to the same time: both
 * sizes were calibrated, each to its own machine's or interpreter's speed, to different values.
 */
export function calibratedApart(a: Size | undefined, b: Size | undefined): string | undefined {
  if (a?.how !== 'calibrated' || b?.how !== 'calibrated' || a.value === b.value) return undefined;
  return (
    `both runs calibrated ${a.param} to their own speed, to ${a.value.toLocaleString('en-US')} and ${b.value.toLocaleString('en-US')}: ` +
    `their times are of different work (give both the same size with --param ${a.param}=N, or compare ratios: --metrics speedup,cpu)`
  );
}
