import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../core/errors.ts';
import { FRAMEWORK_NAMES, importsFramework } from '../define/frameworks.ts';
import { byVersion, type Interpreter, uniqueByFile, uniqueIds } from '../define/interpreters.ts';
import { describeMachine } from '../define/machine.ts';
import { buildPlan, type Cell, type Plan, type PlanRequest } from '../define/plan.ts';
import { loadWorkloads, PROFILE_TARGETS, type Profile, pickWorkloads } from '../define/workload.ts';
import { plannedWithSizes } from '../execute/calibrate.ts';
import { ALL, chooseInterpreters, discoverInterpreters, tryProbe } from '../execute/discover.ts';
import { runSuite } from '../execute/suite.ts';
import { type Experiment, type Figure, resultsPath } from '../present/figures/figure.ts';
import { counted } from '../store/records.ts';
import { type Results, readResults, writeResults } from '../store/results.ts';

export interface FiguresRun {
  figures: Figure[];
  profile: Profile;
  /** the figures' folder: each experiment's results go to data/<experiment>/results.json */
  out: string;
  /** the interpreters of the experiments that use one (default python3) */
  python: string[];
  /** results files to take experiments from, when they hold every cell and are fresh enough */
  from: string[];
  maxAgeH: number;
  command: string[];
}

/** Every experiment the figures need, once each, in the figures' order. */
export function experimentsOf(figures: Figure[], profile: Profile): Experiment[] {
  const byName = new Map<string, Experiment>();
  for (const experiment of figures.flatMap((figure) => figure.experiments(profile)))
    byName.set(experiment.name, experiment);
  return [...byName.values()];
}

/** The interpreter of the figures that use one when --python names none. */
export const DEFAULT_PYTHON = 'python3';

/**
 * The interpreters an experiment runs on, given the names of --python. Measured with and without
 * the GIL, a figure needs one of each: python3 joins named free-threaded builds when it has a GIL.
 */
export async function interpretersOf(which: Experiment['pythons'], named: string[]): Promise<Interpreter[]> {
  if (which === 'all') return (await chooseInterpreters([ALL, ...named])).interpreters;
  const { interpreters } = await chooseInterpreters(named);
  if (which === 'default') return interpreters;
  const { found } = await discoverInterpreters();
  const more =
    which === 'default+frameworks'
      ? found.filter((i) => FRAMEWORK_NAMES.every((name) => importsFramework(i, name)))
      : [...(await withGilBeside(interpreters)), ...found.filter((i) => i.freeThreadedBuild)];
  return uniqueIds(uniqueByFile([...interpreters, ...more], (i) => i.executable).sort(byVersion));
}

/** python3, when it has a GIL and none of the named interpreters has one. */
async function withGilBeside(named: Interpreter[]): Promise<Interpreter[]> {
  if (named.some((i) => i.gilEnabled)) return [];
  const fallback = await tryProbe(DEFAULT_PYTHON);
  return !('error' in fallback) && fallback.gilEnabled ? [fallback] : [];
}

/** The results of every experiment as already written in the figures' folder: nothing is run. */
export function readExperiments(out: string, experiments: Experiment[]): Map<string, Results> {
  return new Map(
    experiments.map((experiment) => {
      const path = resultsPath(out, experiment.name);
      if (!existsSync(path))
        fail(
          `No results for the "${experiment.name}" experiment in ${join(out, 'data')}; run "gilbench figures" without --render first.`,
        );
      return [experiment.name, readResults(path)];
    }),
  );
}

/**
 * Runs each experiment, or takes it from a --from file that holds every cell it plans, in order;
 * returns undefined when Ctrl+C ended it (what was measured stays in data/, marked partial).
 */
export async function runExperiments(request: FiguresRun): Promise<Map<string, Results> | undefined> {
  const workloads = await loadWorkloads();
  const machine = await describeMachine();
  const given = request.from.map((file) => ({ file, results: readResults(file) }));
  const interpreters = new Map<string, Promise<Interpreter[]>>();
  const pythons = (which: Experiment['pythons']) => {
    if (!interpreters.has(which)) interpreters.set(which, interpretersOf(which, request.python));
    return interpreters.get(which)!;
  };
  const done = new Map<string, Results>();
  const experiments = experimentsOf(request.figures, request.profile);
  for (const [index, experiment] of experiments.entries()) {
    const chosen = pickWorkloads(workloads, experiment.workloads);
    const planRequest: PlanRequest = {
      workloads: chosen,
      interpreters: await pythons(experiment.pythons),
      profile: request.profile,
      modes: experiment.modes,
      workers: experiment.workers,
      params: experiment.params,
      repeats: experiment.repeats,
      warmup: experiment.warmup,
      sampleIntervalMs: experiment.sampleIntervalMs ?? PROFILE_TARGETS[request.profile].sampleIntervalMs,
    };
    const unsized = buildPlan(planRequest);
    const path = resultsPath(request.out, experiment.name);
    const reused = given
      .map(({ file, results }) => ({ file, results: covering(results, unsized, planRequest, request.maxAgeH) }))
      .find((g) => g.results);
    if (reused) {
      console.error(
        `gilbench figures: [${index + 1}/${experiments.length}] ${experiment.name}: taken from ${reused.file}`,
      );
      writeResults(path, reused.results!);
      done.set(experiment.name, reused.results!);
      continue;
    }
    const plan = await plannedWithSizes(planRequest, (line) => console.error(`gilbench figures: ${line}`));
    console.error(
      `gilbench figures: [${index + 1}/${experiments.length}] ${experiment.name}: ${plan.cells.length} cells (${experiment.workloads.join(', ')})`,
    );
    const outcome = await runSuite({
      plan,
      interpreters: await pythons(experiment.pythons),
      workloads: chosen,
      machine,
      command: [...request.command, `# experiment ${experiment.name}`],
      reportsDir: join(request.out, 'data'),
      runDir: join(request.out, 'data', experiment.name),
    });
    if (outcome.interrupted) return undefined;
    done.set(experiment.name, outcome.results);
  }
  return done;
}

/**
 * The part of a results file that answers an experiment: complete, finished within maxAgeH, and
 * holding every cell the experiment plans with the same parameters (a size it calibrates at any
 * value); undefined otherwise.
 */
function covering(results: Results, plan: Plan, request: PlanRequest, maxAgeH: number): Results | undefined {
  const ageH = (Date.now() - Date.parse(results.finishedAt ?? '')) / 3_600_000;
  if (results.status !== 'complete' || !(ageH <= maxAgeH)) return undefined;
  const calibrated = (c: Cell) => {
    const size = request.workloads.find((w) => w.name === c.workload)?.size;
    return size !== undefined && !request.params?.[c.workload]?.[size] ? size : undefined;
  };
  const asked = (c: Cell) => JSON.stringify(Object.entries(c.params).filter(([name]) => name !== calibrated(c)));
  const cells = plan.cells.map((wanted) =>
    results.plan.cells.find((c) => c.id === wanted.id && asked(c) === asked(wanted)),
  );
  if (cells.some((c) => !c || !results.runs.some((r) => r.cellId === c.id && counted(r)))) return undefined;
  const ids = new Set(plan.cells.map((c) => c.id));
  const names = new Set(plan.cells.map((c) => c.workload));
  const used = new Set(plan.cells.map((c) => c.interpreter));
  // What is kept names only what it keeps: a skip or a size of an interpreter left out would name one the file does not list.
  const sizes = results.plan.sizes
    .map((s) => ({ ...s, interpreters: s.interpreters.filter((id) => used.has(id)) }))
    .filter((s) => names.has(s.workload) && s.interpreters.length);
  return {
    ...results,
    interpreters: results.interpreters.filter((i) => used.has(i.id)),
    plan: {
      ...results.plan,
      workloads: results.plan.workloads.filter((w) => names.has(w.name)),
      cells: results.plan.cells.filter((c) => ids.has(c.id)),
      skipped: plan.skipped.filter((s) => used.has(s.interpreter) && names.has(s.workload)),
      sizes,
    },
    runs: results.runs.filter((r) => ids.has(r.cellId)),
  };
}
