import type { Evidence } from './evidence.ts';
import { direction, pct, type Rule, ratio } from './rule.ts';

/** A task that started this late in the run (share of its wall time) was kept waiting by its start-up. */
const LATE_START = 0.2;
/** CPU utilisation below which the tasks mostly waited: half a core for the whole run. */
const WAITING_UTIL = 0.5;
/** Beyond one core by this much (rusage, start-up excluded) is more than a tick's rounding. */
const BEYOND_ONE_CORE_UTIL = 1.1;

const ideal = (e: Evidence) => {
  const idealS = e.summary.cell.idealWallS;
  return idealS ? `, ${(e.summary.primary.median / idealS).toFixed(2)}x the ideal wall time` : '';
};

/**
 * Two or more threads of one process did the work on one core (CPU from getrusage: the /proc peak
 * of short samples reads high by a tick) while more cores were there: they took turns.
 */
const tookTurns = (e: Evidence) =>
  e.processes === 1 && (e.workingThreads ?? 0) >= 2 && e.cpuUtil <= BEYOND_ONE_CORE_UTIL && e.cores >= 2;
/** Only threads that share one GIL can be held back by it. */
const underOneGil = (e: Evidence) => e.oneGil === true;

/**
 * The most a mode can gain without two tasks waiting at once: serial spent 1 − u of its wall time
 * off the CPU, and the same waits taken one at a time take at least that long in any mode.
 */
const waitBound = (e: Evidence) =>
  e.serialCpuUtil === undefined || e.serialCpuUtil >= 1 ? undefined : 1 / (1 - e.serialCpuUtil);

const turns = (e: Evidence) =>
  `its ${e.workingThreads} working threads took turns on one core (CPU util ${e.cpuUtil.toFixed(2)} with ${e.cores} cores there)`;

/** A batch cell (W tasks, timed by the program) against serial: what its numbers show, and why, when they show why. */
export const BATCH_RULES: Rule[] = [
  {
    id: 'batch-noise',
    kinds: ['batch'],
    needs: "the speedup's 95% interval (reaching 1); /proc samples for the turns",
    says: "no difference from serial beyond this run's noise (1.05x [0.93–1.12]); [its N working threads took turns on one core …].",
    holds: (e) => direction(e) === 'noise',
    sentence: (e) =>
      `no difference from serial beyond this run's noise (${ratio(e)}${ideal(e)})${tookTurns(e) ? `; ${turns(e)}` : e.oneAfterAnother ? `; its ${e.summary.cell.workers} tasks ran one after another` : ''}.`,
  },
  {
    id: 'parallel',
    kinds: ['batch'],
    needs: 'interval above 1; ≥ 2 threads or processes running at one sampled moment; CPU util (rusage) ≥ 1.2',
    says: 'X serial: N were running or ready to run at one sampled moment (CPU util U) — in parallel.',
    holds: (e) => direction(e) === 'faster' && (e.runningAtOnce ?? 0) >= 2 && e.cpuUtil >= 1.2,
    sentence: (e) =>
      `${ratio(e)}${ideal(e)}: ${e.runningAtOnce} ${e.processes > 1 ? 'processes or threads' : 'threads'} were running or ready to run at one sampled moment (CPU util ${e.cpuUtil.toFixed(2)}) — in parallel.`,
  },
  {
    id: 'overlapped-waiting',
    kinds: ['batch'],
    needs: 'interval above 1; CPU util (rusage) below 0.5',
    says: 'X serial while using U of a core: the tasks overlapped their waiting — IO-bound, so the GIL was no obstacle.',
    holds: (e) => direction(e) === 'faster' && e.cpuUtil < WAITING_UTIL,
    sentence: (e) =>
      `${ratio(e)}${ideal(e)} while using ${e.cpuUtil.toFixed(2)} of a core (CPU util): the tasks overlapped their waiting — IO-bound, so the GIL was no obstacle.`,
  },
  {
    id: 'waits-overlapped',
    kinds: ['batch'],
    needs:
      "interval above 1 / (1 − serial's CPU util): serial waited that share of its time, and waits taken one at a time allow no more",
    says: 'X serial, beyond the Bx that waiting one task at a time allows (serial waited S% of its time): the tasks overlapped their waiting.',
    holds: (e) => direction(e) === 'faster' && waitBound(e) !== undefined && e.speedup!.low > waitBound(e)!,
    sentence: (e) =>
      `${ratio(e)}${ideal(e)} (CPU util ${e.cpuUtil.toFixed(2)}), beyond the ${waitBound(e)!.toFixed(2)}x that waiting one task at a time allows ` +
      `(serial waited ${pct((1 - e.serialCpuUtil!) * 100)} of its time): the tasks overlapped their waiting.`,
  },
  {
    id: 'faster-unexplained',
    kinds: ['batch'],
    needs: 'interval above 1',
    says: 'X serial (CPU util U); the measurements do not show what made it faster.',
    holds: (e) => direction(e) === 'faster',
    sentence: (e) =>
      `${ratio(e)}${ideal(e)} (CPU util ${e.cpuUtil.toFixed(2)})${tookTurns(e) ? `; ${turns(e)}` : ''}; the measurements do not show what made it faster.`,
  },
  {
    id: 'gil-contention',
    kinds: ['batch'],
    needs:
      'interval below 1; one GIL shared by the threads (a GIL build, not subinterpreters); one process; ≥ 2 working threads; ≥ 2 running at one sampled moment; CPU util above 1.1',
    says: 'X serial; its threads kept more than one core busy and still lost to serial — CPU spent contending for the GIL.',
    holds: (e) =>
      direction(e) === 'slower' &&
      underOneGil(e) &&
      e.processes === 1 &&
      (e.workingThreads ?? 0) >= 2 &&
      (e.runningAtOnce ?? 0) >= 2 &&
      e.cpuUtil > BEYOND_ONE_CORE_UTIL,
    sentence: (e) =>
      `${ratio(e)}; its ${e.workingThreads} threads kept more than one core busy (CPU util ${e.cpuUtil.toFixed(2)}, ${e.runningAtOnce} running at once) and still lost to serial — CPU spent contending for the GIL (waking, signalling, retrying), not on the work.`,
  },
  {
    id: 'gil-turns',
    kinds: ['batch'],
    needs:
      'interval below 1; one GIL shared by the threads; one process; ≥ 2 threads each doing ≥ 10% of its CPU work (/proc per thread); CPU util ≤ 1.1; ≥ 2 cores',
    says: 'X serial; its N working threads took turns on one core — GIL-bound.',
    holds: (e) => direction(e) === 'slower' && underOneGil(e) && tookTurns(e),
    sentence: (e) => `${ratio(e)}; ${turns(e)} — GIL-bound.`,
  },
  {
    id: 'one-after-another',
    kinds: ['batch'],
    needs:
      "interval below 1; the tasks' own start and end times: each began when the one before had ended, in every run",
    says: 'X serial; its W tasks ran one after another — no parallelism.',
    holds: (e) => direction(e) === 'slower' && e.oneAfterAnother === true,
    sentence: (e) =>
      `${ratio(e)}; its ${e.summary.cell.workers} tasks ran one after another (each began when the one before had ended) — no parallelism.`,
  },
  {
    id: 'late-start',
    kinds: ['batch'],
    needs: "interval below 1; the tasks' own start times: the last started after ≥ 20% of the wall time",
    says: 'X serial; the last worker started only after S% of the run: starting the workers cost more than the parallelism gained.',
    holds: (e) => direction(e) === 'slower' && (e.startShare ?? 0) >= LATE_START,
    sentence: (e) =>
      `${ratio(e)}; the last worker started only after ${pct(e.startShare! * 100)} of the run's wall time: starting the workers cost more than the parallelism gained.`,
  },
  {
    id: 'one-thread',
    kinds: ['batch'],
    needs: 'interval below 1; one process; one working thread in the samples',
    says: 'X serial; one thread did all the work — no parallelism.',
    holds: (e) => direction(e) === 'slower' && e.processes === 1 && e.workingThreads === 1,
    sentence: (e) => `${ratio(e)}; one thread did all the work (CPU at most ${pct(e.peakCpuPct!)}) — no parallelism.`,
  },
  {
    id: 'slower-unexplained',
    kinds: ['batch'],
    needs: 'interval below 1',
    says: 'X serial; the measurements do not show why it was slower.',
    holds: (e) => direction(e) === 'slower',
    sentence: (e) =>
      `${ratio(e)}${ideal(e)} (CPU util ${e.cpuUtil.toFixed(2)}); the measurements do not show why it was slower.`,
  },
];
