/**
 * How steady this machine was for Python code during a run: what the speed probe's timings say
 * (execute/speed-probe.ts takes them). Run-to-run spread up to the probe's own is the machine's.
 */
import { cv, median } from '../core/stats.ts';
import { TIMINGS_PER_PROBE } from '../define/machine.ts';
import type { SpeedProbe } from '../store/results.ts';

/** The report's sentence on it, e.g. "… 11.2 ms median, 8.1–16.0 ms, CV 19% over 24 timings …". */
export function speedSentence(probe: SpeedProbe | undefined): string | undefined {
  if (!probe || probe.seconds.length < 2) return undefined;
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const spread = cv(probe.seconds);
  return (
    `Python speed during the run: count(${probe.n.toLocaleString('en-US')}) on ${probe.interpreter}, timed ${TIMINGS_PER_PROBE} times before every round, ` +
    `took ${ms(median(probe.seconds))} (median), ${(Math.min(...probe.seconds) * 1000).toFixed(1)}–${ms(Math.max(...probe.seconds))}, CV ${(spread * 100).toFixed(0)}% over ${probe.seconds.length} timings. ` +
    `A cell's run-to-run spread up to about that is this machine's, not the workload's.`
  );
}
