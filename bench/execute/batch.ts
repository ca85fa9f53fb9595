import { MeasurementSchema } from '../store/contract.ts';
import { treeCpuS } from '../store/records.ts';
import { type BatchOutcome, hostDuring, lastJsonLine, notRun } from './outcome.ts';
import { readCpuTimes } from './proc.ts';
import { type ChildCommand, spawnWatched } from './spawn.ts';

/**
 * Runs one batch workload: spawn, sample, wait, and read its one result line. Never throws for
 * the child's failures: they are the record's error.
 */
export async function runBatch(command: ChildCommand): Promise<BatchOutcome> {
  const cpuBefore = readCpuTimes();
  const watched = await spawnWatched(command);
  if ('error' in watched) return { kind: 'batch', ...notRun(watched.error, command.sampleIntervalMs) };
  const { stdout, error, ...finished } = await watched.finish();
  if (error) return { kind: 'batch', ok: false, error, ...finished };
  const measurement = MeasurementSchema.safeParse(lastJsonLine(stdout));
  if (!measurement.success)
    return { kind: 'batch', ok: false, error: 'printed no valid result line on stdout', ...finished };
  const host = hostDuring(cpuBefore, readCpuTimes(), finished.processWallS, treeCpuS(measurement.data.rusage_total));
  return { kind: 'batch', ok: true, ...finished, measurement: measurement.data, host };
}
