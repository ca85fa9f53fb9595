// npm run bench:ci — the regression gate: run the quick CI suite, compare it with ci/baseline.json
// on machine-independent ratios, write the comparison as markdown (to the GitHub job summary when
// there is one) and exit 1 on a regression. `npm run bench:ci -- --update-baseline` refreshes it.
// A change against the baseline is a candidate (the baseline was measured at another moment): it
// stands only when an interleaved A/B of the baseline's revision and this tree confirms it.
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare, type Comparison, REGRESSIONS } from '../bench/analyse/compare.ts';
import { PROJECT_DIR, WORKLOADS_DIR } from '../bench/core/paths.ts';
import { main } from '../bench/cli/main.ts';
import { CONFIRM_ROUNDS, checkout, lastChange, repositoryOf, runAB } from '../bench/cli/revisions.ts';
import { latestRunDir, readResults } from '../bench/store/results.ts';
import { BASELINE, CI_GATE_METRICS, CI_GATE_THRESHOLD_PCT, CI_RUN_ARGS, CI_SUITE_ARGS, CI_WORKLOADS, confirmedAlarms } from '../ci/suite.ts';

const update = process.argv.includes('--update-baseline');
const extra = process.argv.slice(2).filter((arg) => arg !== '--update-baseline');
const out = 'reports';

const ran = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
if (ran !== 0) process.exit(ran);
const runDir = latestRunDir(out);
const results = join(runDir, 'results.json');

/** What the comparison claims: a cell slower, faster, or failing; each a candidate until the A/B confirms it. */
const CLAIMS = ['slower', 'faster', 'missing'];

/**
 * Measures the baseline's revision (the commit that last wrote ci/baseline.json) and this tree in
 * one interleaved run; the claims that A/B confirms, or undefined when it cannot be made.
 */
async function confirm(claims: Comparison[]): Promise<Comparison[] | undefined> {
  const repo = repositoryOf(PROJECT_DIR);
  const revision = repo && lastChange(repo, BASELINE);
  if (!repo || !revision) return undefined;
  console.error(`gilbench: ${claims.length} changes against the baseline: measuring its revision ${revision.slice(0, 7)} and this tree side by side to confirm them`);
  const base = checkout(repo, revision);
  try {
    const ab = readResults(await runAB(join(base.dir, 'workloads'), WORKLOADS_DIR, CI_WORKLOADS, [...CI_RUN_ARGS, ...CONFIRM_ROUNDS], join(runDir, 'confirm')));
    return confirmedAlarms(claims, compare(ab, ab, { threshold: 0.05, alpha: 0.01, baseLabel: 'base', candLabel: 'head' }), ab.interpreters[0]!.id);
  } finally {
    base.remove();
  }
}

/** The verdict on the baseline's claims, for the terminal and the job summary. */
function confirmation(claims: Comparison[], confirmed: Comparison[] | undefined): string {
  const cells = (list: Comparison[]) => list.map((c) => `${c.key} ${c.metric} ${c.verdict}`).join(', ');
  if (confirmed === undefined) return `The ${claims.length} changes against the baseline could not be confirmed (no git checkout of its revision here): they stand: ${cells(claims)}.`;
  const unconfirmed = claims.filter((c) => !confirmed.includes(c));
  return [
    confirmed.length ? `Confirmed by an interleaved A/B of the baseline's revision and this tree: ${cells(confirmed)}.` : '',
    unconfirmed.length ? `Not confirmed by that A/B (the machine moved, not the code): ${cells(unconfirmed)}.` : '',
  ].filter(Boolean).join(' ');
}

if (update) {
  copyFileSync(results, BASELINE);
  console.error(`gilbench: ${BASELINE} now holds ${results}; commit it.`);
} else {
  const markdown = join(runDir, 'compare.md');
  // The job summary cannot show compare.md's chart (a PNG beside it): it gets the Mermaid form.
  const jobSummary = join(runDir, 'summary.md');
  const json = join(runDir, 'compare.json');
  // The baseline's Python and this machine's may differ in patch version or name: the suite runs
  // one interpreter, and its ratios are what is compared, so pair the two sides' interpreters.
  const interpreterOf = (file: string) => readResults(file).interpreters[0]!.id;
  let code = await main([
    'compare', BASELINE, results, '--metrics', CI_GATE_METRICS, '--threshold', CI_GATE_THRESHOLD_PCT, '--markdown', markdown, '--summary', jobSummary, '--json', json,
    '--base-interpreter', interpreterOf(BASELINE), '--cand-interpreter', interpreterOf(results),
  ]);
  const claims = code === 0 ? (JSON.parse(readFileSync(json, 'utf8')).comparisons as Comparison[]).filter((c) => CLAIMS.includes(c.verdict)) : [];
  if (claims.length) {
    const confirmed = await confirm(claims);
    const verdict = confirmation(claims, confirmed);
    appendFileSync(jobSummary, `\n**${verdict}**\n`);
    console.error(`gilbench: ${verdict}`);
    code = (confirmed ?? claims).some((c) => REGRESSIONS.includes(c.verdict)) ? 1 : 0;
  }
  if (code !== 2) {
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) appendFileSync(summary, readFileSync(jobSummary, 'utf8'));
    console.error(`gilbench: comparison written to ${markdown}${code === 1 ? '; REGRESSION: the gate fails' : ''}`);
  }
  process.exitCode = code;
}
