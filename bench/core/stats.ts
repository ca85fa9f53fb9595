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

/** A small seeded generator (mulberry32): resampling gives the same answer every time it is re-run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many of the n1·n2 pairs have a < b, ties counting one half. */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += x < y ? 1 : x === y ? 0.5 : 0;
  return u;
}

/** Number of orderings of n1 a's and n2 b's with each U, without ties (the exact null distribution). */
function exactUCounts(n1: number, n2: number): number[] {
  // counts[j][u]: orderings of i a's and j b's with U = u, built up one a at a time.
  let previous = Array.from({ length: n2 + 1 }, () => [1]);
  for (let i = 1; i <= n1; i++) {
    const current: number[][] = [[1]];
    for (let j = 1; j <= n2; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      // The last element is an a (which then beats j b's: U grows by j) or a b.
      for (const [u, count] of previous[j]!.entries()) row[u + j]! += count;
      for (const [u, count] of current[j - 1]!.entries()) row[u]! += count;
      current.push(row);
    }
    previous = current;
  }
  return previous[n2]!;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf), accurate to about 1e-7. */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const erf =
    1 -
    t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Two-sided Mann-Whitney U test p-value: exact for small samples without ties, otherwise the
 * normal approximation with tie correction and continuity correction.
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return 1;
  const u = mannWhitneyU(a, b);
  const all = [...a, ...b];
  const hasTies = new Set(all).size < all.length;
  if (!hasTies && n1 * n2 <= 2500) {
    const counts = exactUCounts(n1, n2);
    const total = counts.reduce((s, c) => s + c, 0);
    const low = counts.slice(0, Math.floor(u) + 1).reduce((s, c) => s + c, 0) / total;
    const high = counts.slice(Math.ceil(u)).reduce((s, c) => s + c, 0) / total;
    return Math.min(1, 2 * Math.min(low, high));
  }
  const tieGroups = [...all.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<number, number>()).values()];
  const n = n1 + n2;
  const tieTerm = tieGroups.reduce((s, t) => s + (t ** 3 - t), 0) / (n * (n - 1));
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm));
  if (sigma === 0) return 1;
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sigma;
  return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
}

/** An interval of a ratio b/a, with the point estimate that always lies inside it. */
export interface RatioInterval extends Interval {
  /** Hodges–Lehmann: the median of the pairwise ratios b_j / a_i */
  estimate: number;
}

/**
 * P(U < k) for the Mann-Whitney U of n1 and n2 values without ties: exact up to 2500 pairs,
 * else the normal approximation with continuity correction, the same split as mannWhitneyP.
 */
function uBelow(n1: number, n2: number): (k: number) => number {
  if (n1 * n2 > 2500) {
    const sigma = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
    return (k) => normalCdf((k - 0.5 - (n1 * n2) / 2) / sigma);
  }
  const counts = exactUCounts(n1, n2);
  const total = counts.reduce((s, c) => s + c, 0);
  let sum = 0;
  const cumulative = counts.map((c) => {
    sum += c;
    return sum / total;
  });
  return (k) => (k <= 0 ? 0 : cumulative[k - 1]!);
}

/**
 * Distribution-free interval of how much larger b is than a, as a ratio: the Moses interval of
 * the shift of log values, read off the n1·n2 sorted pairwise ratios b_j / a_i as their k-th
 * smallest and k-th largest, k the largest rank whose coverage 1 − 2·P(U < k) reaches `level`.
 * The coverage is exact for any continuous distribution of which b is a scaled copy of a, at
 * every n (the percentile bootstrap of medians claimed a difference in ~10% of A/A trials at 3
 * vs 3). Tied values make the closed interval conservative, not wrong.
 * - either side with fewer than 2 values, or a value that is not positive and finite: no
 *   interval — NaN ends, confidence 0 ("one run: no interval");
 * - too few values to reach `level` (3 vs 3, 2 vs 7 at 95%): the unbounded interval [0, ∞)
 *   with confidence 1 ("too few runs to tell").
 * Either way `low > 1 || high < 1`, the test for a difference, is false.
 */
export function ratioInterval(a: readonly number[], b: readonly number[], level = 0.95): RatioInterval {
  const usable = (xs: readonly number[]) => xs.length > 0 && xs.every((x) => x > 0 && Number.isFinite(x));
  if (!usable(a) || !usable(b)) return { low: NaN, high: NaN, confidence: 0, estimate: NaN };
  const ratios = sorted(a.flatMap((x) => b.map((y) => y / x)));
  const estimate = median(ratios);
  if (a.length < 2 || b.length < 2) return { low: NaN, high: NaN, confidence: 0, estimate };
  const below = uBelow(a.length, b.length);
  const m = ratios.length;
  let k = 0;
  while (k + 1 <= m / 2 && 1 - 2 * below(k + 1) >= level) k++;
  if (k === 0) return { low: 0, high: Infinity, confidence: 1, estimate };
  return { low: ratios[k - 1]!, high: ratios[m - k]!, confidence: 1 - 2 * below(k), estimate };
}

/**
 * The interval has both ends: one run has none (NaN ends) and too few runs an unbounded one
 * ([0, ∞)), and neither can show a difference.
 */
export function bounded(interval: Pick<Interval, 'low' | 'high'>): boolean {
  return Number.isFinite(interval.low) && Number.isFinite(interval.high);
}

/**
 * Two-sided Wilcoxon signed-rank p-value for paired differences (zeros dropped): exact from the
 * subset-sum distribution of ranks when there are no tied magnitudes, else the normal approximation.
 * The paired test for A/B in one interleaved run, where round r of both sides ran side by side.
 */
export function signedRankP(differences: readonly number[]): number {
  const d = differences.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return 1;
  const order = d.map((x, i) => [Math.abs(x), i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const wPlus = d.reduce((sum, x, i) => sum + (x > 0 ? ranks[i]! : 0), 0);
  const tied = new Set(order.map(([m]) => m)).size < n;
  const max = (n * (n + 1)) / 2;
  if (!tied && n <= 50) {
    // counts[s]: how many of the 2^n sign patterns give W+ = s
    let counts = [1];
    for (let rank = 1; rank <= n; rank++) {
      const next = new Array<number>(counts.length + rank).fill(0);
      counts.forEach((c, s) => {
        next[s]! += c;
        next[s + rank]! += c;
      });
      counts = next;
    }
    const total = 2 ** n;
    const low = counts.slice(0, Math.floor(wPlus) + 1).reduce((a, b) => a + b, 0) / total;
    const high = counts.slice(Math.ceil(wPlus)).reduce((a, b) => a + b, 0) / total;
    return Math.min(1, 2 * Math.min(low, high));
  }
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
  const z = (Math.abs(wPlus - max / 2) - 0.5) / sigma;
  return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
}

/** Least-squares line through (x, y): e.g. memory per connection from RSS at several C. */
export function linearFit(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length;
  if (n < 2) return { slope: NaN, intercept: NaN };
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}
