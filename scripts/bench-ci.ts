// npm run bench:ci — the regression gate: run the quick CI suite, compare it with ci/baseline.json
// on machine-independent ratios, write the comparison as markdown (to the GitHub job summary when
// there is one) and exit 1 on a regression. `npm run bench:ci -- --update-baseline` refreshes it.
import { appendFileSync, copyFileSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../bench/cli.ts';
import { BASELINE, CI_GATE_METRICS, CI_SUITE_ARGS } from '../ci/suite.ts';

const update = process.argv.includes('--update-baseline');
const extra = process.argv.slice(2).filter((arg) => arg !== '--update-baseline');
const out = 'reports';

const ran = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
if (ran !== 0) process.exit(ran);
const runDir = join(out, readlinkSync(join(out, 'latest')));
const results = join(runDir, 'results.json');

if (update) {
  copyFileSync(results, BASELINE);
  console.error(`gilbench: ${BASELINE} now holds ${results}; commit it.`);
} else {
  const markdown = join(runDir, 'compare.md');
  const code = await main(['compare', BASELINE, results, '--metrics', CI_GATE_METRICS, '--markdown', markdown, '--fail-on-regression']);
  const summary = process.env['GITHUB_STEP_SUMMARY'];
  if (summary) appendFileSync(summary, readFileSync(markdown, 'utf8'));
  console.error(`gilbench: comparison written to ${markdown}${code === 1 ? '; REGRESSION: the gate fails' : ''}`);
  process.exitCode = code;
}
