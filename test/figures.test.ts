import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { measurementOf, readResults } from '../bench/results.ts';
import { tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

function figures(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, 'figures', ...args], { encoding: 'utf8', timeout: 300_000 });
}

/** PNG width from its IHDR chunk. */
const pngWidth = (file: string) => readFileSync(file).readUInt32BE(16);

test('figures: a small run writes each figure, FIGURES.md with a verdict per claim, and redraws it exactly from its data', () => {
  const out = tempDir();
  const made = figures(['--only', 'gil-timeline,worker-cost', '--profile', 'quick', '--out', out]);
  assert.equal(made.status, 0, made.stderr);

  const page = readFileSync(join(out, 'FIGURES.md'), 'utf8');
  const rows = page.split('\n').filter((line) => /^\| [12] \|/.test(line));
  assert.equal(rows.length, 2, 'one row per figure');
  for (const row of rows) assert.match(row, /\*\*(holds|does not hold|depends)\*\*: \S/, `a verdict with its reason: ${row}`);
  assert.match(page, /Threads acquire the interpreter lock/, 'the claim, quoted');
  assert.match(readFileSync(join(out, 'FIGURES.html'), 'utf8'), /<canvas data-chart="1" data-panel="1"/, 'FIGURES.html: both panels of both figures live');

  for (const id of ['gil-timeline', 'worker-cost']) {
    assert.ok(existsSync(join(out, `${id}.png`)) && existsSync(join(out, `${id}.svg`)), `${id}: PNG and SVG`);
    assert.equal(pngWidth(join(out, `${id}.png`)), 2 * 1920, `${id}: two panels side by side, at twice the pixels`);
    assert.equal(readFileSync(join(out, `${id}.svg`), 'utf8').match(/<svg /g)?.length, 3, `${id}: an SVG holding its two panels`);
  }

  // The numbers come from the data beside the page: the median turn is computed from the timestamps in it.
  const timeline = readResults(join(out, 'data', 'gil-timeline', 'results.json'));
  assert.equal(timeline.status, 'complete');
  const traced = timeline.runs.find((r) => r.cellId.startsWith('countdown-trace/threads/') && r.ok)!;
  assert.ok((measurementOf(traced).tasks[0]!.result as number[]).length > 100, 'each thread noted the time chunk after chunk');
  assert.match(page, /median turn \d+\.\d\d ms over \d+ turns/);

  // Redrawn from data/ alone, the page is the same, byte for byte.
  const before = readFileSync(join(out, 'FIGURES.md'), 'utf8');
  const again = figures(['--only', 'gil-timeline,worker-cost', '--profile', 'quick', '--out', out, '--render']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(join(out, 'FIGURES.md'), 'utf8'), before);

  // A fresh results file that holds an experiment's cells is taken, not run again.
  const elsewhere = tempDir();
  const reused = figures(['--only', 'gil-timeline', '--profile', 'quick', '--out', elsewhere, '--from', join(out, 'data', 'gil-timeline', 'results.json')]);
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
