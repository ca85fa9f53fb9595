import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { judge, pairsNeeded, runsNeeded } from '../bench/analyse/compare.ts';
import { summariseCells } from '../bench/analyse/summary.ts';
import { seededRandom } from '../bench/core/stats.ts';
import { latestRunDir, readResults } from '../bench/store/results.ts';
import { PYTHON, tempDir } from './helpers.ts';

const options = { threshold: 0.05, alpha: 0.01 };
/** Synthetic run times: a centre with ±2% seeded noise. */
function times(centre: number, n: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => centre * (1 + (random() - 0.5) * 0.04));
}

test('identical distributions give no change', () => {
  for (let seed = 1; seed <= 20; seed++) {
    assert.equal(
      judge('wall', times(1, 10, seed), times(1, 10, seed + 100), options).verdict,
      'no change',
      `seed ${seed}`,
    );
  }
});

test('a shifted distribution gives the right verdict and direction', () => {
  const slower = judge('wall', times(1, 10, 1), times(1.2, 10, 2), options);
  assert.equal(slower.verdict, 'slower');
  assert.ok(slower.ratio > 1.15 && slower.interval.low > 1.1);
  assert.equal(judge('wall', times(1.2, 10, 1), times(1, 10, 2), options).verdict, 'faster');
  // For speedup higher is better: a lower candidate is the regression.
  assert.equal(judge('speedup', times(1.9, 10, 1), times(1.5, 10, 2), options).verdict, 'slower');
  assert.equal(judge('speedup', times(1.5, 10, 1), times(1.9, 10, 2), options).verdict, 'faster');
});

test('a significant shift below the threshold is no change', () => {
  const tiny = judge(
    'wall',
    times(1, 20, 1).map((x) => x * 0.99),
    times(1, 20, 2).map((x) => x * 1.03),
    options,
  );
  assert.ok(tiny.p < 0.01, 'the shift is real');
  assert.equal(tiny.verdict, 'no change', 'but smaller than the 5% threshold');
});

test('paired rounds: a small steady slowdown under big round-to-round drift is caught', () => {
  // Each round's machine speed drifts by up to ±20%, and the candidate is 8% slower in every one.
  const drift = times(1, 10, 7).map((x) => 1 + (x - 1) * 10);
  const base = drift.map((d) => d * 1.0);
  const cand = drift.map((d) => d * 1.08);
  const pairs = base.map((b, i) => [b, cand[i]!] as [number, number]);
  assert.equal(judge('wall', base, cand, options).verdict, 'no change', 'unpaired, the drift hides it');
  const paired = judge('wall', base, cand, options, pairs);
  assert.equal(paired.test, 'signed-rank');
  assert.equal(paired.verdict, 'slower');
  assert.equal(pairsNeeded(0.01), 8);
});

test('too few runs for the rank test are said so, not judged', () => {
  assert.equal(runsNeeded(0.01), 5);
  assert.equal(judge('wall', times(1, 3, 1), times(2, 3, 2), options).verdict, 'too few runs');
});

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
const gilbench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

test('compare and merge on real runs: rows for the cells, exit codes, and a merge of other parameters refused', () => {
  // Decisions are tested on committed fixtures (model.test.ts); real runs check the plumbing.
  const out = tempDir();
  const run = (n: number) => {
    const result = gilbench(
      'run',
      '--workloads',
      'countdown',
      '--modes',
      'serial',
      '--workers',
      '1',
      '--repeat',
      '5',
      '--warmup',
      '0',
      '--param',
      `n=${n}`,
      '--out',
      out,
    );
    assert.equal(result.status, 0, result.stderr);
    return join(latestRunDir(out), 'results.json');
  };
  const base = run(1_000_000);
  const same = gilbench(
    'compare',
    base,
    base,
    '--metrics',
    'wall',
    '--fail-on-regression',
    '--markdown',
    join(out, 'compare.md'),
  );
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /countdown\/serial\/w1\/\S+ +wall time .*no change/);
  assert.match(same.stdout, /0 slower, 0 faster, 1 no change/);

  const bad = gilbench('compare', base, '--base-interpreter', 'nope', '--cand-interpreter', 'nope2');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no interpreter "nope"/);

  const merged = join(out, 'merged', 'results.json');
  assert.equal(gilbench('merge', merged, base, base).status, 0);
  const results = readResults(merged);
  assert.equal(results.plan.cells.length, 1);
  assert.equal(summariseCells(results)[0]!.repeats, 10, 'the runs of one cell on one machine add up');
  assert.equal(gilbench('report', merged).status, 0);

  const other = run(2_000_000);
  const refused = gilbench('merge', join(out, 'refused.json'), base, other);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /parameter n is 1000000 in one and 2000000 in the other/);
});

test('a cell the candidate could not measure is a regression, not a silence', () => {
  assert.equal(judge('wall', times(1, 7, 1), [], options).verdict, 'missing');
  assert.equal(judge('wall', [], times(1, 7, 1), options).verdict, 'new');
});

test('two labelled interpreters of one run: cells by label, compare --sides gates one against the other', () => {
  const out = tempDir();
  const run = gilbench(
    ...[
      'run',
      '--workloads',
      'countdown',
      '--modes',
      'serial',
      '--workers',
      '1',
      '--repeat',
      '2',
      '--warmup',
      '0',
      '--busy',
      'keep',
      '--param',
      'n=100000',
      '--sample-interval',
      '0',
      '--python',
      `base=${PYTHON},head=${PYTHON}`,
      '--out',
      out,
    ],
  );
  assert.equal(run.status, 0, run.stderr);
  const results = readResults(join(latestRunDir(out), 'results.json'));
  assert.deepEqual(results.plan.cells.map((c) => c.id).sort(), [
    'countdown/serial/w1/base',
    'countdown/serial/w1/head',
  ]);
  const compared = gilbench(
    ...['compare', join(latestRunDir(out), 'results.json'), '--sides', 'base,head', '--metrics', 'wall'],
  );
  assert.equal(compared.status, 0, compared.stderr);
  assert.match(compared.stdout, /countdown\/serial\/w1/);
  const bad = gilbench(...['compare', join(latestRunDir(out), 'results.json'), '--sides', 'base']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--sides takes two interpreters/);
});
