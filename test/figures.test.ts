import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { interpretersOf } from '../bench/cli/experiments.ts';
import { interpreterKey, interpreterLabel } from '../bench/define/interpreters.ts';
import { measurementOf } from '../bench/store/records.ts';
import { readResults } from '../bench/store/results.ts';
import { NO_FREE_THREADED, PYTHON, realFreeThreaded, tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

function figures(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, 'figures', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** PNG width and height from its IHDR chunk. */
const pngWidth = (file: string) => readFileSync(file).readUInt32BE(16);
const pngHeight = (file: string) => readFileSync(file).readUInt32BE(20);

test('figures: a small run writes each figure, FIGURES.md with a verdict per claim, and redraws it exactly from its data', async (t) => {
  // A free-threaded build found here is measured beside python3 in gil-timeline: a row of its own.
  const [ft] = await realFreeThreaded();
  t.diagnostic(ft ? `gil-timeline also ran on the real ${ft.id}` : NO_FREE_THREADED);
  const out = tempDir();
  const made = figures(['--only', 'gil-timeline,worker-cost', '--profile', 'quick', '--out', out]);
  assert.equal(made.status, 0, made.stderr);

  const page = readFileSync(join(out, 'FIGURES.md'), 'utf8');
  const rows = page.split('\n').filter((line) => /^\| [12] \|/.test(line));
  assert.equal(rows.length, 2, 'one row per figure');
  for (const row of rows)
    assert.match(row, /\*\*(holds|does not hold|depends|inconclusive)\*\*: \S/, `a verdict with its reason: ${row}`);
  assert.match(page, /Threads acquire the interpreter lock/, 'the claim, quoted');
  assert.match(
    readFileSync(join(out, 'FIGURES.html'), 'utf8'),
    /<canvas data-chart="1" data-panel="1"/,
    'FIGURES.html: both panels of both figures live',
  );

  const rowsOf = { 'gil-timeline': ft ? 2 : 1, 'worker-cost': 1 };
  for (const [id, rows] of Object.entries(rowsOf)) {
    assert.ok(existsSync(join(out, `${id}.png`)) && existsSync(join(out, `${id}.svg`)), `${id}: PNG and SVG`);
    assert.equal(pngWidth(join(out, `${id}.png`)), 2 * 1920, `${id}: two panels side by side, at twice the pixels`);
    assert.equal(pngHeight(join(out, `${id}.png`)), 2 * 810 * rows, `${id}: a row per interpreter`);
    assert.equal(
      readFileSync(join(out, `${id}.svg`), 'utf8').match(/<svg /g)?.length,
      1 + 2 * rows,
      `${id}: an SVG holding its panels`,
    );
  }
  if (ft) {
    const label = interpreterLabel(ft).replace(', no GIL', '');
    assert.ok(page.includes(`| without the GIL (${label}) |`), 'a column for the claims without the GIL');
    assert.match(
      rows[0]!,
      new RegExp(
        `\\| \\*\\*(holds|does not hold|depends|inconclusive)\\*\\*: [^|]*<br>Measured: ${label.replaceAll('.', '\\.')}, no GIL: .*both threads progressing at once \\d+% of the time`,
      ),
      `gil-timeline judged without the GIL: ${rows[0]}`,
    );
    assert.match(rows[1]!, /\| not measured \|$/, 'worker-cost ran on python3 alone');
  } else {
    assert.doesNotMatch(page, /without the GIL/);
  }

  // The numbers come from the data beside the page: the median turn is computed from the timestamps in it.
  const timeline = readResults(join(out, 'data', 'gil-timeline', 'results.json'));
  assert.equal(timeline.status, 'complete');
  const traced = timeline.runs.find((r) => r.cellId.startsWith('countdown-trace/threads/') && r.ok)!;
  assert.ok(
    (measurementOf(traced).tasks[0]!.result as number[]).length > 100,
    'each thread noted the time chunk after chunk',
  );
  assert.match(page, /median turn \d+\.\d\d ms over \d+ turns/);
  // A forkserver's workers are its children, not the program's: their CPU reaches the run's rusage once it is reaped.
  const forkserver = readResults(join(out, 'data', 'worker-cost', 'results.json')).runs.filter(
    (r) => r.cellId.startsWith('worker-cost/forkserver/') && r.ok,
  );
  assert.ok(forkserver.length > 0);
  for (const run of forkserver) {
    const { user_s, sys_s } = measurementOf(run).rusage.children;
    assert.ok(
      user_s + sys_s > 0,
      `${run.cellId}: the forkserver and its workers' CPU is the run's (children ${user_s} + ${sys_s} s)`,
    );
  }

  // Redrawn from data/ alone, the page is the same, byte for byte.
  const before = readFileSync(join(out, 'FIGURES.md'), 'utf8');
  const again = figures(['--only', 'gil-timeline,worker-cost', '--profile', 'quick', '--out', out, '--render']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(join(out, 'FIGURES.md'), 'utf8'), before);

  // A fresh results file that holds an experiment's cells is taken, not run again.
  const elsewhere = tempDir();
  const reused = figures([
    '--only',
    'gil-timeline',
    '--profile',
    'quick',
    '--out',
    elsewhere,
    '--from',
    join(out, 'data', 'gil-timeline', 'results.json'),
  ]);
  assert.equal(reused.status, 0, reused.stderr);
  assert.match(reused.stderr, /gil-timeline: taken from/);
  assert.equal(readResults(join(elsewhere, 'data', 'gil-timeline', 'results.json')).runs.length, timeline.runs.length);
});

test('figures: an unknown figure, or nothing to redraw, is one sentence and exit code 2', () => {
  const unknown = figures(['--only', 'gil-fun']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown figure "gil-fun"; the figures are: gil-cpu, /);
  const empty = figures(['--render', '--out', tempDir()]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /No results for the "gil-cpu" experiment/);
});

test('figures: gil-cpu judges each side alone when one interpreter is all a side has (one build with a GIL, one without)', () => {
  // A committed real run on 3.11.7 and 3.13.0, the second marked as a build without a GIL: each column has one interpreter.
  const results = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'two-interpreters.json'), 'utf8'));
  results.interpreters[1] = { ...results.interpreters[1], gilEnabled: false, freeThreadedBuild: true };
  const out = tempDir();
  mkdirSync(join(out, 'data', 'gil-cpu'), { recursive: true });
  writeFileSync(join(out, 'data', 'gil-cpu', 'results.json'), JSON.stringify(results));
  const drawn = figures(['--only', 'gil-cpu', '--render', '--out', out]);
  assert.equal(drawn.status, 0, drawn.stderr);
  const row = readFileSync(join(out, 'FIGURES.md'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('| 1 |'))!;
  // That fixture ran on a busy machine: its verdicts say so, on each side.
  const verdict = '\\*\\*(holds|does not hold|depends|inconclusive)\\*\\*';
  assert.match(
    row,
    new RegExp(
      `${verdict}.*<br>Measured: threads vs serial at W=2: 3\\.11\\.7 .*\\| ${verdict}.*<br>Measured: threads vs serial at W=2: 3\\.13\\.0t, no GIL `,
    ),
  );
});

test('figures: io-bound holds when threads are at least 2x serial, and says why only where a rule measured it', () => {
  // A committed real fetch run (quick: 16 requests, 20 ms) made on a busy machine, its others' CPU set to none: judged on its numbers.
  const results = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'fetch.json'), 'utf8'));
  for (const run of results.runs) if (run.host) run.host = { othersCpuPct: 0, stealPct: 0 };
  const out = tempDir();
  mkdirSync(join(out, 'data', 'io-bound'), { recursive: true });
  writeFileSync(join(out, 'data', 'io-bound', 'results.json'), JSON.stringify(results));
  const drawn = figures(['--only', 'io-bound', '--render', '--out', out]);
  assert.equal(drawn.status, 0, drawn.stderr);
  const row = readFileSync(join(out, 'FIGURES.md'), 'utf8')
    .split('\n')
    .find((line) => /^\| \d \|.*\(io-bound\.png\)/.test(line))!;
  assert.match(row, /threads [\d.]+x serial at W=8 \(CPU util [\d.]+/);
  assert.match(
    row,
    /\*\*holds\*\*: threads were at least twice as fast as serial, the interval included(, more than waiting one request at a time allows| on under half a core): they overlapped their waits, the GIL released during IO\./,
    row,
  );
  // The same runs, three rounds of each: no 95% interval exists at 3 a side, so nothing is claimed.
  results.runs = results.runs.filter((run: { round: number }) => run.round < 3);
  writeFileSync(join(out, 'data', 'io-bound', 'results.json'), JSON.stringify(results));
  assert.equal(figures(['--only', 'io-bound', '--render', '--out', out]).status, 0);
  const few = readFileSync(join(out, 'FIGURES.md'), 'utf8')
    .split('\n')
    .find((line) => /^\| \d \|.*\(io-bound\.png\)/.test(line))!;
  assert.match(few, /\*\*inconclusive\*\*: too few runs to tell \(n = 3\)/, few);
});

test('figures: gil-cpu runs every interpreter found and every one named (a venv is found nowhere)', async () => {
  const venv = join(tempDir(), 'venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
  const named = join(venv, 'bin', 'python');
  const [all, defaults] = await Promise.all([interpretersOf('all', [named]), interpretersOf('default', [named])]);
  assert.ok(
    all.some((i) => i.executable === named),
    'the named one',
  );
  assert.ok(
    all.some((i) => interpreterKey(i.executable) === interpreterKey(PYTHON)),
    'and the ones found',
  );
  assert.deepEqual(
    defaults.map((i) => i.executable),
    [named],
  );
});
