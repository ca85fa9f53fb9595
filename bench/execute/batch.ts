import { readCpuTimes, type CpuTimes } from './proc.ts';
import { MeasurementSchema, treeCpuS, type BatchRun, type RunRecord, type ServerRun } from '../store/results.ts';
import { summarise } from './sample.ts';
import { spawnWatched, type ChildCommand } from './spawn.ts';
import { tryParseJson } from '../core/json.ts';

/** A batch workload's command: run to its end, or stopped on timeout or abort. */
export type BatchCommand = ChildCommand;

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
 * Runs one batch workload: spawn, sample, wait, and read its one result line. Never throws for
 * the child's failures: they are the record's error.
 */
export async function runBatch(command: BatchCommand): Promise<BatchOutcome> {
  const cpuBefore = readCpuTimes();
  const watched = await spawnWatched(command);
  if ('error' in watched) return { kind: 'batch', ...notRun(watched.error, command.sampleIntervalMs) };
  const { stdout, error, ...finished } = await watched.finish();
  if (error) return { kind: 'batch', ok: false, error, ...finished };
  const measurement = MeasurementSchema.safeParse(lastJsonLine(stdout));
  if (!measurement.success) return { kind: 'batch', ok: false, error: 'printed no valid result line on stdout', ...finished };
  const host = hostDuring(cpuBefore, readCpuTimes(), finished.processWallS, treeCpuS(measurement.data.rusage_total));
  return { kind: 'batch', ok: true, ...finished, measurement: measurement.data, host };
}

/**
 * CPU the rest of the machine used during wallS (the harness included), in % of one core,
 * beyond the accountedS seconds of the measured tree; and the share of CPU time the hypervisor
 * stole: the two reasons a quiet number is not.
 */
export function hostDuring(before: CpuTimes | undefined, after: CpuTimes | undefined, wallS: number, accountedS: number) {
  if (!before || !after || wallS <= 0) return undefined;
  const totalS = after.totalS - before.totalS;
  return {
    othersCpuPct: Math.max(0, (100 * (after.busyS - before.busyS - accountedS)) / wallS),
    stealPct: totalS > 0 ? (100 * (after.stealS - before.stealS)) / totalS : 0,
  };
}

/** The record of a run that never got as far as a process. */
export function notRun(error: string, sampleIntervalMs: number): Omit<BatchOutcome, 'kind'> {
  return { ok: false, error, processWallS: 0, timeline: { summary: summarise([], sampleIntervalMs, 'proc'), samples: [] } };
}
