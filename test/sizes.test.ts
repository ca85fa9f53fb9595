import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare } from '../bench/analyse/compare.ts';
import { analyseResults } from '../bench/analyse/index.ts';
import { mergeCommand } from '../bench/cli/commands/merge.ts';
import { UsageError } from '../bench/core/errors.ts';
import type { Size } from '../bench/define/plan.ts';
import { probeInterpreter } from '../bench/execute/discover.ts';
import { versionComparisons, versionSection } from '../bench/present/report/versions.ts';
import { type Results, readResults, writeResults } from '../bench/store/results.ts';
import { tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string): Results => readResults(join(FIXTURES, `${name}.json`));

function run(args: string[]): { results: Results; report: string; stderr: string } {
  const out = tempDir();
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'run', '--out', out, '--busy', 'keep', '--warmup', '0', ...args],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  return {
    results: readResults(join(runDir, 'results.json')),
    report: readFileSync(join(runDir, 'report.md'), 'utf8'),
    stderr: result.stderr,
  };
}

const pypy = await probeInterpreter('pypy3').catch(() => undefined);

test("PyPy sized to the time: its countdown n is calibrated apart from CPython's, and every run of it gets 3 /proc samples", async (t) => {
  if (!pypy) return t.skip('no pypy3 on PATH (apt-get install pypy3): PyPy was not measured');
  const { results, report, stderr } = run([
    '--workloads',
    'countdown',
    '--profile',
    'quick',
    '--modes',
    'serial,threads',
    '--workers',
    '1,2',
    '--repeat',
    '1',
    '--python',
    'python3,pypy3',
  ]);
  const sizes = results.plan.sizes;
  assert.deepEqual(
    sizes.map((s) => s.how),
    ['calibrated', 'calibrated'],
    JSON.stringify(sizes),
  );
  const [ofPypy, ofCpython] = ['PyPy', 'CPython'].map(
    (impl) =>
      sizes.find((s) =>
        s.interpreters.some((id) => results.interpreters.find((i) => i.id === id)!.implementation === impl),
      )!,
  );
  t.diagnostic(`n: PyPy ${ofPypy!.value}, CPython ${ofCpython!.value}`);
  // The JIT counts tens of times faster: the same n would leave PyPy's tasks far too short.
  assert.ok(ofPypy!.value > 4 * ofCpython!.value);
  for (const cell of results.plan.cells)
    assert.equal(cell.params.n, sizes.find((s) => s.interpreters.includes(cell.interpreter))!.value, cell.id);
  for (const r of results.runs)
    assert.ok(r.timeline.samples.length - 1 >= 3, `${r.cellId}: ${r.timeline.samples.length} samples`);
  assert.doesNotMatch(report, /too short to sample/);
  assert.match(report, /countdown n = [\d,]+ on pypy-3\.\d+\.\d+ \(calibrated to a 0\.2 s serial task/);
  assert.match(report, /PyPy compiles hot loops with its JIT/);
  assert.match(
    report,
    /\| pypy-3\.\d+\.\d+ \| .* \| PyPy \d+\.\d+\.\d+ \|/,
    'the interpreter table names the PyPy version',
  );
  assert.match(stderr, /countdown n = [\d,]+ on pypy/);
});

test('a size given with --param is used as given and recorded as given', () => {
  const { results } = run([
    '--workloads',
    'countdown',
    '--profile',
    'quick',
    '--modes',
    'serial',
    '--workers',
    '1',
    '--repeat',
    '1',
    '--param',
    'n=300000',
    '--sample-interval',
    '0',
  ]);
  assert.deepEqual(
    results.plan.sizes.map(({ how, value }) => ({ how, value })),
    [{ how: 'given', value: 300000 }],
  );
  assert.ok(results.plan.cells.every((c) => c.params.n === 300000));
});

/** The countdown fixture as if its n had been calibrated to `value` (its cells and its plan say so). */
function calibratedAt(value: number): Results {
  const results = fixture('countdown');
  const size: Size = {
    workload: 'countdown',
    param: 'n',
    value,
    interpreters: ['cpython-3.11.7'],
    how: 'calibrated',
    targetS: 0.4,
    probe: { value: 4e6, taskS: 0.1 },
  };
  return {
    ...results,
    plan: {
      ...results.plan,
      sizes: [size],
      cells: results.plan.cells.map((c) => ({ ...c, params: { ...c.params, n: value } })),
    },
  };
}

test('compare and merge refuse, in one sentence, two calibrated runs whose sizes differ; ratios still compare', () => {
  const [a, b] = [calibratedAt(12_000_000), calibratedAt(15_000_000)];
  const options = { threshold: 0.05, alpha: 0.01 };
  assert.throws(
    () => compare(a, b, options),
    (e: Error) =>
      e instanceof UsageError &&
      /both runs calibrated n to their own speed, to 12,000,000 and 15,000,000/.test(e.message),
  );
  assert.ok(
    compare(a, b, { ...options, metrics: ['speedup', 'cpu'] }).length > 0,
    'speedups are ratios within each run',
  );
  assert.ok(compare(a, calibratedAt(12_000_000), options).length > 0, 'the same calibrated size compares');
  const dir = tempDir();
  writeResults(join(dir, 'a.json'), a);
  writeResults(join(dir, 'b.json'), b);
  assert.throws(
    () => mergeCommand([join(dir, 'm.json'), join(dir, 'a.json'), join(dir, 'b.json')]),
    /Cannot merge run .*: in cell countdown\/serial\/w1\/cpython-3\.11\.7, both runs calibrated n/,
  );
});

test('interpreters that ran different calibrated sizes are compared per unit of size, never by their times', () => {
  const results = fixture('two-interpreters');
  const [older, newer] = results.interpreters.map((i) => i.id);
  const n = (id: string) => (id === older ? 10_000_000 : 20_000_000);
  const sizes: Size[] = [older!, newer!].map((id) => ({
    workload: 'countdown',
    param: 'n',
    value: n(id),
    interpreters: [id],
    how: 'calibrated',
    targetS: 0.4,
    probe: { value: n(id), taskS: 0.4 },
  }));
  const sized = {
    ...results,
    plan: {
      ...results.plan,
      sizes,
      cells: results.plan.cells.map((c) => ({ ...c, params: { ...c.params, n: n(c.interpreter) } })),
    },
  };
  const analysis = analyseResults(sized);
  const section = versionComparisons(sized, analysis.cells)
    .map((c) => versionSection(c, []))
    .join('\n');
  assert.match(
    section,
    /single-thread speed \(serial\)\*\* relative to .*, per unit of n \(each interpreter ran its own calibrated n\)/,
  );
  assert.match(section, /serial vs newest, per n/);
  // The same runs with one size: their times compare as they are.
  assert.doesNotMatch(
    versionComparisons(results, analyseResults(results).cells)
      .map((c) => versionSection(c, []))
      .join('\n'),
    /per unit of n/,
  );
});

test("--task-size calibrates a --task's keyword argument on each interpreter, and passes it to the function", () => {
  const tasks = join(FIXTURES, 'tasks.py');
  const { results } = run([
    '--task',
    `${tasks}:count`,
    '--task-size',
    'n',
    '--profile',
    'quick',
    '--modes',
    'serial',
    '--workers',
    '1',
    '--repeat',
    '1',
  ]);
  const [size] = results.plan.sizes;
  assert.equal(size?.how, 'calibrated');
  assert.equal(results.plan.cells[0]!.params.n, size!.value);
  const task = results.runs[0]!.kind === 'batch' ? results.runs[0]!.measurement!.tasks[0]! : undefined;
  // The function ran at the calibrated n: about the quick profile's 0.2 s (a busy machine only makes it longer).
  assert.ok(task && task.end_s - task.start_s > 0.05, JSON.stringify(task));
  const given = run([
    '--task',
    `${tasks}:count`,
    '--task-size',
    'n',
    '--task-param',
    'n=1000',
    '--modes',
    'serial',
    '--workers',
    '1',
    '--repeat',
    '1',
    '--sample-interval',
    '0',
  ]);
  assert.deepEqual(
    given.results.plan.sizes.map(({ how, value }) => ({ how, value })),
    [{ how: 'given', value: 1000 }],
  );
});
