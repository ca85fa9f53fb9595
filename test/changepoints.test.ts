import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CommitRuns, detectChangePoints } from '../bench/analyse/history/changepoints.ts';
import { seededRandom } from '../bench/core/stats.ts';

/** Commits c0, c1, … at the given levels, each with `runs` lognormal runs of coefficient of variation `cv`. */
function history(levels: readonly number[], runs: number, cv: number, seed: number): CommitRuns[] {
  const random = seededRandom(seed);
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return levels.map((level, i) => ({
    id: `c${i}`,
    values: Array.from({ length: runs }, () => level * Math.exp(sigma * normal())),
  }));
}
const flat = (commits: number) => Array<number>(commits).fill(1);
const step = (commits: number, at: number, ratio: number) =>
  Array.from({ length: commits }, (_, i) => (i >= at ? ratio : 1));
const SIX = step(6, 4, 1.5);

test('a 1.5x step from the fifth of six commits is one change point, at index 4', () => {
  for (const runs of [3, 5]) {
    const found = detectChangePoints(history(SIX, runs, 0.03, 1));
    assert.equal(found.length, 1, `${runs} runs: ${JSON.stringify(found)}`);
    const [change] = found;
    assert.equal(change!.index, 4);
    assert.equal(change!.commit, 'c4');
    assert.deepEqual(
      [change!.from, change!.to],
      ['c3', 'c4'],
      'a sharp step: the range is the two commits either side',
    );
    assert.equal(change!.direction, 'increase');
    assert.ok(Math.abs(change!.effect - 1.5) < 0.05, `effect ${change!.effect}`);
    assert.ok(change!.p <= 0.01);
    assert.equal(change!.runsBefore, 4 * runs);
    assert.equal(change!.runsAfter, 2 * runs);
  }
});

test('the six-commit step is found at index 4 in every seeded series, rarely with a false one beside it', () => {
  let extra = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const found = detectChangePoints(history(SIX, 3, 0.05, seed));
    assert.ok(
      found.some((c) => c.index === 4),
      `seed ${seed}: ${found.map((c) => c.index)}`,
    );
    extra += found.length - 1;
  }
  // Each test is at alpha = 0.01 and a stepped series has three (the whole, then each side).
  assert.ok(extra <= 3, `${extra} false change points in 50 series`);
});

test('flat six-commit series give no change point, but for about alpha of them', () => {
  let falsePositives = 0;
  for (let seed = 1; seed <= 200; seed++) falsePositives += detectChangePoints(history(flat(6), 3, 0.05, seed)).length;
  assert.ok(falsePositives <= 5, `${falsePositives} false change points in 200 flat series (expected about 2)`);
  assert.deepEqual(detectChangePoints(history(flat(6), 5, 0.03, 1)), []);
});

test('a single outlier run makes no change point, in the middle or in the last commit', () => {
  for (let seed = 1; seed <= 10; seed++) {
    for (const at of [10, 19]) {
      const commits = history(flat(20), 5, 0.03, seed);
      commits[at] = { id: `c${at}`, values: [...commits[at]!.values.slice(1), 2] };
      assert.deepEqual(detectChangePoints(commits), [], `seed ${seed}, outlier ×2 in commit ${at}`);
    }
  }
});

test("a change between the last two commits is found from the last commit's runs", () => {
  for (const runs of [3, 5]) {
    for (let seed = 1; seed <= 5; seed++) {
      const found = detectChangePoints(history(step(12, 11, 1.2), runs, 0.03, seed));
      assert.equal(found.length, 1, `${runs} runs, seed ${seed}: ${JSON.stringify(found)}`);
      assert.equal(found[0]!.index, 11);
      assert.deepEqual([found[0]!.from, found[0]!.to], ['c10', 'c11']);
      assert.equal(found[0]!.runsAfter, runs);
    }
  }
  // Also in the six-commit store: a step at the last commit.
  assert.deepEqual(
    detectChangePoints(history(step(6, 5, 1.5), 3, 0.03, 1)).map((c) => c.index),
    [5],
  );
});

test('a slow drift is reported as a staircase: increases inside the drift whose effects multiply to about the whole', () => {
  // 2% a commit for 10 commits (1.02^10 = 1.22 in all) from commit 10 on; quiet noise.
  const levels = Array.from({ length: 30 }, (_, i) => 1.02 ** Math.min(10, Math.max(0, i - 9)));
  for (let seed = 1; seed <= 5; seed++) {
    const found = detectChangePoints(history(levels, 5, 0.03, seed));
    assert.ok(found.length >= 1, `seed ${seed}: the drift is reported`);
    for (const change of found) {
      assert.equal(change.direction, 'increase');
      assert.ok(change.index >= 10 && change.index <= 20, `seed ${seed}: change at ${change.index} lies in the drift`);
    }
    const total = found.reduce((product, c) => product * c.effect, 1);
    assert.ok(Math.abs(total / 1.02 ** 10 - 1) < 0.05, `seed ${seed}: effects multiply to ${total}`);
  }
  // A slower drift in more noise: one change point, its range several commits wide.
  const slow = detectChangePoints(
    history(
      Array.from({ length: 40 }, (_, i) => 1.01 ** Math.min(10, Math.max(0, i - 14))),
      5,
      0.05,
      1,
    ),
  );
  assert.equal(slow.length, 1);
  assert.ok(slow[0]!.toIndex - slow[0]!.fromIndex > 2, `range ${slow[0]!.fromIndex}..${slow[0]!.toIndex}`);
});

test('a regression reverted two commits later: unseen by default, two change points with shortChanges', () => {
  const levels = Array.from({ length: 30 }, (_, i) => (i === 14 || i === 15 ? 1.3 : 1));
  const commits = history(levels, 5, 0.03, 2);
  // The blip is 10 of 150 runs: against all that follows it, too little to tell.
  assert.deepEqual(detectChangePoints(commits), []);
  const found = detectChangePoints(commits, { shortChanges: 3 });
  assert.deepEqual(
    found.map((c) => [c.index, c.direction]),
    [
      [14, 'increase'],
      [16, 'decrease'],
    ],
  );
  // While it was the newest commits, it was a step at the end, found without shortChanges.
  assert.deepEqual(
    detectChangePoints(commits.slice(0, 16)).map((c) => c.index),
    [14],
  );
});

test('the effect interval contains the true step on a clean series, either way', () => {
  for (const ratio of [1.2, 0.8]) {
    const [change, ...others] = detectChangePoints(history(step(20, 10, ratio), 5, 0.03, 3));
    assert.deepEqual(others, []);
    assert.equal(change!.index, 10);
    assert.equal(change!.direction, ratio > 1 ? 'increase' : 'decrease');
    assert.ok(change!.interval.low <= ratio && ratio <= change!.interval.high, JSON.stringify(change!.interval));
    assert.ok(change!.interval.low > 1 || change!.interval.high < 1, 'and excludes no change');
    assert.equal(change!.interval.confidence, 0.95);
  }
});

test('change points fall between commits: uneven runs, pooled occasions and unmeasured commits', () => {
  const random = seededRandom(7);
  const runs = (level: number, n: number) => Array.from({ length: n }, () => level * (1 + (random() - 0.5) * 0.04));
  const commits: CommitRuns[] = [
    ...[1, 7, 3, 5, 2, 6, 4, 3].map((n, i) => ({ id: `old${i}`, values: runs(1, n) })),
    { id: 'failed', values: [] },
    // Two measurement occasions of one commit, pooled.
    { id: 'new0', values: [...runs(1.3, 3), ...runs(1.3, 3)] },
    ...[2, 5, 4, 3, 6].map((n, i) => ({ id: `new${i + 1}`, values: runs(1.3, n) })),
  ];
  const [change, ...others] = detectChangePoints(commits);
  assert.deepEqual(others, []);
  assert.equal(change!.index, 9, 'the first measured commit of the new level');
  assert.equal(change!.commit, 'new0');
  // The unmeasured commit could hold the change: the range spans it.
  assert.deepEqual([change!.from, change!.to, change!.fromIndex, change!.toIndex], ['old7', 'new0', 7, 9]);
  assert.equal(change!.runsAfter, 6 + 2 + 5 + 4 + 3 + 6);
});

test('the same input gives the same answer (permutations and bootstraps are seeded)', () => {
  const commits = history(step(40, 25, 1.1), 5, 0.1, 11);
  const first = detectChangePoints(commits);
  assert.ok(first.length >= 1);
  assert.deepEqual(detectChangePoints(commits), first);
});

test('too little data gives no change point; bad input and settings are refused', () => {
  assert.deepEqual(detectChangePoints([]), []);
  assert.deepEqual(detectChangePoints([{ id: 'a', values: [1, 2, 3] }]), []);
  assert.deepEqual(
    detectChangePoints([
      { id: 'a', values: [] },
      { id: 'b', values: [] },
    ]),
    [],
  );
  assert.throws(() => detectChangePoints([{ id: 'a', values: [1, 0] }]), /commit a/);
  assert.throws(() => detectChangePoints([{ id: 'a', values: [1, Number.NaN] }]), /commit a/);
  assert.throws(() => detectChangePoints([], { alpha: 0.01, permutations: 50 }), /permutations/);
  assert.throws(() => detectChangePoints([], { alpha: 0 }), /alpha/);
});

test('200 commits of 5 runs with several changes: each change found where it is', () => {
  // How long this takes is measured by npm run bench:changepoints, not asserted here.
  const levels = Array.from({ length: 200 }, (_, i) => (i < 50 ? 1 : i < 120 ? 1.1 : i < 160 ? 0.9 : 1.2));
  assert.deepEqual(
    detectChangePoints(history(levels, 5, 0.05, 5)).map((c) => c.index),
    [50, 120, 160],
  );
});
