import { z } from 'zod';
import { fail } from './errors.ts';
import type { Interpreter } from './interpreters.ts';
import type { Profile, Workload } from './workload.ts';

export const CellSchema = z.object({
  id: z.string(),
  workload: z.string(),
  mode: z.string(),
  workers: z.number().int().positive(),
  interpreter: z.string(),
  params: z.record(z.string(), z.number()),
  timeoutS: z.number().positive(),
});
export type Cell = z.infer<typeof CellSchema>;

export const PlanSchema = z.object({
  profile: z.string(),
  warmup: z.number().int().nonnegative(),
  repeats: z.number().int().positive(),
  sampleIntervalMs: z.number().nonnegative(),
  cells: z.array(CellSchema),
});
export type Plan = z.infer<typeof PlanSchema>;

export interface PlanRequest {
  workloads: Workload[];
  interpreters: Interpreter[];
  profile: Profile;
  /** Overrides of the workloads' own per-profile choices; undefined keeps the workload's. */
  modes?: string[];
  workers?: number[];
  repeats?: number;
  warmup?: number;
  sampleIntervalMs: number;
}

/** Expands workloads × modes × workers × interpreters into cells. */
export function buildPlan(request: PlanRequest): Plan {
  const { profile } = request;
  const cells: Cell[] = [];
  for (const workload of request.workloads) {
    const modes = request.modes ?? [...workload.modes];
    for (const mode of modes) {
      if (!workload.modes.includes(mode)) {
        fail(`Workload "${workload.name}" has no mode "${mode}"; its modes are: ${workload.modes.join(', ')}.`);
      }
    }
    const params = Object.fromEntries(Object.entries(workload.params).map(([name, spec]) => [name, spec.values[profile]]));
    for (const interpreter of request.interpreters) {
      for (const workers of request.workers ?? workload.workers[profile]) {
        for (const mode of modes) {
          cells.push({
            id: `${workload.name}/${mode}/w${workers}/${interpreter.id}`,
            workload: workload.name,
            mode,
            workers,
            interpreter: interpreter.id,
            params,
            timeoutS: workload.timeoutS[profile],
          });
        }
      }
    }
  }
  return {
    profile,
    warmup: request.warmup ?? Math.max(0, ...request.workloads.map((w) => w.warmup[profile])),
    repeats: request.repeats ?? Math.max(...request.workloads.map((w) => w.repeats[profile])),
    sampleIntervalMs: request.sampleIntervalMs,
    cells,
  };
}

export interface ScheduledRun {
  cell: Cell;
  /** 0-based; rounds below plan.warmup are warm-up runs whose numbers are not used. */
  round: number;
  warmup: boolean;
}

/**
 * Interleaved order, as asv does it: round 1 of every cell, then round 2, …, so that drift
 * in the machine's speed spreads over all cells instead of landing on one.
 */
export function* schedule(plan: Plan): Generator<ScheduledRun> {
  const rounds = plan.warmup + plan.repeats;
  for (let round = 0; round < rounds; round++) {
    for (const cell of plan.cells) yield { cell, round, warmup: round < plan.warmup };
  }
}

export function totalRuns(plan: Plan): number {
  return plan.cells.length * (plan.warmup + plan.repeats);
}
