import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertOneSentence, gilbench } from './fuzz/outcome.ts';
import { tempDir } from './helpers.ts';

/** What the fuzz tests (test/fuzz.test.ts) found, each held by a test of its own. */

const FIXTURES = join(import.meta.dirname, 'fixtures');
const raw = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

test('a field that is not there is said to be missing', async () => {
  const dir = tempDir();
  const { machine: _gone, ...file } = raw('countdown');
  writeFileSync(join(dir, 'results.json'), JSON.stringify(file));
  const outcome = await gilbench(['report', join(dir, 'results.json'), '--out', dir]);
  assertOneSentence(outcome, 'no machine');
  assert.match(outcome.stderr[0]!, /is damaged: machine: missing\.$/);
});

test('merge refusing an input says only why: not first that an older one was read as the current version', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'damaged.json'), '{"schema": "gilbench/results", "version": 2, "runs": [');
  const outcome = await gilbench(['merge', join(dir, 'out.json'), join(FIXTURES, 'countdown-v1.json'), join(dir, 'damaged.json')]);
  assertOneSentence(outcome, 'merge of a v1 file and a damaged one');
  assert.match(outcome.stderr[0]!, /damaged\.json" is not valid JSON/);
  const merged = await gilbench(['merge', join(dir, 'out.json'), join(FIXTURES, 'countdown-v1.json'), join(FIXTURES, 'countdown.json')]);
  assert.equal(merged.code, 0);
  assert.match(merged.stderr[0]!, /countdown-v1\.json has results schema version 1; read as the current one\./);
  assert.match(merged.stderr.at(-1)!, /^gilbench: merged 2 results files/);
});
