import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportRows } from '../bench/present/export/rows.ts';
import { resultsJsonSchema } from '../bench/present/export/schema.ts';
import { readResults, SCHEMA_VERSION } from '../bench/store/results.ts';
import { PYTHON, tempDir } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

test('exports hold one row per cell and metric, with unit and direction, for every kind', () => {
  const echo = exportRows(readResults(join(FIXTURES, 'echo-sweep.json')));
  assert.deepEqual([...new Set(echo.map((r) => r.metric))], ['throughput', 'p99', 'cpu', 'speedup']);
  const row = echo.find((r) => r.cell === 'echo/threads/w2/connections=100/cpython-3.11.7' && r.metric === 'p99')!;
  assert.deepEqual([row.unit, row.better, row.sweep, row.runs], ['ms', 'lower', 'connections=100', 5]);
  assert.ok(row.low <= row.median && row.median <= row.high);
  const countdown = exportRows(readResults(join(FIXTURES, 'countdown.json')));
  assert.deepEqual([...new Set(countdown.map((r) => r.metric))], ['wall', 'throughput', 'cpu', 'speedup']);
  assert.equal(countdown.filter((r) => r.metric === 'wall').length, 8);
});

test("run and report write JSON, CSV that Python's csv module reads back whole, and markdown", () => {
  const out = tempDir();
  const files = { json: join(out, 'e.json'), csv: join(out, 'e.csv'), markdown: join(out, 'e.md') };
  const report = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'report',
      join(FIXTURES, 'fetch.json'),
      '--out',
      out,
      '--export-json',
      files.json,
      '--export-csv',
      files.csv,
      '--export-markdown',
      files.markdown,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(report.status, 0, report.stderr);
  const json = JSON.parse(readFileSync(files.json, 'utf8'));
  assert.equal(json.schemaVersion, SCHEMA_VERSION);
  const read = execFileSync(
    PYTHON,
    [
      '-c',
      'import csv,sys,json; rows=list(csv.DictReader(open(sys.argv[1]))); print(json.dumps([len(rows), sorted(rows[0]), rows[0]["median"]]))',
      files.csv,
    ],
    { encoding: 'utf8' },
  );
  const [count, columns, median] = JSON.parse(read);
  assert.equal(count, json.rows.length);
  assert.deepEqual(columns, Object.keys(json.rows[0]).sort());
  assert.equal(Number(median), json.rows[0].median);
  assert.equal(
    readFileSync(files.markdown, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `fetch/')).length,
    json.rows.length,
  );
});

test('the published JSON Schema of results.json is the one the code reads with', () => {
  const committed = readFileSync(
    join(import.meta.dirname, '..', 'docs', 'schemas', `results-v${SCHEMA_VERSION}.schema.json`),
    'utf8',
  );
  assert.equal(committed, resultsJsonSchema(), 'regenerate docs/schemas/ with npm run schemas');
  assert.equal(JSON.parse(committed).properties.version.const, SCHEMA_VERSION);
});
