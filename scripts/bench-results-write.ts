// npm run bench:results-write [-- FILE] — what writing a run's results costs when a suite has
// already written 10,000: rewriting results.json whole (as every run used to) against appending
// one record to the journal (as every run does now), both synced to disk like the suite does.
// The record is FILE's first run (default reports/latest/results.json), copied 10,000 times.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../bench/core/stats.ts';
import { Journal, journalBeside } from '../bench/store/journal.ts';
import { readResults, writeResults } from '../bench/store/results.ts';

const RUNS = 10_000;
const REWRITES = 5;
const APPENDS = 50;

function timeMs(action: () => void): number {
  const started = performance.now();
  action();
  return performance.now() - started;
}

const source = process.argv[2] ?? 'reports/latest/results.json';
const results = readResults(source);
const record = results.runs[0];
if (!record) {
  console.error(`${source} holds no run to copy; run "npm run bench:quick" first.`);
  process.exit(2);
}
const big = { ...results, runs: Array.from({ length: RUNS }, (_, round) => ({ ...record, round })) };

const dir = mkdtempSync(join(tmpdir(), 'gilbench-write-'));
try {
  const resultsPath = join(dir, 'results.json');
  const rewrite = Array.from({ length: REWRITES }, () => timeMs(() => writeResults(resultsPath, big)));
  const journal = Journal.create(journalBeside(resultsPath));
  const append = Array.from({ length: APPENDS }, () => timeMs(() => journal.append(record)));
  const appendSync = Array.from({ length: APPENDS }, () =>
    timeMs(() => {
      journal.append(record);
      journal.sync();
    }),
  );
  journal.close(true);
  const line = Buffer.byteLength(JSON.stringify(record)) + 1;
  console.log(
    `one run record: ${(line / 1024).toFixed(1)} KiB (from ${source}); results.json with ${RUNS} runs: ${(statSync(resultsPath).size / 2 ** 20).toFixed(1)} MiB, in ${dir}`,
  );
  console.log(
    `rewrite results.json whole (stringify, write, fsync, rename, fsync folder): median ${median(rewrite).toFixed(1)} ms of ${REWRITES}`,
  );
  console.log(
    `append one record to the journal:                                      median ${median(append).toFixed(3)} ms of ${APPENDS}`,
  );
  console.log(
    `append one record and fsync journal and folder (the end of a round):   median ${median(appendSync).toFixed(3)} ms of ${APPENDS}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
