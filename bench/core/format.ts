/** Numbers as the report prints them: a dash where there is no number. */
export const fixed = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const mib = (kib: number) => (kib / 1024).toFixed(1);

/** A latency with enough digits to be non-zero and a unit that fits: "38 µs", "0.90 ms", "5.12 ms", "10.7 ms", "120 ms". */
export function latency(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const us = seconds * 1e6;
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
  const ms = us / 1000;
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
