import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONTRACT_SCHEMAS, contractDocuments } from '../bench/store/contract.ts';
import { readResults } from '../bench/store/results.ts';
import { tempDir } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..');

test('docs/schemas are what the code parses the lines with (npm run schemas writes them again)', () => {
  for (const [file, text] of Object.entries(contractDocuments())) {
    assert.equal(
      readFileSync(join(ROOT, 'docs', 'schemas', file), 'utf8'),
      text,
      `docs/schemas/${file} is stale: npm run schemas`,
    );
  }
  const doc = readFileSync(join(ROOT, 'docs', 'WORKLOADS.md'), 'utf8');
  for (const [file, { schema }] of Object.entries(CONTRACT_SCHEMAS)) {
    assert.ok(doc.includes(`docs/schemas/${file}`), `WORKLOADS.md points at ${file}`);
    for (const field of Object.keys(schema.shape))
      assert.ok(doc.includes(`\`${field}\``), `WORKLOADS.md names ${file}'s field ${field}`);
  }
});

test('a workload outside the repository, speaking the contract without gilbench_task, runs in every mode', () => {
  const out = tempDir();
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'scripts', 'gilbench.ts'),
      'run',
      '--workloads-dir',
      join(ROOT, 'test', 'fixtures', 'outside'),
      '--profile',
      'quick',
      '--repeat',
      '1',
      '--busy',
      'keep',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const results = readResults(join(out, readlinkSync(join(out, 'latest')), 'results.json'));
  assert.deepEqual(results.plan.cells.map((c) => `${c.mode}/w${c.workers}`).sort(), [
    'serial/w1',
    'serial/w2',
    'threads/w1',
    'threads/w2',
  ]);
  assert.ok(
    results.runs.every(
      (run) => run.ok && run.kind === 'batch' && run.measurement!.tasks.length === run.measurement!.workers,
    ),
  );
});
