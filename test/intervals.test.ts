import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioInterval, seededRandom } from '../bench/core/stats.ts';

// Simulated runs, no real ones: lognormal times whose spread is a given coefficient of variation.
const TRIALS = 1000;
const NOMINAL = 0.05;
/** The false-difference rate may exceed 5% by two Monte Carlo standard errors before the test fails. */
const LIMIT = NOMINAL + 2 * Math.sqrt((NOMINAL * (1 - NOMINAL)) / TRIALS);

function lognormal(random: () => number, n: number, cv: number, scale: number): number[] {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  // Box–Muller; 1 − random() keeps the logarithm away from 0.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => scale * Math.exp(sigma * normal()));
}

const differs = ({ low, high }: { low: number; high: number }) => low > 1 || high < 1;

/** Share of trials whose 95% interval of b/a excludes 1, with b `ratio` times a. */
function shareExcluding(
  n: number,
  cv: number,
  ratio: number,
  draw: (random: () => number, n: number, cv: number, scale: number) => number[] = lognormal,
): number {
  const random = seededRandom(1000 * n + Math.round(cv * 100) + (ratio === 1 ? 0 : 7));
  let count = 0;
  for (let t = 0; t < TRIALS; t++)
    count += differs(ratioInterval(draw(random, n, cv, 1), draw(random, n, cv, ratio))) ? 1 : 0;
  return count / TRIALS;
}

// The power each cell must at least reach against a true 1.5x (measured values sit above these):
// an interval that became trivially wide fails here.
const MIN_POWER: Record<string, number> = {
  '5,0.05': 0.95,
  '5,0.15': 0.85,
  '10,0.05': 0.95,
  '10,0.15': 0.95,
  '10,0.3': 0.7,
};

for (const n of [3, 5, 10]) {
  for (const cv of [0.05, 0.15, 0.3]) {
    test(`two samples of one distribution (n = ${n}, CV ${cv * 100}%) rarely show a difference, and a true 1.5x usually does`, (t) => {
      const falseRate = shareExcluding(n, cv, 1);
      const power = shareExcluding(n, cv, 1.5);
      t.diagnostic(`n = ${n}, CV ${cv * 100}%: false-difference rate ${falseRate}, power at 1.5x ${power}`);
      assert.ok(falseRate <= LIMIT, `false-difference rate ${falseRate} above ${LIMIT.toFixed(3)}`);
      assert.ok(power >= (MIN_POWER[`${n},${cv}`] ?? 0), `power ${power} at 1.5x`);
    });
  }
}

test('three runs against three cannot exclude 1 at 95%: too few to tell, at any effect', () => {
  const interval = ratioInterval([1.0, 1.01, 1.02], [2.0, 2.01, 2.02]);
  assert.deepEqual([interval.low, interval.high, interval.confidence], [0, Infinity, 1]);
  assert.ok(Math.abs(interval.estimate - 2) < 0.02, 'the point estimate is still given');
  // At 90% the full range of pairwise ratios is a real interval.
  const ninety = ratioInterval([1.0, 1.01, 1.02], [2.0, 2.01, 2.02], 0.9);
  assert.ok(ninety.low > 1.9 && ninety.high < 2.1 && Math.abs(ninety.confidence - 0.9) < 1e-12, JSON.stringify(ninety));
});

test('one run gives a value and no interval', () => {
  for (const [a, b] of [
    [[1.0], [1.5, 1.6, 1.4]],
    [[1.0, 1.1], [1.5]],
    [[1.0], [1.5]],
  ]) {
    const interval = ratioInterval(a!, b!);
    assert.ok(Number.isNaN(interval.low) && Number.isNaN(interval.high), JSON.stringify(interval));
    assert.equal(interval.confidence, 0);
    assert.ok(Number.isFinite(interval.estimate));
    assert.equal(differs(interval), false);
  }
});

test('values that are not positive and finite give no interval', () => {
  for (const bad of [[], [0, 1, 2], [1, 2, NaN], [1, 2, Infinity]]) {
    const interval = ratioInterval(bad, [1, 2, 3, 4, 5]);
    assert.equal(interval.confidence, 0, JSON.stringify(bad));
    assert.equal(differs(interval), false);
  }
});

test('the interval is the textbook Moses interval, with its exact coverage and the Hodges–Lehmann estimate inside', () => {
  // 4 vs 4: only complete separation reaches 95% (2/70 of orderings), so the full range of ratios.
  const four = ratioInterval([1, 2, 3, 4], [5, 6, 7, 8]);
  assert.deepEqual([four.low, four.high], [5 / 4, 8 / 1]);
  assert.ok(Math.abs(four.confidence - (1 - 2 / 70)) < 1e-12);
  // 10 vs 10: the 24th smallest and largest of the 100 ratios (U ≤ 23 is the 5% critical region).
  const a = Array.from({ length: 10 }, (_, i) => 1 + i / 10);
  const b = a.map((x) => x * 1.3);
  const ratios = a.flatMap((x) => b.map((y) => y / x)).sort((p, q) => p - q);
  const ten = ratioInterval(a, b);
  assert.deepEqual([ten.low, ten.high], [ratios[23], ratios[76]]);
  assert.ok(ten.confidence >= 0.95 && ten.confidence < 0.96);
  assert.ok(ten.low <= ten.estimate && ten.estimate <= ten.high);
  assert.ok(Math.abs(ten.estimate - 1.3) < 1e-9);
});

test('ties from a coarse clock do not make differences appear', () => {
  // Times on a 2% grid: many exactly equal values on both sides.
  const coarse = (random: () => number, n: number, cv: number, scale: number) =>
    lognormal(random, n, cv, scale).map((x) => Math.round(x / 0.02) * 0.02);
  for (const n of [5, 10]) assert.ok(shareExcluding(n, 0.05, 1, coarse) <= LIMIT, `n = ${n}`);
  const same = ratioInterval([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
  assert.deepEqual([same.low, same.high, same.estimate], [1, 1, 1]);
  assert.equal(differs(same), false);
});

test('large samples use the normal approximation and still cover the true ratio', () => {
  const random = seededRandom(5);
  const interval = ratioInterval(lognormal(random, 60, 0.1, 1), lognormal(random, 60, 0.1, 1.2));
  assert.ok(interval.low < 1.2 && interval.high > 1.2 && interval.low > 1, JSON.stringify(interval));
  assert.ok(interval.confidence >= 0.95 && interval.confidence < 0.951);
});
