/**
 * What the batch and the server runner share: the outcome of a run before the suite files it, the
 * record of a run that never started, the program's last line, and what else the machine did.
 */
import { tryParseJson } from '../core/json.ts';
import type { Interpreter } from '../define/interpreters.ts';
import type { Cell } from '../define/plan.ts';
import type { Workload } from '../define/workload.ts';
import type { BatchRun, RunRecord, ServerRun } from '../store/records.ts';
import type { CpuTimes } from './proc.ts';
import { summarise } from './sample.ts';

/** What a run yields, before the suite files it under its cell and round. */
type Outcome<R extends RunRecord> = Omit<R, 'cellId' | 'round' | 'warmup'>;
export type BatchOutcome = Outcome<BatchRun>;
export type ServerOutcome = Outcome<ServerRun>;
export type RunOutcome = BatchOutcome | ServerOutcome;

/** The last line a program printed, parsed as JSON: where workloads put their result. */
export function lastJsonLine(stdout: string): unknown {
  return tryParseJson(stdout.trim().split('\n').at(-1) ?? '');
}

/**
 * CPU the rest of the machine used during wallS (the harness included), in % of one core,
 * beyond the accountedS seconds of the measured tree; and the share of CPU time the hypervisor
 * stole: the two reasons a quiet number is not.
 */
export function hostDuring(
  before: CpuTimes | undefined,
  after: CpuTimes | undefined,
  wallS: number,
  accountedS: number,
) {
  if (!before || !after || wallS <= 0) return undefined;
  const totalS = after.totalS - before.totalS;
  return {
    othersCpuPct: Math.max(0, (100 * (after.busyS - before.busyS - accountedS)) / wallS),
    stealPct: totalS > 0 ? (100 * (after.stealS - before.stealS)) / totalS : 0,
  };
}

/** The record of a run that never got as far as a process. */
export function notRun(error: string, sampleIntervalMs: number): Omit<BatchOutcome, 'kind'> {
  return {
    ok: false,
    error,
    processWallS: 0,
    timeline: { summary: summarise([], sampleIntervalMs, 'proc'), samples: [] },
  };
}

/** One run of a workload's program: its own arguments, the mode and W, and the parameters it takes (a server's load takes the rest). */
export function programCommand(
  workload: Workload,
  interpreter: Interpreter,
  cell: Pick<Cell, 'mode' | 'workers' | 'params'>,
) {
  const params = Object.entries(cell.params).filter(
    ([name]) => !workload.server || workload.server.programParams.includes(name),
  );
  return {
    executable: interpreter.executable,
    env: interpreter.env,
    args: [
      workload.programPath,
      ...(workload.programArgs ?? []),
      ...['--mode', cell.mode, '--workers', String(cell.workers)],
      ...params.flatMap(([name, value]) => [`--${name}`, String(value)]),
    ],
  };
}
