/** Numbers as the report prints them: a dash where there is no number. */
export const fixed = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const mib = (kib: number) => (kib / 1024).toFixed(1);
