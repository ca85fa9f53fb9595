// npm run bench:ci — the regression gate: run the quick CI suite, compare it with ci/baseline.json
// on machine-independent ratios, write the comparison as markdown (to the GitHub job summary when
// there is one) and exit 1 on a regression. `npm run bench:ci -- --update-baseline` refreshes it.
// A change against the baseline is a candidate (the baseline was measured at another moment): it
// stands only when an interleaved A/B of the baseline's revision and this tree confirms it.
// `--baseline FILE` gates against another baseline than ci/baseline.json; other options go to run.
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Comparison, REGRESSIONS } from '../bench/analyse/compare.ts';
import { AB_BAR } from '../bench/analyse/history/record.ts';
import { main, reported } from '../bench/cli/main.ts';
import { CONFIRM_ROUNDS, checkout, judgeAB, lastChange, repositoryOf, runAB } from '../bench/cli/revisions.ts';
import { PROJECT_DIR, WORKLOADS_DIR } from '../bench/core/paths.ts';
import { latestRunDir, readResults } from '../bench/store/results.ts';
import {
  BASELINE,
  CI_GATE_METRICS,
  CI_GATE_THRESHOLD_PCT,
  CI_RUN_ARGS,
  CI_SUITE_ARGS,
  CI_WORKLOADS,
  confirmedAlarms,
} from '../ci/suite.ts';

const args = process.argv.slice(2);
const update = args.includes('--update-baseline');
const given = args.indexOf('--baseline');
const baseline = given >= 0 ? (args[given + 1] ?? BASELINE) : BASELINE;
const extra = args.filter((arg, i) => arg !== '--update-baseline' && !(given >= 0 && (i === given || i === given + 1)));
const out = 'reports';

/** What the comparison claims: a cell slower, faster, or failing; each a candidate until the A/B confirms it. */
const CLAIMS = ['slower', 'faster', 'missing'];

/**
 * Measures the baseline's revision (the commit that last wrote ci/baseline.json) and this tree in
 * one interleaved run; the claims that A/B confirms, or undefined when it cannot be made.
 */
async function confirm(claims: Comparison[], runDir: string): Promise<Comparison[] | undefined> {
  const repo = repositoryOf(PROJECT_DIR);
  const revision = repo && lastChange(repo, baseline);
  if (!repo || !revision) return undefined;
  console.error(
    `gilbench: ${claims.length} changes against the baseline: measuring its revision ${revision.slice(0, 7)} and this tree side by side to confirm them`,
  );
  const base = checkout(repo, revision);
  try {
    const ab = readResults(
      await runAB(
        join(base.dir, 'workloads'),
        WORKLOADS_DIR,
        CI_WORKLOADS,
        [...CI_RUN_ARGS, ...CONFIRM_ROUNDS],
        join(runDir, 'confirm'),
      ),
    );
    return confirmedAlarms(claims, judgeAB(ab), ab.interpreters[0]!.id);
  } finally {
    base.remove();
  }
}

/** The verdict on the baseline's claims, for the terminal and the job summary. */
function confirmation(claims: Comparison[], confirmed: Comparison[] | undefined): string {
  const cells = (list: Comparison[]) => list.map((c) => `${c.key} ${c.metric} ${c.verdict}`).join(', ');
  if (confirmed === undefined)
    return `The ${claims.length} changes against the baseline could not be confirmed (no git checkout of its revision here): they stand: ${cells(claims)}.`;
  const unconfirmed = claims.filter((c) => !confirmed.includes(c));
  return [
    confirmed.length
      ? `Confirmed by an interleaved A/B of the baseline's revision and this tree: ${cells(confirmed)}.`
      : '',
    unconfirmed.length ? `Not confirmed by that A/B (it found no such change ${AB_BAR}): ${cells(unconfirmed)}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

// The baseline's Python and this machine's may differ in patch version or name: the suite runs
// one interpreter, and its ratios are what is compared, so pair the two sides' interpreters.
const interpreterOf = (file: string) => readResults(file).interpreters[0]!.id;

/** The gate: the suite, then its comparison with the baseline (or the baseline replaced); its exit code. */
async function gate(): Promise<number> {
  // The baseline is read first: a damaged one costs a sentence, not the suite's minutes and then a stack trace.
  const baselineInterpreter = update ? undefined : interpreterOf(baseline);
  const ran = await main(['run', ...CI_SUITE_ARGS, '--out', out, ...extra]);
  if (ran !== 0) return ran;
  const runDir = latestRunDir(out);
  if (baselineInterpreter !== undefined) return compareWithBaseline(runDir, baselineInterpreter);
  copyFileSync(join(runDir, 'results.json'), baseline);
  console.error(`gilbench: ${baseline} now holds ${join(runDir, 'results.json')}; commit it.`);
  return 0;
}

/** The suite's results against the baseline, each change confirmed or not by an A/B, written for the job summary. */
async function compareWithBaseline(runDir: string, baselineInterpreter: string): Promise<number> {
  const results = join(runDir, 'results.json');
  const markdown = join(runDir, 'compare.md');
  // The job summary cannot show compare.md's chart (a PNG beside it): it gets the Mermaid form.
  const jobSummary = join(runDir, 'summary.md');
  const json = join(runDir, 'compare.json');
  let code = await main([
    'compare',
    baseline,
    results,
    '--metrics',
    CI_GATE_METRICS,
    '--threshold',
    CI_GATE_THRESHOLD_PCT,
    '--markdown',
    markdown,
    '--summary',
    jobSummary,
    '--json',
    json,
    '--base-interpreter',
    baselineInterpreter,
    '--cand-interpreter',
    interpreterOf(results),
  ]);
  const claims =
    code === 0
      ? (JSON.parse(readFileSync(json, 'utf8')).comparisons as Comparison[]).filter((c) => CLAIMS.includes(c.verdict))
      : [];
  if (claims.length) {
    const confirmed = await confirm(claims, runDir);
    const verdict = confirmation(claims, confirmed);
    appendFileSync(jobSummary, `\n**${verdict}**\n`);
    console.error(`gilbench: ${verdict}`);
    code = (confirmed ?? claims).some((c) => REGRESSIONS.includes(c.verdict)) ? 1 : 0;
  }
  // 2 and 3 wrote no summary: their sentence is all there is
  if (code === 0 || code === 1) {
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) appendFileSync(summary, readFileSync(jobSummary, 'utf8'));
    console.error(`gilbench: comparison written to ${markdown}${code === 1 ? '; REGRESSION: the gate fails' : ''}`);
  }
  return code;
}

process.exitCode = await reported(gate);
