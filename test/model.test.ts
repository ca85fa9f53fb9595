import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare, REGRESSIONS } from '../bench/analyse/compare.ts';
import { analyseResults } from '../bench/analyse/index.ts';
import { summariseCells } from '../bench/analyse/summary.ts';
import { compareCommand } from '../bench/cli/commands/compare.ts';
import { mergeResults } from '../bench/cli/commands/merge.ts';
import { UsageError } from '../bench/core/errors.ts';
import { narrowEnough } from '../bench/execute/suite.ts';
import { renderMarkdown } from '../bench/present/report/markdown.ts';
import { parseResults, type Results, readResults, writeResults } from '../bench/store/results.ts';
import { tempDir } from './helpers.ts';

/**
 * The pure layers on committed results files of real runs (test/fixtures, made by gilbench itself
 * on the 2-core development machine): no Python, milliseconds.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');
const NO_CHARTS = { charts: [], versions: [], beside: [] };
const fixture = (name: string): Results => readResults(join(FIXTURES, `${name}.json`));
const raw = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
const usageError = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);
const ALL = ['countdown', 'countdown-v1', 'echo-sweep', 'fetch', 'two-interpreters', 'echo-ab-work'];

test('every fixture reads; a schema-v1 file reads as the current schema, run records tagged by kind', () => {
  for (const name of ALL) assert.ok(fixture(name).runs.length > 0, name);
  assert.equal(raw('countdown-v1').version, 1);
  assert.deepEqual(fixture('countdown-v1'), fixture('countdown'), 'a v1 file and its upgrade hold the same results');
  assert.ok(fixture('countdown').runs.every((run) => run.kind === 'batch'));
  const echo = fixture('echo-sweep');
  assert.ok(echo.runs.every((run) => run.kind === 'server' && run.server && run.load));
  assert.deepEqual(
    echo.plan.workloads.map((w) => w.kind),
    ['server'],
  );
});

test('a field this gilbench does not know, a cell held twice, or a run of no cell is refused, not dropped', () => {
  const unknown = raw('countdown');
  unknown.runs[3].timeline.summary.gpuPct = 12;
  assert.throws(
    () => parseResults(unknown, 'x.json'),
    usageError(/field this gilbench does not know \(runs\.3\.timeline\.summary\.gpuPct\)/),
  );
  const twice = raw('countdown');
  twice.plan.cells.push(twice.plan.cells[0]);
  assert.throws(
    () => parseResults(twice, 'x.json'),
    usageError(/holds cell "countdown\/serial\/w1\/cpython-3\.11\.7" twice/),
  );
  const stray = raw('countdown');
  stray.runs[0].cellId = 'countdown/fibers/w1/cpython-3.11.7';
  assert.throws(
    () => parseResults(stray, 'x.json'),
    usageError(/runs of cell "countdown\/fibers\/w1\/cpython-3\.11\.7", which its plan does not hold/),
  );
  const future = { ...raw('countdown'), version: 99 };
  assert.throws(
    () => parseResults(future, 'x.json'),
    usageError(/schema version 99; this gilbench reads versions 1 to 3/),
  );
});

test('an echo sweep keeps one cell per connections value, each summarised from its own runs', () => {
  const echo = fixture('echo-sweep');
  const summaries = summariseCells(echo);
  const threads = summaries.filter((s) => s.cell.mode === 'threads');
  assert.deepEqual(
    threads.map((s) => s.cell.id),
    [1, 10, 100].map((c) => `echo/threads/w2/connections=${c}/cpython-3.11.7`),
  );
  for (const s of summaries) {
    assert.equal(s.primary.metric, 'throughput');
    assert.equal(s.repeats, 5, s.cell.id);
    assert.ok(s.primary.median > 1000 && s.taskP99S > 0 && s.server, s.cell.id);
  }
  assert.ok(new Set(threads.map((s) => s.primary.median)).size === 3, 'three sweep points, three medians');
  // The generator's busy share and ceiling are its typical run's, as the answers/s are.
  for (const s of summaries) {
    const generators = echo.runs.flatMap((run) =>
      run.cellId === s.cell.id && run.kind === 'server' && run.ok && !run.warmup ? [run.load!.generator] : [],
    );
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) / 2]!;
    assert.equal(s.server!.busiestThread, middle(generators.map((g) => g.busiestThread)), s.cell.id);
    assert.equal(s.server!.ceilingPerS, middle(generators.map((g) => g.ceilingPerS!)), s.cell.id);
  }
});

test('compare on two echo runs: one row per cell and metric, answers/s and p99, the sweep in the name', () => {
  const comparisons = compare(fixture('echo-sweep'), fixture('echo-sweep'), { threshold: 0.05, alpha: 0.01 });
  assert.equal(comparisons.length, 15 * 2);
  assert.deepEqual([...new Set(comparisons.map((c) => c.metric))], ['throughput', 'p99']);
  assert.ok(comparisons.some((c) => c.key === 'echo/epoll/w2/connections=100/cpython-3.11.7'));
  assert.ok(comparisons.every((c) => c.verdict === 'no change' && c.test === 'mann-whitney' && c.base.length === 5));
  // A batch workload keeps its own headline: wall time and speedup.
  const countdown = compare(fixture('countdown'), fixture('countdown'), { threshold: 0.05, alpha: 0.01 });
  assert.deepEqual([...new Set(countdown.map((c) => c.metric))], ['wall', 'speedup']);
});

/** One interleaved A/B run in which the head side answers 20% less at connections = 100, and only there. */
function slowerAt100(): Results {
  const results = fixture('echo-ab-work');
  const baseRuns = new Map(
    results.runs
      .filter((r) => r.cellId.startsWith('echo@base/'))
      .map((r) => [`${r.cellId.replace('@base', '@head')}#${r.round}`, r]),
  );
  results.runs = results.runs.map((run) => {
    if (!run.cellId.startsWith('echo@head/')) return run;
    const twin = structuredClone(baseRuns.get(`${run.cellId}#${run.round}`)!);
    if (twin.kind !== 'server' || !twin.load) return run;
    if (run.cellId.includes('connections=100/')) twin.load.perS *= 0.8;
    return { ...twin, cellId: run.cellId };
  });
  // The same workload on both sides: only the measured numbers differ.
  results.plan.cells = results.plan.cells.map((cell) =>
    cell.workload === 'echo@head' ? { ...cell, params: { ...cell.params, work: 0 } } : cell,
  );
  return results;
}

test('an A/B run 20% slower at connections = 100 only: slower in exactly those cells, and the gate fails', () => {
  const options = { threshold: 0.05, alpha: 0.01, baseLabel: 'base', candLabel: 'head' };
  const results = slowerAt100();
  const comparisons = compare(results, results, options);
  const slower = comparisons.filter((c) => c.verdict === 'slower');
  assert.deepEqual(
    slower.map((c) => `${c.key} ${c.metric}`),
    [
      'echo/threads/w2/connections=100/cpython-3.11.7 throughput',
      'echo/epoll/w2/connections=100/cpython-3.11.7 throughput',
    ],
  );
  assert.ok(slower.every((c) => c.test === 'signed-rank' && c.p < 0.01 && Math.abs(c.ratio - 0.8) < 1e-9));
  assert.ok(comparisons.filter((c) => !slower.includes(c)).every((c) => c.verdict === 'no change'));

  const file = join(tempDir(), 'ab.json');
  writeResults(file, results);
  const quiet = console.log;
  console.log = () => {};
  try {
    assert.equal(compareCommand([file, '--base-label', 'base', '--cand-label', 'head', '--fail-on-regression']), 1);
    assert.equal(compareCommand([file, '--base-label', 'base', '--cand-label', 'head']), 0);
  } finally {
    console.log = quiet;
  }
});

test('the real A/B run: a server doing count(2000) more per message is slower in answers/s at connections >= 10', () => {
  const results = fixture('echo-ab-work');
  const comparisons = compare(results, results, {
    threshold: 0.05,
    alpha: 0.01,
    baseLabel: 'base',
    candLabel: 'head',
    metrics: ['throughput'],
  });
  for (const c of comparisons.filter((c) => !c.key.includes('connections=1/'))) {
    assert.ok(c.paramsDiffer, 'the two sides ran different work');
    assert.equal(c.verdict, 'slower', `${c.key}: ${c.ratio} p=${c.p}`);
  }
  assert.ok(comparisons.some((c) => REGRESSIONS.includes(c.verdict)));
});

test('merging a sweep keeps its cells; runs of one machine add up; other machines stay apart', () => {
  const echo = fixture('echo-sweep');
  const twice = mergeResults([echo, fixture('echo-sweep')]);
  assert.equal(twice.plan.cells.length, 15, 'connections = 1, 10, 100 stay three cells per server');
  assert.equal(twice.runs.length, 2 * echo.runs.length);
  assert.equal(
    summariseCells(twice).find((s) => s.cell.id === 'echo/threads/w2/connections=10/cpython-3.11.7')!.repeats,
    10,
  );
  assert.equal(
    new Set(twice.runs.map((r) => `${r.cellId}#${r.round}`)).size,
    twice.runs.length,
    'rounds of two files stay distinct',
  );

  const elsewhere = fixture('countdown');
  elsewhere.machine.hostname = 'runner-b';
  const apart = mergeResults([fixture('countdown'), elsewhere]);
  assert.deepEqual(
    apart.interpreters.map((i) => i.id),
    ['cpython-3.11.7', 'cpython-3.11.7@runner-b'],
  );
  assert.equal(apart.plan.cells.length, 2 * fixture('countdown').plan.cells.length);
  assert.equal(apart.sources?.length, 2);
});

test('merge refuses runs of one cell with other parameters or another interpreter, naming what differs', () => {
  const bigger = fixture('countdown');
  bigger.plan.cells = bigger.plan.cells.map((cell) => ({ ...cell, params: { ...cell.params, n: 6_000_000 } }));
  assert.throws(
    () => mergeResults([fixture('countdown'), bigger]),
    usageError(
      /in cell countdown\/serial\/w1\/cpython-3\.11\.7, parameter n is 3000000 in one and 6000000 in the other/,
    ),
  );
  const other = fixture('countdown');
  other.interpreters[0]!.version = '3.11.9';
  assert.throws(
    () => mergeResults([fixture('countdown'), other]),
    usageError(/interpreter cpython-3\.11\.7: version is 3\.11\.7 in one and 3\.11\.9 in the other/),
  );
});

test('--repeat auto narrows a server cell on its answers/s, a batch cell on its wall time', () => {
  const echo = fixture('echo-sweep');
  const cell = echo.plan.cells.find((c) => c.id === 'echo/threads/w2/connections=100/cpython-3.11.7')!;
  const auto = (targetPct: number) => ({ targetPct, budgetS: 60, maxRepeats: 50 });
  assert.equal(narrowEnough(echo, cell, auto(2)), false, 'its answers/s spread far beyond ±2%');
  assert.equal(narrowEnough(echo, cell, auto(1000)), true);
  const countdown = fixture('countdown');
  const serial = countdown.plan.cells[0]!;
  assert.equal(narrowEnough(countdown, serial, auto(1000)), true);
  assert.equal(narrowEnough(countdown, serial, auto(0.01)), false);
});

test('the report renders every fixture with a table row per cell', () => {
  for (const name of ALL) {
    const results = fixture(name);
    const report = renderMarkdown(results, analyseResults(results), NO_CHARTS);
    const rows = report
      .split('\n')
      .filter((line) => /^\| (serial|threads|processes|async|epoll|asyncio|async-executor)\b/.test(line));
    assert.equal(rows.length, results.plan.cells.length, name);
  }
});

test("a noisy cell says how much the machine's own Python loop varied, when the run timed it", () => {
  const results = fixture('countdown');
  const noisy = summariseCells(results).find((s) => s.primary.cv > 0.1)!;
  assert.match(noisy.warnings.join('; '), /noisy \(CV \d+%\)/, 'a file without the probe: the CV alone');
  const probed = {
    ...results,
    speedProbe: { interpreter: 'cpython-3.11.7', n: 200_000, seconds: [0.008, 0.01, 0.012, 0.01] },
  };
  const again = summariseCells(probed).find((s) => s.cell.id === noisy.cell.id)!;
  assert.match(again.warnings.join('; '), /noisy \(CV \d+%; the machine's own Python loop: 16%\)/);
  assert.match(
    renderMarkdown(probed, analyseResults(probed), NO_CHARTS),
    /Python speed during the run: count\(200,000\) on cpython-3\.11\.7, .* took 10\.0 ms \(median\), 8\.0–12\.0 ms, CV 16% over 4 timings/,
  );
});
