// npm run bench:ci — the regression gate: run the quick CI suite, compare it with ci/baseline.json
// on machine-independent ratios, write the comparison as markdown (to the GitHub job summary when
// there is one) and exit 1 on a regression. `npm run bench:ci -- --update-baseline` refreshes it.
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../bench/cli/main.ts';
import { latestRunDir, readResults } from '../bench/store/results.ts';
import { BASELINE, CI_GATE_METRICS, CI_GATE_THRESHOLD_PCT, CI_SUITE_ARGS } from '../ci/suite.ts';

const update = process.argv.includes('--update-baseline');
const extra = process.argv.slice(2).filter((arg) => arg !== '--update-baseline');
const out = 'reports';

const ran = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
if (ran !== 0) process.exit(ran);
const runDir = latestRunDir(out);
const results = join(runDir, 'results.json');

if (update) {
  copyFileSync(results, BASELINE);
  console.error(`gilbench: ${BASELINE} now holds ${results}; commit it.`);
} else {
  const markdown = join(runDir, 'compare.md');
  // The job summary cannot show compare.md's chart (a PNG beside it): it gets the Mermaid form.
  const jobSummary = join(runDir, 'summary.md');
  // The baseline's Python and this machine's may differ in patch version or name: the suite runs
  // one interpreter, and its ratios are what is compared, so pair the two sides' interpreters.
  const interpreterOf = (file: string) => readResults(file).interpreters[0]!.id;
  const code = await main([
    'compare', BASELINE, results, '--metrics', CI_GATE_METRICS, '--threshold', CI_GATE_THRESHOLD_PCT, '--markdown', markdown, '--summary', jobSummary, '--fail-on-regression',
    '--base-interpreter', interpreterOf(BASELINE), '--cand-interpreter', interpreterOf(results),
  ]);
  if (code !== 2) {
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) appendFileSync(summary, readFileSync(jobSummary, 'utf8'));
    console.error(`gilbench: comparison written to ${markdown}${code === 1 ? '; REGRESSION: the gate fails' : ''}`);
  }
  process.exitCode = code;
}
