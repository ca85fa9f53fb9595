import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cv,
  mad,
  mannWhitneyP,
  mannWhitneyU,
  median,
  medianInterval,
  outliers,
  quantile,
  signedRankP,
} from '../bench/core/stats.ts';
import { formatDuration } from '../bench/execute/progress.ts';

test('median and quantiles interpolate like numpy', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([10, 20], 0.9), 19);
  assert.ok(Number.isNaN(median([])));
});

test('median interval uses the textbook order statistics', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  // Known distribution-free 95% intervals: n=10 -> (x2, x9), n=20 -> (x6, x15), n=50 -> (x18, x33).
  for (const [n, low, high] of [
    [10, 2, 9],
    [20, 6, 15],
    [50, 18, 33],
  ] as const) {
    const interval = medianInterval(ranks(n).reverse());
    assert.deepEqual([interval.low, interval.high], [low, high], `n=${n}`);
    assert.ok(interval.confidence >= 0.95);
  }
  // Too few values to reach 95%: the full range, with its real coverage.
  const five = medianInterval([5, 1, 4, 2, 3]);
  assert.deepEqual([five.low, five.high], [1, 5]);
  assert.equal(five.confidence, 0.9375);
});

test('spread: coefficient of variation and scaled MAD', () => {
  assert.equal(cv([2, 2, 2]), 0);
  assert.ok(Math.abs(cv([1, 2, 3]) - 0.5) < 1e-12);
  assert.ok(Math.abs(mad([1, 2, 3, 4, 100]) - 1.4826) < 1e-12);
});

test('MAD-based outliers flag the far value only', () => {
  assert.deepEqual(outliers([1.0, 1.01, 0.99, 1.02, 0.98, 3.0]), [3.0]);
  assert.deepEqual(outliers([1, 1, 1, 1]), []);
});

test('Mann-Whitney U: exact p-values of textbook cases', () => {
  // Complete separation of 5 vs 5: the most extreme of C(10,5) = 252 orderings, two-sided.
  assert.ok(Math.abs(mannWhitneyP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) - 2 / 252) < 1e-12);
  // 3 vs 3 can never reach p < 0.01: 2/20 at best.
  assert.ok(Math.abs(mannWhitneyP([1, 2, 3], [4, 5, 6]) - 0.1) < 1e-12);
  // Interleaved samples: no evidence at all.
  assert.ok(mannWhitneyP([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) > 0.5);
  assert.equal(mannWhitneyU([1, 2], [3, 4]), 4);
  // With ties, the normal approximation still separates clearly shifted samples.
  assert.ok(mannWhitneyP([1, 1, 2, 2, 3, 3, 4, 4], [5, 5, 6, 6, 7, 7, 8, 8]) < 0.01);
});

test('Wilcoxon signed-rank: exact p-values for paired differences', () => {
  // All 8 differences positive: the most extreme of 2^8 sign patterns, two-sided.
  assert.ok(Math.abs(signedRankP([1, 2, 3, 4, 5, 6, 7, 8]) - 2 / 256) < 1e-12);
  // 7 pairs can never reach 0.01: 2/128 at best.
  assert.ok(Math.abs(signedRankP([-1, -2, -3, -4, -5, -6, -7]) - 2 / 128) < 1e-12);
  // Mixed signs: no evidence.
  assert.ok(signedRankP([1, -2, 3, -4, 5, -6, 7, -8]) > 0.5);
  assert.equal(signedRankP([0, 0, 0]), 1);
});

test('durations read as minutes and seconds, rounded before they are split', () => {
  assert.deepEqual([12.4, 59.6, 179.6, 181].map(formatDuration), ['12 s', '1 min 0 s', '3 min 0 s', '3 min 1 s']);
});
