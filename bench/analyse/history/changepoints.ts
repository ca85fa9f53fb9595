import { type Interval, median, quantile, seededRandom } from '../../core/stats.ts';

/**
 * Change points in a metric's history: per cell and metric, a series ordered by commit, each
 * commit with its runs. Where did the level change, by how much, and how sure are we?
 *
 * Method: E-Divisive means (Matteson & James, "A Nonparametric Approach for Multiple Change Point
 * Analysis of Multivariate Data", JASA 2014), as MongoDB's CI uses it (Daly et al., "The Use of
 * Change Point Detection to Identify Software Performance Regressions in a Continuous Integration
 * System", ICPE 2020; their signal-processing-algorithms package), with its permutation test. Like
 * theirs, the second segment runs to the end of the segment being split (no κ search), unless the
 * shortChanges option asks for short ones too. Adapted to benchmark history in four ways:
 *  - It works on log(run): a change is a ratio, so a 10% step weighs the same at 1 s or 100 s
 *    and "after / before" is the natural effect.
 *  - Every run is an observation (not one median per commit): a change between the last two
 *    commits can only be seen in the last commit's runs. But a split falls only between commits,
 *    never inside one, so several runs or occasions of one commit stay on one side.
 *  - The permutation test, not the t-test of Hunter (Fleming et al., ICPE 2023): the split tested
 *    is the best of many, and the permutation null is the distribution of that best split's
 *    statistic among exchangeable runs, so the p-value accounts for the search. A t-test of the
 *    chosen split does not (its p-value is too small on long series). And a t-test on means is
 *    pulled by a single outlier run, while in the energy statistic an outlier raises the distance
 *    between segments and the spread within its own segment alike, and the effect is of medians.
 *    Permutations are seeded (deterministic), and fast: the statistic at every commit boundary
 *    takes O(n log n) with a Fenwick tree over the runs' ranks, since in one dimension
 *    Σ|x − y| needs only the count and sum of the values below x.
 *  - After the divisive search, a change point whose effect between its neighbours is below
 *    minEffect is dropped, merging two segments (as Hunter re-validates between neighbours, but
 *    on the effect only): tiny real differences are not reported.
 * Each reported change point gets: the commit range where it happened (a bootstrap of the runs
 * within each commit, re-locating the split: a sharp step gives one commit, a drift several), the
 * ratio of the medians after / before with a bootstrap interval, and its permutation p-value.
 */

/** One commit of the series, in commit order: its runs' raw metric values (all positive). */
export interface CommitRuns {
  id: string;
  values: readonly number[];
}

export interface ChangePointOptions {
  /** significance level of each permutation test; default 0.01 */
  alpha?: number;
  /** smallest relative change reported, |after / before − 1| in log terms; default 0.02 */
  minEffect?: number;
  /** permutations per test; at least 1 / alpha − 1 so that p ≤ alpha is reachable; default 199 */
  permutations?: number;
  /** bootstrap resamples that locate each change point's commit range; default 200 */
  locationResamples?: number;
  /** confidence level of the effect interval and of the commit range; default 0.95 */
  level?: number;
  /** commits each side of a change point its medians and effect are taken from, at most; default EFFECT_WINDOW */
  effectWindow?: number;
  /**
   * Also compare each boundary's past with just the next 1 … shortChanges commits (Matteson &
   * James's κ, limited), so that a change reverted that soon is found, as two change points.
   * Default 0, Y always to the segment's end as MongoDB and Hunter do: such a blip goes unseen
   * once history has moved past it. 3 finds a +20% blip of 2 commits (5 runs, CV 3%) every time
   * instead of 1 in 4, but costs power for lasting small steps (a 5% step in 10% noise: found in
   * 28% of series instead of 44%), a commit or so of delay, and about 1.6× the time.
   */
  shortChanges?: number;
  seed?: number;
}

export interface ChangePoint {
  /** position in the input of the first commit measured at the new level (the best estimate) */
  index: number;
  /** that commit's id */
  commit: string;
  /** the range: the last commit surely at the old level and the first surely at the new one */
  from: string;
  to: string;
  /** their positions in the input; a sharp step has fromIndex = index − 1 and toIndex = index */
  fromIndex: number;
  toIndex: number;
  /** medians of the raw runs before and after (within effectWindow commits) */
  before: number;
  after: number;
  runsBefore: number;
  runsAfter: number;
  /** after / before; above 1 the metric went up (for a time: slower; for a speedup: better) */
  effect: number;
  /** bootstrap interval of the effect (ratio of medians) */
  interval: Interval;
  /**
   * permutation p-value of the split in the segment where the divisive search found it; its floor
   * is 1 / (permutations + 1), so the default's 0.005 means "0.005 or less"
   */
  p: number;
  direction: 'increase' | 'decrease';
}

interface Settings {
  alpha: number;
  minLogEffect: number;
  permutations: number;
  locationResamples: number;
  level: number;
  effectWindow: number;
  shortChanges: number;
  seed: number;
}

/** The default effectWindow: commits each side of a change point its levels are taken from, at most. */
export const EFFECT_WINDOW = 20;

function settingsOf(options: ChangePointOptions): Settings {
  const alpha = options.alpha ?? 0.01;
  const permutations = options.permutations ?? 199;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), not ${alpha}`);
  // With R permutations the smallest p-value is 1 / (R + 1): fewer could never reach alpha.
  if (permutations < Math.ceil(1 / alpha - 1))
    throw new RangeError(`${permutations} permutations cannot reach p ≤ ${alpha}`);
  const shortChanges = options.shortChanges ?? 0;
  if (!(Number.isInteger(shortChanges) && shortChanges >= 0))
    throw new RangeError(`shortChanges must be a whole number of commits, not ${shortChanges}`);
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), not ${level}`);
  return {
    alpha,
    minLogEffect: Math.log1p(options.minEffect ?? 0.02),
    permutations,
    locationResamples: options.locationResamples ?? 200,
    level,
    effectWindow: options.effectWindow ?? EFFECT_WINDOW,
    shortChanges,
    seed: options.seed ?? 1,
  };
}

/** The measured commits' runs laid end to end, in commit order. */
interface Series {
  /** position in the input of each measured commit (commits without runs are skipped) */
  origin: number[];
  /** run offset of each measured commit; start[commits] = number of runs */
  start: number[];
  logs: Float64Array;
  raw: Float64Array;
  commits: number;
}

function seriesOf(input: readonly CommitRuns[]): Series {
  const origin: number[] = [];
  const start: number[] = [0];
  const raw: number[] = [];
  input.forEach((commit, i) => {
    for (const value of commit.values) {
      if (!(value > 0 && Number.isFinite(value)))
        throw new RangeError(`commit ${commit.id}: run value ${value} is not a positive number`);
    }
    if (commit.values.length === 0) return; // nothing measured: the range around it will span it
    origin.push(i);
    raw.push(...commit.values);
    start.push(raw.length);
  });
  return { origin, start, raw: Float64Array.from(raw), logs: Float64Array.from(raw, Math.log), commits: origin.length };
}

/**
 * Fenwick tree over ranks 1..n with counts and sums: Σ|v − x| over the values inserted so far,
 * in O(log n). Values of equal rank may be inserted more than once (bootstrap resamples).
 */
class DistanceTree {
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly size: number;
  private inserted = 0;
  private total = 0;

  constructor(size: number) {
    this.size = size;
    this.count = new Float64Array(size + 1);
    this.sum = new Float64Array(size + 1);
  }

  clear(): void {
    this.count.fill(0);
    this.sum.fill(0);
    this.inserted = 0;
    this.total = 0;
  }

  /** Inserts v at rank r and returns its summed distance to the values inserted before it. */
  insert(r: number, v: number): number {
    let below = 0;
    let belowSum = 0;
    for (let i = r - 1; i > 0; i -= i & -i) {
      below += this.count[i]!;
      belowSum += this.sum[i]!;
    }
    // Values of rank ≥ r are ≥ v (equal ones add |v − v| = 0 either way).
    const distance = v * below - belowSum + (this.total - belowSum) - v * (this.inserted - below);
    for (let i = r; i <= this.size; i += i & -i) {
      this.count[i]! += 1;
      this.sum[i]! += v;
    }
    this.inserted += 1;
    this.total += v;
    return distance;
  }
}

/** A run of consecutive commits [lo, hi), prepared for the statistic: ranks local to it. */
interface Segment {
  lo: number;
  hi: number;
  /** local rank (1-based) of each run, in series order */
  ranks: Int32Array;
  /** log value of each local rank */
  valueOfRank: Float64Array;
  /** run offsets, relative to the segment, of the boundaries before commits lo+1 … hi-1 */
  cuts: Int32Array;
  tree: DistanceTree;
  left: Float64Array;
  right: Float64Array;
}

function segmentOf(series: Series, lo: number, hi: number): Segment {
  const first = series.start[lo]!;
  const n = series.start[hi]! - first;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => series.logs[first + a]! - series.logs[first + b]!,
  );
  const ranks = new Int32Array(n);
  const valueOfRank = new Float64Array(n);
  order.forEach((run, i) => {
    ranks[run] = i + 1;
    valueOfRank[i] = series.logs[first + run]!;
  });
  const cuts = Int32Array.from({ length: hi - lo - 1 }, (_, k) => series.start[lo + 1 + k]! - first);
  return {
    lo,
    hi,
    ranks,
    valueOfRank,
    cuts,
    tree: new DistanceTree(n),
    left: new Float64Array(cuts.length),
    right: new Float64Array(cuts.length),
  };
}

/** Matteson & James's Q̂ from the within sums of X, of Y and of both together (sizes n, m). */
function energyQ(n: number, m: number, withinX: number, withinY: number, withinBoth: number): number {
  const between = withinBoth - withinX - withinY;
  // The mean distance within one value is zero: a single-run side contributes no within term.
  const energy =
    (2 * between) / (n * m) - (n > 1 ? withinX / ((n * (n - 1)) / 2) : 0) - (m > 1 ? withinY / ((m * (m - 1)) / 2) : 0);
  return ((n * m) / (n + m)) * energy;
}

/**
 * Matteson & James's Q̂ at every commit boundary of the segment, for runs given as local ranks in
 * series order (the observed order, a permutation, or a bootstrap resample):
 *   Q̂ = (nm / (n + m)) · (2/(nm) Σ|x − y| − C(n,2)⁻¹ Σ|x − x'| − C(m,2)⁻¹ Σ|y − y'|)
 * X is the segment before the boundary; Y runs to the segment's end (as MongoDB's and Hunter's)
 * or, when `short` > 0, also to just the next 1 … short commits (their κ < T): a change reverted a
 * few commits later is a small share of a long Y and all but invisible, but not against a short one.
 * The within sums of every prefix and suffix come from two passes of the tree; those of short Ys
 * from direct sums over their few runs.
 */
function boundaryStatistics(segment: Segment, ranks: Int32Array, short: number, out: Float64Array): void {
  const { cuts, tree, valueOfRank, left, right } = segment;
  const n = ranks.length;
  tree.clear();
  let within = 0;
  for (let i = 0, c = 0; i < n; i++) {
    if (c < cuts.length && cuts[c] === i) left[c++] = within;
    within += tree.insert(ranks[i]!, valueOfRank[ranks[i]! - 1]!);
  }
  const total = within;
  tree.clear();
  within = 0;
  for (let i = n - 1, c = cuts.length - 1; i >= 0; i--) {
    within += tree.insert(ranks[i]!, valueOfRank[ranks[i]! - 1]!);
    if (c >= 0 && cuts[c] === i) right[c--] = within;
  }
  for (let c = 0; c < cuts.length; c++) {
    out[c] = energyQ(cuts[c]!, n - cuts[c]!, left[c]!, right[c]!, total);
    // Short Ys: the commits from this boundary up to boundary c + j (ending before the segment does).
    let withinY = 0;
    for (let j = 1, i = cuts[c]!; j <= short && c + j < cuts.length; j++) {
      for (; i < cuts[c + j]!; i++) {
        const v = valueOfRank[ranks[i]! - 1]!;
        for (let k = cuts[c]!; k < i; k++) withinY += Math.abs(v - valueOfRank[ranks[k]! - 1]!);
      }
      out[c] = Math.max(out[c]!, energyQ(cuts[c]!, cuts[c + j]! - cuts[c]!, left[c]!, withinY, left[c + j]!));
    }
  }
}

function argmax(xs: Float64Array): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** A seed per segment, so that a segment's answer does not depend on the order segments are visited in. */
function seedFor(settings: Settings, lo: number, hi: number, salt: number): number {
  return (
    (settings.seed ^
      Math.imul(lo + 1, 0x9e3779b1) ^
      Math.imul(hi + 1, 0x85ebca6b) ^
      Math.imul(salt + 1, 0xc2b2ae35)) >>>
    0
  );
}

function shuffle(xs: Int32Array, random: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}

/**
 * Permutation p-value of an observed Q̂ against the best split of the segment's runs shuffled
 * (under no change the runs are exchangeable; the maximum makes the test account for the search).
 * Stops early once p ≤ alpha is out of reach: most segments have no change, and this keeps them cheap.
 */
function permutationP(segment: Segment, observed: number, settings: Settings): number {
  const random = seededRandom(seedFor(settings, segment.lo, segment.hi, 0));
  const shuffled = Int32Array.from(segment.ranks);
  const statistics = new Float64Array(segment.cuts.length);
  const tolerance = 1e-12 * Math.abs(observed);
  const total = settings.permutations;
  let exceed = 0;
  for (let i = 1; i <= total; i++) {
    shuffle(shuffled, random);
    boundaryStatistics(segment, shuffled, settings.shortChanges, statistics);
    if (statistics[argmax(statistics)]! >= observed - tolerance) exceed++;
    if ((1 + exceed) / (total + 1) > settings.alpha) return (1 + exceed) / (1 + i);
  }
  return (1 + exceed) / (total + 1);
}

/** The divisive search: split at the best boundary while the split is significant, then split each side. */
function divide(series: Series, lo: number, hi: number, settings: Settings, found: { cut: number; p: number }[]): void {
  if (hi - lo < 2) return;
  const segment = segmentOf(series, lo, hi);
  const statistics = new Float64Array(segment.cuts.length);
  boundaryStatistics(segment, segment.ranks, settings.shortChanges, statistics);
  const best = argmax(statistics);
  const p = permutationP(segment, statistics[best]!, settings);
  if (p > settings.alpha) return;
  const cut = lo + 1 + best;
  found.push({ cut, p });
  divide(series, lo, cut, settings, found);
  divide(series, cut, hi, settings, found);
}

/** Runs of commits [lo, hi) (raw values). */
function runsOf(series: Series, lo: number, hi: number): number[] {
  return Array.from(series.raw.subarray(series.start[lo]!, series.start[hi]!));
}

/** A change point at commit `cut` between its neighbours: the segment [previous, next) holds only it. */
interface Candidate {
  previous: number;
  cut: number;
  next: number;
}

function levelsOf(series: Series, { previous, cut, next }: Candidate, settings: Settings) {
  const before = runsOf(series, Math.max(previous, cut - settings.effectWindow), cut);
  const after = runsOf(series, cut, Math.min(next, cut + settings.effectWindow));
  return { before, after, logEffect: Math.log(median(after) / median(before)) };
}

/**
 * Drops the divisive search's change points whose effect between their final neighbours is below
 * minEffect, the smallest first, re-measuring its neighbours, which now border a longer segment.
 * Significance is not re-tested between neighbours (as Hunter does): a change point found in a
 * long segment would be re-tested in a short one, with less data, and a big step could be dropped
 * because a small one was found next to it.
 */
function prune(
  series: Series,
  found: { cut: number; p: number }[],
  settings: Settings,
): { candidate: Candidate; p: number }[] {
  const kept = [...found].sort((a, b) => a.cut - b.cut);
  for (;;) {
    const candidates = kept.map(({ cut }, i) => ({
      previous: kept[i - 1]?.cut ?? 0,
      cut,
      next: kept[i + 1]?.cut ?? series.commits,
    }));
    const sizes = candidates.map((candidate) => Math.abs(levelsOf(series, candidate, settings).logEffect));
    const smallest = sizes.indexOf(Math.min(...sizes));
    if (smallest < 0 || sizes[smallest]! >= settings.minLogEffect)
      return candidates.map((candidate, i) => ({ candidate, p: kept[i]!.p }));
    kept.splice(smallest, 1);
  }
}

/**
 * Where the change happened, as a range of commits: the split is re-located on bootstrap
 * resamples of the runs within each commit (commit boundaries kept), and the central `level`
 * share of those locations (with the estimate itself) is the range. A sharp step lands on one
 * boundary every time; a drift, or a small step in noise, wanders over several.
 */
function locationRange(
  series: Series,
  { previous, cut, next }: Candidate,
  settings: Settings,
): { first: number; last: number } {
  const segment = segmentOf(series, previous, next);
  const random = seededRandom(seedFor(settings, previous, next, cut));
  const resample = new Int32Array(segment.ranks.length);
  const statistics = new Float64Array(segment.cuts.length);
  const locations: number[] = [];
  const base = series.start[previous]!;
  for (let b = 0; b < settings.locationResamples; b++) {
    for (let k = previous; k < next; k++) {
      const from = series.start[k]! - base;
      const size = series.start[k + 1]! - series.start[k]!;
      for (let j = 0; j < size; j++) resample[from + j] = segment.ranks[from + Math.floor(random() * size)]!;
    }
    boundaryStatistics(segment, resample, settings.shortChanges, statistics);
    locations.push(previous + 1 + argmax(statistics));
  }
  locations.sort((a, b) => a - b);
  const tail = ((1 - settings.level) / 2) * (locations.length - 1);
  const first = locations.length ? locations[Math.floor(tail)]! : cut;
  const last = locations.length ? locations[Math.ceil(locations.length - 1 - tail)]! : cut;
  return { first: Math.min(first, cut), last: Math.max(last, cut) };
}

/**
 * The median of a bootstrap resample of `sorted` (ascending), without sorting the resample: draw
 * how many times each position is picked, then walk the counts to the middle position(s).
 */
function resampledMedian(sorted: Float64Array, counts: Int32Array, random: () => number): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(random() * n)]! += 1;
  const lowPosition = Math.floor((n - 1) / 2);
  const highPosition = Math.ceil((n - 1) / 2);
  let seen = 0;
  let low = NaN;
  for (let j = 0; j < n; j++) {
    seen += counts[j]!;
    if (Number.isNaN(low) && seen > lowPosition) low = sorted[j]!;
    if (seen > highPosition) return (low + sorted[j]!) / 2;
  }
  return NaN;
}

/**
 * Percentile bootstrap interval of median(after) / median(before): 2000 seeded resamples, each
 * side's runs resampled with replacement on its own, the ratio of the two resamples' medians each
 * time, and the (1 − level)/2 and 1 − (1 − level)/2 type-7 quantiles of those ratios. Each
 * resample's median is found from its counts (resampledMedian), not by sorting it: those sorts took
 * most of the detector's time on a long series with several changes.
 */
function effectInterval(before: readonly number[], after: readonly number[], level: number, seed: number): Interval {
  const random = seededRandom(seed);
  const a = Float64Array.from(before).sort();
  const b = Float64Array.from(after).sort();
  const countsA = new Int32Array(a.length);
  const countsB = new Int32Array(b.length);
  const ratios = Array.from(
    { length: 2000 },
    () => resampledMedian(b, countsB, random) / resampledMedian(a, countsA, random),
  );
  return { low: quantile(ratios, (1 - level) / 2), high: quantile(ratios, 1 - (1 - level) / 2), confidence: level };
}

function describe(
  series: Series,
  input: readonly CommitRuns[],
  candidate: Candidate,
  p: number,
  settings: Settings,
): ChangePoint {
  const { before, after } = levelsOf(series, candidate, settings);
  const range = locationRange(series, candidate, settings);
  const index = series.origin[candidate.cut]!;
  const fromIndex = series.origin[range.first - 1]!;
  const toIndex = series.origin[range.last]!;
  const effect = median(after) / median(before);
  return {
    index,
    commit: input[index]!.id,
    from: input[fromIndex]!.id,
    to: input[toIndex]!.id,
    fromIndex,
    toIndex,
    before: median(before),
    after: median(after),
    runsBefore: before.length,
    runsAfter: after.length,
    effect,
    interval: effectInterval(
      before,
      after,
      settings.level,
      seedFor(settings, candidate.previous, candidate.next, candidate.cut),
    ),
    p,
    direction: effect >= 1 ? 'increase' : 'decrease',
  };
}

/**
 * Change points of one cell's metric over commits, oldest first. Deterministic for a given seed.
 * Commits without runs are skipped (a change next to one gets a range spanning it).
 */
export function detectChangePoints(commits: readonly CommitRuns[], options: ChangePointOptions = {}): ChangePoint[] {
  const settings = settingsOf(options);
  const series = seriesOf(commits);
  const found: { cut: number; p: number }[] = [];
  divide(series, 0, series.commits, settings, found);
  return prune(series, found, settings).map(({ candidate, p }) => describe(series, commits, candidate, p, settings));
}
