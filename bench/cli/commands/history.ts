import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AB_JUDGEMENT, confirmationFrom, entryFromResults } from '../../analyse/history/record.ts';
import {
  analyseHistory,
  BLOCKING,
  type HistoryAnalysis,
  openRegressions,
  orderByDate,
} from '../../analyse/history/series.ts';
import { fail } from '../../core/errors.ts';
import { unlabelled } from '../../define/workload.ts';
import { historyPage } from '../../present/history/page.ts';
import {
  type CheckContext,
  changesMarkdown,
  checkMarkdown,
  checkText,
  shortCommit,
} from '../../present/history/summary.ts';
import { summaryLine } from '../../present/report/comparison.ts';
import {
  type Confirmation,
  type Entry,
  readStore,
  type Store,
  writeConfirmation,
  writeEntry,
} from '../../store/history.ts';
import { type Results, readResults, writeAtomic } from '../../store/results.ts';
import {
  CONFIRM_ROUNDS,
  checkout,
  commitDate,
  gitOrder,
  judgeAB,
  repositoryOf,
  resolveCommit,
  runAB,
} from '../revisions.ts';
import { parse, writableDir } from './args.ts';

export const HISTORY_HELP = `Usage: gilbench history add RESULTS --store DIR [--commit SHA] [--date ISO] [--branch NAME] [--runner LABEL]
       gilbench history check --store DIR [--since REF] [--confirm] [--summary FILE] [-- RUN OPTIONS]
       gilbench history confirm --store DIR [--from SHA --to SHA] [--ab FILE | --base DIR --head DIR] [-- RUN OPTIONS]
       gilbench history report --store DIR --out DIR

Performance over time: results files filed under the commit they measured, each cell's metrics
followed commit by commit, and change points found in them (E-Divisive means, a permutation test on
every run; docs/HISTORY.md). A series is one cell's metric on one machine (wall time, answers/s and
p99 never mix machines; speedup is also pooled over them). A change point from a shared machine is a
candidate until an interleaved A/B of the commits either side of it confirms it.

  add       record RESULTS under --commit (default: git rev-parse HEAD), its --date (default: the
            commit's date in git, else when the run started), --branch, and the machine: CPU model,
            cores, kernel and a runner label (--runner, else $GILBENCH_RUNNER, else the host name).
            Adding the same results file again replaces its entry; several results files of one
            commit are repeated measurements of it
  check     exit 1 when a regression is in effect at the newest commit (a change point for the worse
            in any cell's headline metric, still worse now) that an A/B confirmed, or that no A/B has
            ruled out (a candidate that could not be re-measured, or an inconclusive A/B); a candidate
            the A/B did not confirm is reported, exit 0. --since REF: only changes after REF
  confirm   measure again, in one interleaved run, the commit before and the commit after each
            candidate (or --from and --to), and record the outcome: from checkouts the repository
            makes (git worktree), from --base and --head checkouts, or from an A/B already made (--ab)
  report    write DIR/index.html (a trend chart per series, change points marked, filters; self-
            contained, no network) and DIR/summary.md (the change points, for a job summary)

Options:
  --store DIR           the history store (a folder; keep it on a branch of its own or as a CI artifact)
  --repo DIR            the git repository of the measured code: commit order, dates, checkouts
                        (default: the one the current folder is in). Without one, commits are
                        ordered by date
  --branch NAME         add: the branch the commit was measured on; check, confirm, report: only its entries
  --since REF           check: only changes that began after REF (a commit of the store)
  --confirm             check: first confirm every candidate it can (as history confirm does)
  --summary FILE        check: also write the outcome as markdown for a job summary
                        (cat FILE >> "$GITHUB_STEP_SUMMARY")
  --from SHA, --to SHA  confirm: the two commits (default: those either side of each candidate)
  --ab FILE             confirm: an interleaved A/B results file of the two commits, already made,
                        its sides labelled base and head: workloads (--workloads-dir DIR=LABEL) or
                        interpreters (--python base=…,head=…; then --sides base,head)
  --sides BASE,CAND     confirm --ab: the two sides are these interpreters
  --base DIR, --head DIR
                        confirm: checkouts of the two commits (their workloads/ are measured)
  --out DIR             report: where the page goes; confirm: where the A/B runs go (default: a
                        temporary folder)
  -- RUN OPTIONS        check --confirm, confirm: the run's options for the A/B (default: those
                        of the run recorded for the later commit, without --out and --workloads,
                        with 20 rounds: a confirmation is rare, and more rounds see smaller changes)
  -h, --help            show this help

Exit codes: 0 no regression to block on (check), done (others); 1 a regression (check); 2 bad input;
3 a file could not be written.`;

const OPTIONS = {
  store: { type: 'string' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBCOMMANDS: Record<string, (args: string[]) => number | Promise<number>> = { add, check, confirm, report };

export async function historyCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(HISTORY_HELP);
    return 0;
  }
  const run =
    SUBCOMMANDS[sub] ?? fail(`Unknown history command "${sub}"; they are ${Object.keys(SUBCOMMANDS).join(', ')}.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(HISTORY_HELP);
    return 0;
  }
  return run(rest);
}

/** The flags before "--", and the run's options after it. */
function splitRunArgs(args: string[]): [string[], string[] | undefined] {
  const dash = args.indexOf('--');
  return dash < 0 ? [args, undefined] : [args.slice(0, dash), args.slice(dash + 1)];
}

function storeOf(values: { store?: string }): string {
  return values.store ?? fail('gilbench history needs --store DIR (the history store); see --help.');
}

function repoOf(values: { repo?: string }): string | undefined {
  if (values.repo === undefined) return repositoryOf(process.cwd());
  return repositoryOf(values.repo) ?? fail(`--repo ${values.repo}: not a git repository.`);
}

/** The machine's runner label: --runner, else $GILBENCH_RUNNER, else the host name the run recorded. */
function runnerOf(given: string | undefined, results: Results): string {
  return given ?? process.env.GILBENCH_RUNNER ?? results.machine.hostname;
}

function add(args: string[]): number {
  const { values, positionals } = parse(
    args,
    { ...OPTIONS, commit: { type: 'string' }, date: { type: 'string' }, runner: { type: 'string' } },
    true,
  );
  if (positionals.length !== 1) fail('gilbench history add takes one results file; see --help.');
  const [file] = positionals as [string];
  const store = storeOf(values);
  const repo = repoOf(values);
  const results = readResults(file);
  const commit =
    values.commit === undefined
      ? (resolveCommit(repo, 'HEAD') ??
        fail(
          'history add: no --commit, and the current folder is in no git repository (give --commit SHA, or --repo DIR).',
        ))
      : (resolveCommit(repo, values.commit) ?? values.commit);
  const date = dateOf(values.date, repo, commit, results.startedAt);
  const runner = runnerOf(values.runner, results);
  const entry = entryFromResults(results, file, { commit, date, branch: values.branch, runner });
  const { path, replaced } = writeEntry(store, entry);
  console.error(
    `gilbench: history: ${entry.cells.length} cells of ${entry.run} recorded under ${shortCommit(commit)} (${date}, ${runner}) in ${relative(process.cwd(), path)}${replaced ? ', replacing its earlier entry' : ''}`,
  );
  return 0;
}

/** --date, else the commit's date in git, else when the run started (said, since it orders the commit). */
function dateOf(given: string | undefined, repo: string | undefined, commit: string, startedAt: string): string {
  if (given !== undefined) {
    if (!Number.isFinite(Date.parse(given)))
      fail(`--date takes an ISO 8601 date, e.g. 2025-01-31T12:00:00Z; got "${given}".`);
    return new Date(given).toISOString();
  }
  const known = repo === undefined ? undefined : commitDate(repo, commit);
  if (known) return new Date(known).toISOString();
  console.error(
    `gilbench: history: ${commit} is not a commit of ${repo ?? 'any repository here'}: it is dated by its run (${startedAt}); give --date for its commit date.`,
  );
  return startedAt;
}

interface Loaded {
  store: Store;
  repo: string | undefined;
  analysis: HistoryAnalysis;
  context: CheckContext;
  dir: string;
}

/** The store, its entries of --branch, in git's commit order where the repository knows every commit, else by date. */
function load(values: { store?: string; repo?: string; branch?: string }): Loaded {
  const dir = storeOf(values);
  const repo = repoOf(values);
  const all = readStore(dir);
  const entries = values.branch === undefined ? all.entries : all.entries.filter((e) => e.branch === values.branch);
  if (entries.length === 0)
    fail(
      `The history store "${dir}" holds no entry${values.branch === undefined ? '' : ` of branch ${values.branch}`}.`,
    );
  const store = { ...all, entries };
  const byGit = gitOrder(repo, [...new Set(entries.map((e) => e.commit))]);
  const commits = byGit ?? orderByDate(entries);
  return {
    store,
    repo,
    dir,
    analysis: analyseHistory(store, commits),
    context: { ordered: byGit ? 'git' : 'date', unconfirmable: new Map() },
  };
}

/** A commit of the store named by REF (given with `flag`): its id, a prefix of one, or whatever git resolves to one. */
function positionOf(flag: string, ref: string, commits: string[], repo: string | undefined): number {
  const resolved = resolveCommit(repo, ref) ?? ref;
  const exact = commits.indexOf(resolved);
  if (exact >= 0) return exact;
  const prefixed = commits.flatMap((commit, i) => (commit.startsWith(ref) ? [i] : []));
  if (prefixed.length === 1) return prefixed[0]!;
  return fail(
    `${flag} ${ref}: ${prefixed.length > 1 ? 'names several commits' : 'is no commit'} of the history store.`,
  );
}

async function check(args: string[]): Promise<number> {
  const [own, runArgs] = splitRunArgs(args);
  const { values } = parse(own, {
    ...OPTIONS,
    since: { type: 'string' },
    confirm: { type: 'boolean' },
    summary: { type: 'string' },
    runner: { type: 'string' },
  });
  let loaded = load(values);
  if (values.confirm) {
    const unconfirmable = await confirmCandidates(loaded, { runArgs, runner: values.runner });
    loaded = load(values);
    loaded.context.unconfirmable = unconfirmable;
  }
  const { analysis, context } = loaded;
  const since =
    values.since === undefined ? undefined : positionOf('--since', values.since, analysis.commits, loaded.repo);
  if (since !== undefined) context.since = analysis.commits[since];
  const findings = openRegressions(analysis, since);
  console.log(checkText(findings, analysis, context));
  if (values.summary) writeAtomic(values.summary, checkMarkdown(findings, analysis, context));
  return findings.some((f) => BLOCKING.includes(f.change.status)) ? 1 : 0;
}

async function confirm(args: string[]): Promise<number> {
  const [own, runArgs] = splitRunArgs(args);
  const { values } = parse(own, {
    ...OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    ab: { type: 'string' },
    sides: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    out: { type: 'string' },
    runner: { type: 'string' },
  });
  const loaded = load(values);
  if ((values.from === undefined) !== (values.to === undefined))
    fail('history confirm takes both --from and --to, or neither (then every candidate).');
  const pair =
    values.from === undefined
      ? undefined
      : ([
          ['--from', values.from],
          ['--to', values.to!],
        ].map(
          ([flag, ref]) => loaded.analysis.commits[positionOf(flag!, ref!, loaded.analysis.commits, loaded.repo)]!,
        ) as [string, string]);
  if ((values.ab !== undefined || values.base !== undefined || values.head !== undefined) && !pair)
    fail('history confirm --ab, --base and --head measure two given commits: add --from SHA --to SHA.');
  if (values.ab !== undefined) return record(loaded.dir, fromFile(values.ab, values.sides, pair!, values.runner));
  if ((values.base === undefined) !== (values.head === undefined))
    fail('history confirm takes both --base and --head checkouts, or neither (then the repository makes them).');
  const out = values.out === undefined ? undefined : writableDir('--out', values.out);
  if (values.base !== undefined) {
    const task = taskReason(loaded.store.entries, pair![1]);
    if (task) fail(`Cannot confirm from checkouts: ${task}.`);
    const confirmation = await measure(loaded, pair!, {
      runArgs,
      runner: values.runner,
      out,
      checkouts: [values.base, values.head!],
    });
    return record(loaded.dir, confirmation);
  }
  const unconfirmable = await confirmCandidates(loaded, { runArgs, runner: values.runner, out }, pair && [pair]);
  for (const [pairKey, why] of unconfirmable) console.error(`gilbench: history: ${pairKey} not confirmed: ${why}`);
  return 0;
}

function record(dir: string, confirmation: Confirmation): number {
  const path = writeConfirmation(dir, confirmation);
  console.error(
    `gilbench: history: the A/B of ${shortCommit(confirmation.from)} → ${shortCommit(confirmation.to)} recorded in ${relative(process.cwd(), path)}`,
  );
  return 0;
}

/** An A/B made elsewhere (e.g. the pull request's gate), its sides labelled base and head. */
function fromFile(
  file: string,
  sides: string | undefined,
  [from, to]: [string, string],
  runner: string | undefined,
): Confirmation {
  const results = readResults(file);
  const names = sides?.split(',').map((s) => s.trim());
  if (names && (names.length !== 2 || names.some((name) => !name)))
    fail(`--sides takes two interpreters, BASE,CAND; got "${sides}".`);
  const comparisons = judgeAB(results, names ? { baseInterpreter: names[0], candInterpreter: names[1] } : {});
  console.log(summaryLine(comparisons, AB_JUDGEMENT));
  return confirmationFrom(results, comparisons, {
    from,
    to,
    runner: runnerOf(runner, results),
    across: names ? 'interpreter' : 'label',
  });
}

interface MeasureOptions {
  runArgs: string[] | undefined;
  runner: string | undefined;
  out?: string;
}

/**
 * Confirms each candidate regression in effect (or each given pair): an interleaved A/B of its two
 * commits from checkouts the repository makes, recorded in the store. Returns, by "from..to", why
 * a pair could not be measured.
 */
async function confirmCandidates(
  loaded: Loaded,
  options: MeasureOptions,
  given?: [string, string][],
): Promise<Map<string, string>> {
  const candidates = openRegressions(loaded.analysis).filter((f) => f.change.status === 'candidate');
  const pairs = given ?? [
    ...new Map(
      candidates.map(({ change }) => [`${change.from}..${change.to}`, [change.from, change.to] as [string, string]]),
    ).values(),
  ];
  const unconfirmable = new Map<string, string>();
  for (const pair of pairs) {
    const why = reasonNotToMeasure(loaded, pair);
    if (why) {
      unconfirmable.set(pair.join('..'), why);
      continue;
    }
    const [base, head] = pair.map((commit) => checkout(loaded.repo!, commit));
    try {
      writeConfirmation(loaded.dir, await measure(loaded, pair, { ...options, checkouts: [base!.dir, head!.dir] }));
    } finally {
      base!.remove();
      head!.remove();
    }
  }
  return unconfirmable;
}

/** Why two commits cannot be measured again from the repository, if they cannot. */
function reasonNotToMeasure({ repo, store }: Loaded, [from, to]: [string, string]): string | undefined {
  if (repo === undefined) return 'no repository to check the two commits out from (--repo)';
  const unknown = [from, to].filter((commit) => resolveCommit(repo, commit) !== commit);
  if (unknown.length)
    return `${unknown.map(shortCommit).join(' and ')} ${unknown.length > 1 ? 'are not commits' : 'is not a commit'} of ${repo}: they cannot be checked out`;
  return taskReason(store.entries, to);
}

/** A --task is a file anywhere, not a workload of the checkout: its two revisions cannot be measured from checkouts. */
function taskReason(entries: Entry[], commit: string): string | undefined {
  const tasks = workloadsOf(entries, commit).filter((w) => w.includes(':'));
  if (!tasks.length) return undefined;
  return `${tasks.join(', ')} ${tasks.length > 1 ? 'are --tasks' : 'is a --task'}: a task's revisions are measured with labelled interpreters (run --python base=…,head=…), then recorded with confirm --ab`;
}

/** The workloads measured at a commit, without their labels. */
function workloadsOf(entries: Entry[], commit: string): string[] {
  return [
    ...new Set(entries.filter((e) => e.commit === commit).flatMap((e) => e.cells.map((c) => unlabelled(c.workload)))),
  ];
}

/** One A/B of two checkouts' workloads, judged as the gate judges, as a confirmation of the pair. */
async function measure(
  loaded: Loaded,
  [from, to]: [string, string],
  options: MeasureOptions & { checkouts: string[] },
): Promise<Confirmation> {
  const runArgs = options.runArgs ?? [...recordedRunArgs(loaded.store.entries, to), ...CONFIRM_ROUNDS];
  const out = options.out ?? mkdtempSync(join(tmpdir(), 'gilbench-confirm-'));
  console.error(
    `gilbench: history: measuring ${shortCommit(from)} (base) and ${shortCommit(to)} (head) in one interleaved run, into ${out}`,
  );
  const [base, head] = options.checkouts.map((dir) => join(dir, 'workloads'));
  const file = await runAB(base!, head!, workloadsOf(loaded.store.entries, to), runArgs, out);
  const results = readResults(file);
  const comparisons = judgeAB(results);
  console.log(summaryLine(comparisons, AB_JUDGEMENT));
  return confirmationFrom(results, comparisons, {
    from,
    to,
    runner: runnerOf(options.runner, results),
    across: 'label',
  });
}

/** Flags that name what a run measures or where it goes: an A/B sets its own. */
const NOT_REPEATED = new Set([
  '--out',
  '--workloads',
  '--workloads-dir',
  '--export-json',
  '--export-csv',
  '--export-markdown',
]);

/** The run options recorded for a commit's newest run, less those an A/B sets itself. */
function recordedRunArgs(entries: Entry[], commit: string): string[] {
  const newest = entries
    .filter((e) => e.commit === commit)
    .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0]!;
  const args = newest.command.slice(newest.command.indexOf('run') + 1);
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.split('=')[0]!;
    if (!NOT_REPEATED.has(name)) kept.push(args[i]!);
    else if (!args[i]!.includes('=')) i++; // and its value
  }
  return kept;
}

function report(args: string[]): number {
  const { values } = parse(args, { ...OPTIONS, out: { type: 'string' } });
  const out = writableDir('--out', values.out ?? fail('history report needs --out DIR (where the page goes).'));
  const { store, analysis, context } = load(values);
  const dates = new Map(store.entries.map((e) => [e.commit, e.date.slice(0, 16).replace('T', ' ')]));
  writeAtomic(join(out, 'index.html'), historyPage(analysis, context, dates));
  writeAtomic(join(out, 'summary.md'), changesMarkdown(analysis, context));
  console.error(
    `gilbench: history: ${analysis.series.length} series of ${analysis.commits.length} commits: ${relative(process.cwd(), join(out, 'index.html'))}, summary.md beside it`,
  );
  return 0;
}
