/** Small, dependency-free statistics over repeated measurements. */

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Linear-interpolated quantile (type 7, as numpy and R default), q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const xs = sorted(values);
  if (xs.length === 0) return NaN;
  const position = (xs.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return xs[low]! + (xs[high]! - xs[low]!) * (position - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (values.length - 1));
}

/** Coefficient of variation: sample standard deviation over mean. */
export function cv(values: readonly number[]): number {
  return values.length < 2 ? 0 : stddev(values) / mean(values);
}

/** Median absolute deviation, scaled by 1.4826 so it estimates σ for normal data. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((x) => Math.abs(x - m)));
}

/** Values further than `limit` scaled MADs from the median (hyperfine and pyperf use similar rules). */
export function outliers(values: readonly number[], limit = 3.5): number[] {
  const m = median(values);
  const spread = mad(values);
  return spread === 0 ? [] : values.filter((x) => Math.abs(x - m) / spread > limit);
}

function binomialCdf(k: number, n: number): number {
  let term = 0.5 ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= (n - i + 1) / i;
    sum += term;
  }
  return sum;
}

export interface Interval {
  low: number;
  high: number;
  /** the interval's actual coverage: with few samples it cannot reach the level asked for */
  confidence: number;
}

/**
 * Distribution-free confidence interval of the median from order statistics: the narrowest
 * symmetric pair (x(j), x(n+1-j)) whose coverage 1 - 2·P(Binom(n, ½) < j) reaches `level`,
 * or the full range when n is too small for that.
 */
export function medianInterval(values: readonly number[], level = 0.95): Interval {
  const xs = sorted(values);
  const n = xs.length;
  if (n === 0) return { low: NaN, high: NaN, confidence: 0 };
  let j = 1;
  while (j + 1 <= n / 2 && 1 - 2 * binomialCdf(j, n) >= level) j++;
  const confidence = n === 1 ? 0 : 1 - 2 * binomialCdf(j - 1, n);
  return { low: xs[j - 1]!, high: xs[n - j]!, confidence };
}
