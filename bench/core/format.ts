import type { Interval } from './stats.ts';

/** Numbers as the report prints them: a dash where there is no number. */
export const fixed = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const mib = (kib: number) => (kib / 1024).toFixed(1);

/** A ratio as a change, "+4.8%" or "-12.0%" (a dash for no number). */
export const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${fixed((ratio - 1) * 100, 1)}%`;

/** A latency with enough digits to be non-zero and a unit that fits: "38 µs", "0.90 ms", "5.12 ms", "10.7 ms", "120 ms". */
export function latency(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const us = seconds * 1e6;
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
  const ms = us / 1000;
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/**
 * An interval as a verdict prints it, "[1.12–1.57]", or why there is none: one run has no
 * interval, and too few runs cannot reach its level (stats.ts ratioInterval's unbounded answer).
 */
export function bracket(interval: Pick<Interval, 'low' | 'high'>, runs: number, digits = 2): string {
  if (!Number.isFinite(interval.low)) return '(one run: no interval)';
  if (interval.high === Infinity) return `(too few runs to tell, n = ${runs})`;
  return `[${interval.low.toFixed(digits)}–${interval.high.toFixed(digits)}]`;
}
