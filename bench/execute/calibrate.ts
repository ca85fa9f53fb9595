/**
 * Work sized to a time (pyperf calibrates its loops the same way): before the first round, each
 * sized workload (its descriptor's `size`) runs one serial task on each interpreter build at a
 * growing size until it lasts a quarter of the profile's target, and the size is scaled from there
 * to the target. The count(n) loop that takes 0.4 s on CPython takes 10 ms on PyPy's JIT: one n for
 * both would leave PyPy's runs too short to sample.
 */

import type { Interpreter } from '../define/interpreters.ts';
import { buildPlan, type Cell, type Plan, type PlanRequest, type Size } from '../define/plan.ts';
import { PROFILE_TARGETS, unlabelled, type Workload } from '../define/workload.ts';
import { measurementOf } from '../store/records.ts';
import { runBatch } from './batch.ts';
import { programCommand } from './outcome.ts';

/** A probe shorter than this share of the target is too short to scale from: the size grows first. */
const SCALE_FROM = 0.25;
/** The most probes one size takes: growing 1000x a probe covers a million-fold range of speeds. */
const MOST_PROBES = 4;
const GROWTH_LIMIT = 1000;
/** Sizes are rounded to this series (a step of 20–33%), so that a machine a few % faster or slower calibrates to the same size. */
const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The plan with every sized workload's size calibrated on its interpreters, unless --param gave it. */
export async function plannedWithSizes(
  request: PlanRequest,
  say: (line: string) => void = () => undefined,
): Promise<Plan> {
  const plan = buildPlan(request);
  const sizes: Size[] = [];
  // Two revisions of one workload (countdown@base, countdown@head) do the same work unless told otherwise.
  const calibrated = new Map<string, Size>();
  for (const [workload, builds] of buildsToSize(plan, request)) {
    for (const [build, interpreters] of builds) {
      const key = `${unlabelled(workload.name)}\0${build}`;
      const earlier = request.params?.[workload.name]?.[workload.size!] ? undefined : calibrated.get(key);
      const size = earlier
        ? { ...earlier, workload: workload.name, interpreters: interpreters.map((i) => i.id) }
        : await sizeOf(workload, interpreters, plan, request, say);
      if (size.how === 'calibrated') calibrated.set(key, size);
      sizes.push(size);
    }
  }
  return sizes.length ? buildPlan({ ...request, sizes }) : plan;
}

/** Each sized workload's interpreters in the plan, by build: the names of one file share a size. */
function buildsToSize(plan: Plan, request: PlanRequest): Map<Workload, Map<string, Interpreter[]>> {
  const sized = new Map<Workload, Map<string, Interpreter[]>>();
  for (const workload of request.workloads.filter((w) => w.size)) {
    const builds = new Map<string, Interpreter[]>();
    for (const interpreter of request.interpreters.filter((i) =>
      plan.cells.some((c) => c.workload === workload.name && c.interpreter === i.id),
    )) {
      builds.set(interpreter.realpath, [...(builds.get(interpreter.realpath) ?? []), interpreter]);
    }
    sized.set(workload, builds);
  }
  return sized;
}

async function sizeOf(
  workload: Workload,
  interpreters: Interpreter[],
  plan: Plan,
  request: PlanRequest,
  say: (line: string) => void,
): Promise<Size> {
  const param = workload.size!;
  const ids = interpreters.map((i) => i.id);
  const cell = plan.cells.find((c) => c.workload === workload.name && c.interpreter === ids[0])!;
  const given = request.params?.[workload.name]?.[param];
  if (given) return { workload: workload.name, param, value: given[0]!, interpreters: ids, how: 'given' };
  const targetS = PROFILE_TARGETS[request.profile].taskS;
  const probe = await probeUntilLong(workload, interpreters[0]!, cell, targetS);
  if (!probe) {
    say(
      `could not calibrate ${workload.name} ${param} on ${ids[0]}: its serial probe failed; the profile's ${cell.params[param]} is used`,
    );
    return { workload: workload.name, param, value: cell.params[param]!, interpreters: ids, how: 'profile' };
  }
  const value = nice((probe.value * targetS) / probe.taskS, workload.params[param]!.integer);
  say(
    `${workload.name} ${param} = ${value.toLocaleString('en-US')} on ${ids.join(', ')}: one serial task took ${probe.taskS.toFixed(3)} s at ${param} = ${probe.value.toLocaleString('en-US')}, target ${targetS} s`,
  );
  return { workload: workload.name, param, value, interpreters: ids, how: 'calibrated', targetS, probe };
}

/** Serial probes at a growing size until one task lasts SCALE_FROM of the target; undefined if a probe fails. */
async function probeUntilLong(
  workload: Workload,
  interpreter: Interpreter,
  cell: Cell,
  targetS: number,
): Promise<{ value: number; taskS: number } | undefined> {
  const param = workload.size!;
  let value = cell.params[param]!;
  for (let probes = 1; ; probes++) {
    const taskS = await serialTaskS(workload, interpreter, { ...cell.params, [param]: value }, cell.timeoutS);
    if (taskS === undefined) return undefined;
    if (taskS >= SCALE_FROM * targetS || probes === MOST_PROBES) return { value, taskS };
    value = Math.ceil(value * Math.min(GROWTH_LIMIT, (SCALE_FROM * targetS * 2) / Math.max(taskS, 1e-6)));
  }
}

/** One serial task's own seconds (start-up excluded), from the program's result line. */
async function serialTaskS(
  workload: Workload,
  interpreter: Interpreter,
  params: Record<string, number>,
  timeoutS: number,
): Promise<number | undefined> {
  const command = programCommand(workload, interpreter, { mode: 'serial', workers: 1, params });
  const outcome = await runBatch({ ...command, timeoutS, sampleIntervalMs: 0 });
  if (!outcome.ok) return undefined;
  const task = measurementOf({ ...outcome, cellId: 'calibration', round: 0, warmup: true }).tasks[0];
  return task && task.end_s - task.start_s;
}

/** The size nearest `value` in the NICE series (log scale), at least 1. */
function nice(value: number, integer: boolean): number {
  const decade = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  const step = NICE.reduce((best, x) =>
    Math.abs(Math.log((x * decade) / value)) < Math.abs(Math.log((best * decade) / value)) ? x : best,
  );
  const rounded = step * decade;
  return integer ? Math.max(1, Math.round(rounded)) : rounded;
}
