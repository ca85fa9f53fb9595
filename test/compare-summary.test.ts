import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare } from '../bench/analyse/compare.ts';
import { compareCommand } from '../bench/cli/commands/compare.ts';
import { readResults } from '../bench/store/results.ts';
import { tempDir } from './helpers.ts';

const AB = join(import.meta.dirname, 'fixtures', 'echo-ab-work.json');

/** The values of one Mermaid xychart statement, e.g. `bar [1, 2]` → [1, 2]. */
function series(block: string, statement: string): number[][] {
  return [...block.matchAll(new RegExp(`^  ${statement} \\[(.*)\\]$`, 'gm'))].map((m) => m[1]!.split(', ').map(Number));
}

test('compare --summary writes what a GitHub job summary renders: the table and a Mermaid chart, no image', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'summary.md');
    const code = compareCommand([AB, '--base-label', 'base', '--cand-label', 'head', '--summary', file]);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(dir), ['summary.md'], 'no chart file beside it');
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /!\[/, 'no image link');

    const options = { threshold: 0.05, alpha: 0.01, baseLabel: 'base', candLabel: 'head' };
    const comparisons = compare(readResults(AB), readResults(AB), options);
    const rows = text.split('\n').filter((line) => line.startsWith('| echo/'));
    assert.equal(rows.length, comparisons.length, 'one table row per cell and metric');

    const block = /```mermaid\n(xychart-beta\n[\s\S]*?)\n```/.exec(text)?.[1];
    assert.ok(block, 'a fenced Mermaid xychart');
    // One bar per cell, in its first metric (answers/s for these servers): the candidate's median as % of the base's.
    const charted = comparisons.filter((c) => c.metric === 'throughput');
    const labels = /^ {2}x-axis \[(.*)\]$/m.exec(block)![1]!.split(', ');
    assert.deepEqual(
      labels,
      charted.map(
        (c) =>
          `"${c.key
            .split('/')
            .filter((part) => part !== 'echo' && part !== 'w2' && !part.startsWith('cpython'))
            .join('/')}"`,
      ),
    );
    const [bars] = series(block, 'bar');
    assert.deepEqual(
      bars,
      charted.map((c) => Number((c.ratio * 100).toFixed(1))),
    );
    assert.ok(
      bars!.every((bar) => bar < 100),
      "the fixture's head is slower in every cell",
    );
    // The ±5% threshold as two lines, and an axis from zero that holds them and every bar.
    assert.deepEqual(
      series(block, 'line').map((line) => [...new Set(line)]),
      [[95], [105]],
    );
    const [, top] = /^ {2}y-axis ".*" 0 --> (\d+)$/m.exec(block)!;
    assert.ok(Number(top) >= Math.max(105, ...bars!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
