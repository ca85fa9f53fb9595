import type { CellSummary } from './summary.ts';

/** At or above this speedup over serial a mode is said to run in parallel. */
const PARALLEL_FROM = 1.3;
/**
 * Total CPU% of the tree that still counts as "one core": /proc counts CPU in 10 ms ticks,
 * so a 100 ms sample of a process pinned to one core can read 110% or 120%.
 */
const ONE_CORE_PCT = 130;

/**
 * One line, computed from the data only: whether the mode ever used more than one core,
 * and whether it got faster than serial anyway.
 */
export function verdictFor(summary: CellSummary, head = `${summary.cell.mode} at W=${summary.cell.workers}`): string {
  const { cell, speedup, peakCpuPct, maxPids, maxThreads } = summary;
  if (summary.repeats === 0) return `${head}: no successful run, no verdict.`;
  if (speedup === undefined) return `${head}: no serial cell to compare with.`;
  const ratio = `${speedup.toFixed(2)}x serial`;
  const peak = Math.round(peakCpuPct);
  const ideal = cell.idealWallS ? `, ${(summary.primary.median / cell.idealWallS).toFixed(2)}x the ideal wall time` : '';
  if (peakCpuPct < ONE_CORE_PCT) {
    if (speedup >= PARALLEL_FROM) {
      return `${head}: ${ratio}${ideal}, while total CPU never went above ${peak}% of one core (CPU util ${summary.cpuUtilisation.toFixed(2)}): the tasks overlapped their waiting — IO-bound, so the GIL was no obstacle.`;
    }
    const why =
      maxThreads > 1 && maxPids === 1
        ? `its ${maxThreads} threads took turns on one core — GIL-bound`
        : 'one thread did all the work — no parallelism';
    return `${head}: ${ratio}; total CPU never above ${peak}% of one core: ${why}.`;
  }
  const spread = `total CPU reached ${peak}% over ${maxPids} process${maxPids === 1 ? '' : 'es'}`;
  if (speedup >= PARALLEL_FROM) return `${head}: ${ratio}${ideal}; ${spread} — runs in parallel.`;
  if (maxPids === 1 && maxThreads > 1 && speedup < 1) {
    return `${head}: ${ratio}; its ${maxThreads} threads kept more than one core busy and still lost to serial — CPU spent contending for the GIL (waking, signalling, retrying), not on the work.`;
  }
  const gain = speedup < 1 ? 'yet slower than serial' : 'yet little faster than serial';
  return `${head}: ${ratio}; ${spread}, ${gain} — starting and coordinating the workers cost more than the parallelism gained.`;
}
