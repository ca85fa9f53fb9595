import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FuzzResult, fuzz } from './fuzz/run.ts';
import { TARGETS } from './fuzz/targets.ts';

/**
 * Every file gilbench reads and its command line, fuzzed (test/fuzz/): generated mutations and
 * flags end in exit 0 with what the command promises, or in one sentence with exit 2 or 3; never
 * a stack trace, a hang, or a report folder that claims to be finished. A few hundred cases, in
 * two processes side by side; npm run fuzz runs thousands. A failing target prints fast-check's
 * report: the seed, the shrunk case, and what went wrong.
 */

/** Fixed, so that npm test is the same run every time; npm run fuzz -- --seed N explores others. */
const SEED = 25;

/** Cases per target, each group in a process of its own (about equal time each): the run target's cases are real runs of a few seconds. */
const GROUPS: [string, number][][] = [
  [
    ['results', 40],
    ['merged', 25],
    ['figures', 20],
    ['history', 30],
    ['task', 30],
    ['flags', 100],
  ],
  [
    ['journal', 40],
    ['merge', 45],
    ['baseline', 40],
    ['run-flags', 200],
    ['run', 2],
  ],
];

/** A case that takes this long has hung (the slowest, a real run, takes a few seconds). */
const HANG_S = 60;

test('fuzz: every file gilbench reads, and its command line, ends in a report or one sentence', async (t) => {
  const results = new Map<string, FuzzResult>();
  for (const group of await Promise.all(GROUPS.map((targets) => fuzz({ targets, seed: SEED }, HANG_S))))
    for (const [name, result] of group) results.set(name, result);
  for (const target of TARGETS) {
    await t.test(`${target.name}: ${target.about}`, () => {
      const result = results.get(target.name);
      assert.ok(result, `${target.name} is in no group`);
      if ('failed' in result) assert.fail(result.failed);
      const [, cases] = GROUPS.flat().find(([name]) => name === target.name)!;
      assert.equal(result.counts.read + result.counts.refused, cases);
      // the cases reach both ends: a generator that only ever makes refused input tests little
      assert.ok(result.counts.read > 0, `${target.name}: nothing read`);
      if (target.name !== 'run') assert.ok(result.counts.refused > 0, `${target.name}: nothing refused`);
    });
  }
});
