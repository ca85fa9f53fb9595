import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Comparison } from '../bench/analyse/compare.ts';
import { analyseHistory, orderByDate } from '../bench/analyse/history/series.ts';
import { main } from '../bench/cli/main.ts';
import { gitOrder } from '../bench/cli/revisions.ts';
import {
  CONFIRMATION_SCHEMA,
  type Confirmation,
  HISTORY_VERSION,
  historyDocuments,
  readStore,
  writeConfirmation,
} from '../bench/store/history.ts';
import { upgradeThrough } from '../bench/store/schema-history.ts';
import { confirmedAlarms } from '../ci/suite.ts';
import { historyAdds, historyRuns, tempDir } from './helpers.ts';

/**
 * The history store on real results: test/fixtures/history/c1…c6/r1…r5.json are thirty real runs of
 *   gilbench run --task test/fixtures/tasks.py:count --task test/fixtures/tasks.py:nap --task-param n=N
 *     --modes serial,threads --workers 2 --profile quick --repeat 1 --sample-interval 0
 * N = 2,000,000 for c1–c4 and 3,000,000 (×1.5 the work) for c5 and c6, made round by round: the
 * first run of every commit, then the second of every commit, and so on, so that each commit's five
 * runs meet the machine at five moments, as runs of one commit on several occasions do. The count
 * task's wall time steps up at c5; nap's does not move (it sleeps; n is not its parameter), and
 * neither task's speedup moves (serial and threads do the same work).
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'history');

/** Runs gilbench in this process; its exit code, and what it printed on stdout. */
async function gilbench(...args: string[]): Promise<{ code: number; out: string }> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => printed.push(parts.join(' '));
  try {
    return { code: await main(args), out: printed.join('\n') };
  } finally {
    console.log = log;
  }
}

/** A store of commits c1…c<count> (not commits of any repository here: ordered by their dates). */
async function sixCommitStore(count = 6): Promise<string> {
  const store = join(tempDir(), 'store');
  for (const add of historyAdds(store, count)) assert.equal((await gilbench(...add)).code, 0);
  return store;
}

const changesOf = (store: string) => {
  const read = readStore(store);
  return analyseHistory(read, orderByDate(read.entries)).series.flatMap((s) =>
    s.changes.map((c) => ({
      cell: s.cell,
      metric: s.metric,
      commit: c.commit,
      direction: c.direction,
      effect: c.effect,
    })),
  );
};

test("six commits of real runs, the count task ×1.5 from c5: a change point at c5 in its cells' wall time, none in nap's or in any speedup", async () => {
  const changes = changesOf(await sixCommitStore());
  const at = (cell: string) => changes.filter((c) => c.cell.startsWith(cell));
  for (const change of changes) {
    assert.match(change.cell, /^tasks\.py:count\//, `only the count task's work changed: ${JSON.stringify(change)}`);
    assert.equal(change.metric, 'wall', 'serial and threads did the same work: no speedup moved');
    assert.equal(change.direction, 'increase');
  }
  for (const mode of ['serial', 'threads']) {
    const [first, ...more] = at(`tasks.py:count/${mode}/`);
    assert.deepEqual([first?.commit, more], ['c5', []], `the ${mode} cell: one change point, at c5`);
    assert.ok(first!.effect > 1.2 && first!.effect < 1.8, `effect ${first!.effect}`);
  }
});

test('history check: exit 1 on the six commits (a candidate no A/B can confirm: say so), exit 0 on the first four', async () => {
  const six = await sixCommitStore();
  const repo = tempDir();
  git(repo, 'init', '-q');
  const failed = await gilbench('history', 'check', '--store', six, '--confirm', '--repo', repo);
  assert.equal(failed.code, 1, failed.out);
  assert.match(failed.out, /candidate, not confirmed .*tasks\.py:count\/.*wall time.*\+\d+\.\d%.* c5 /);
  assert.match(
    failed.out,
    /c\d and c5 are not commits of .*: they cannot be checked out/,
    'a repository that does not have them',
  );
  assert.match(failed.out, /^FAIL: 2 regressions in effect at c6/m);
  const four = await gilbench('history', 'check', '--store', await sixCommitStore(4));
  assert.equal(four.code, 0, four.out);
  assert.match(four.out, /^OK: no regressions in effect at c4/m);
  // --since: only changes after the given commit (c5's is after c4; nothing is after c5).
  assert.equal((await gilbench('history', 'check', '--store', six, '--since', 'c5')).code, 0);
  assert.equal((await gilbench('history', 'check', '--store', six, '--since', 'c4')).code, 1);
});

/** A confirmation of `from` → `to` whose A/B judged every count cell's wall time as `verdict`. */
function confirmation(store: string, [from, to]: [string, string], verdict: string): Confirmation {
  const read = readStore(store);
  const cells = read.entries[0]!.cells.filter((c) => c.workload === 'tasks.py:count').map((c) => ({
    key: c.id,
    metric: 'wall' as const,
    ratio: 1.5,
    low: 1.4,
    high: 1.6,
    p: 0.002,
    verdict,
  }));
  const machine = read.entries[0]!.machine;
  return {
    schema: CONFIRMATION_SCHEMA,
    version: HISTORY_VERSION,
    from,
    to,
    measuredAt: '2025-01-07T00:00:00Z',
    machine,
    run: 'ab',
    across: 'label',
    cells,
  };
}

test('a recorded A/B decides: confirmed fails the check, not confirmed passes it and says so', async () => {
  const store = await sixCommitStore();
  writeConfirmation(store, confirmation(store, ['c4', 'c5'], 'slower'));
  const confirmed = await gilbench('history', 'check', '--store', store);
  assert.equal(confirmed.code, 1);
  assert.match(confirmed.out, /❌ confirmed .*c4→c5: \+50\.0%, slower/);
  assert.match(
    confirmed.out,
    /c4→c5: \+50\.0%, slower \(99% CI \[\+40\.0%, \+60\.0%\], p 0\.0020\)/,
    "the A/B's interval",
  );
  writeConfirmation(store, confirmation(store, ['c4', 'c5'], 'no change'));
  assert.equal(
    readdirSync(join(store, 'confirmations')).length,
    1,
    'an A/B of the same two commits replaces the earlier one',
  );
  const ruledOut = await gilbench('history', 'check', '--store', store, '--summary', join(store, 'summary.md'));
  assert.equal(ruledOut.code, 0, ruledOut.out);
  assert.match(ruledOut.out, /ℹ not confirmed by the A\/B .* c5 .*c4→c5: \+50\.0%, no change/);
  assert.match(ruledOut.out, /^OK: no regressions in effect at c6 .*; 2 not confirmed by an A\/B/m);
  assert.match(
    ruledOut.out,
    /2 not confirmed by an A\/B \(it found no change for the worse beyond 5% at p < 0\.01\)\./,
  );
  const summary = readFileSync(join(store, 'summary.md'), 'utf8');
  assert.match(summary, /^## gilbench history check/);
  assert.match(summary, /\| ℹ not confirmed by the A\/B \| tasks\.py:count\//);
});

test('history confirm --ab records an interleaved A/B made elsewhere (labelled interpreters), cell by cell', async () => {
  const store = await sixCommitStore();
  // The fixture: gilbench run --task test/fixtures/tasks.py:count --task-param n=2000000 --modes serial,threads --workers 2
  //   --python base=python3,head=python3 --profile quick --repeat 10 --sample-interval 0 (both sides the same: an A/A).
  for (const [from, to] of [
    ['c4', 'c5'],
    ['c5', 'c6'],
  ]) {
    const { code } = await gilbench(
      'history',
      'confirm',
      '--store',
      store,
      '--from',
      from!,
      '--to',
      to!,
      '--ab',
      join(FIXTURES, 'ab-count.json'),
      '--sides',
      'base,head',
      '--runner',
      'test-vm',
    );
    assert.equal(code, 0);
  }
  const recorded = readStore(store).confirmations.find((c) => c.from === 'c4');
  assert.equal(recorded!.across, 'interpreter');
  assert.deepEqual([recorded!.from, recorded!.to], ['c4', 'c5']);
  assert.ok(
    recorded!.cells.some((c) => c.key === 'tasks.py:count/threads/w2' && c.metric === 'wall'),
    JSON.stringify(recorded!.cells.map((c) => c.key)),
  );
  // The fixture's two sides ran the same task on the same Python: the A/B finds no slowdown, and the check says the change is not confirmed.
  const checked = await gilbench('history', 'check', '--store', store);
  assert.match(checked.out, /not confirmed by the A\/B .*c4→c5: [+-]\d+\.\d%, no change/);
  assert.equal(checked.code, 0, checked.out);
});

test('adding a results file again replaces its entry; another of the same commit is a repeated measurement beside it', async () => {
  const store = join(tempDir(), 'store');
  const [first, second] = historyRuns(1);
  const add = (file: string) =>
    gilbench('history', 'add', file, '--store', store, '--commit', 'abc', '--date', '2025-01-01T00:00:00Z');
  await add(first!);
  await add(first!);
  assert.equal(readdirSync(join(store, 'runs', 'abc')).length, 1);
  await add(second!);
  assert.equal(readdirSync(join(store, 'runs', 'abc')).length, 2);
  const read = readStore(store);
  const [series] = analyseHistory(read, ['abc']).series.filter(
    (s) => s.cell.startsWith('tasks.py:nap/serial') && s.metric === 'wall',
  );
  assert.equal(series!.points[0]!.runs.length, 2, 'both runs of the commit, one measured run each');
  const text = readFileSync(join(store, 'runs', 'abc', readdirSync(join(store, 'runs', 'abc'))[0]!), 'utf8');
  assert.equal(text.match(/^ {4}\{"id":/gm)?.length, 4, 'one line per cell: a re-measured cell is a one-line diff');
});

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

test("commits in git's order, whatever their dates; without --date an entry takes its commit's date from git", async () => {
  const repo = tempDir();
  git(repo, 'init', '-q', '-b', 'main');
  const commits = ['2025-03-01T00:00:00Z', '2025-02-01T00:00:00Z', '2025-01-01T00:00:00Z'].map((date, i) => {
    writeFileSync(join(repo, 'file'), `${i}`);
    git(repo, 'add', 'file');
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', `${i}`], {
      env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date },
    });
    return git(repo, 'rev-parse', 'HEAD');
  });
  assert.deepEqual(
    gitOrder(repo, [commits[2]!, commits[0]!, commits[1]!]),
    commits,
    'parents first, although the dates run backwards',
  );
  assert.equal(gitOrder(repo, [commits[0]!, 'c1']), undefined, 'a commit the repository does not know: no git order');
  const store = join(tempDir(), 'store');
  for (const [i, commit] of commits.entries())
    assert.equal(
      (
        await gilbench(
          'history',
          'add',
          historyRuns(i + 1)[0]!,
          '--store',
          store,
          '--commit',
          commit.slice(0, 8),
          '--repo',
          repo,
        )
      ).code,
      0,
    );
  const entries = readStore(store).entries;
  assert.deepEqual(new Set(entries.map((e) => e.commit)), new Set(commits), 'a short SHA is recorded as the full one');
  assert.equal(entries.find((e) => e.commit === commits[0])!.date, '2025-03-01T00:00:00.000Z');
});

test('two jobs each record a commit on their own branch of the store; git merges both without a conflict', async () => {
  const repo = tempDir();
  git(repo, 'init', '-q', '-b', 'gilbench-history');
  await gilbench(
    'history',
    'add',
    historyRuns(1)[0]!,
    '--store',
    join(repo, 'store'),
    '--commit',
    'c1',
    '--date',
    '2025-01-01T00:00:00Z',
  );
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'c1');
  for (const job of [2, 3]) {
    git(repo, 'checkout', '-q', '-b', `job${job}`, 'gilbench-history');
    await gilbench(
      'history',
      'add',
      historyRuns(job)[0]!,
      '--store',
      join(repo, 'store'),
      '--commit',
      `c${job}`,
      '--date',
      `2025-01-0${job}T00:00:00Z`,
    );
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `c${job}`);
  }
  git(repo, 'checkout', '-q', 'gilbench-history');
  git(repo, 'merge', '-q', '--no-edit', 'job2');
  git(repo, 'merge', '-q', '--no-edit', 'job3'); // throws on a conflict
  assert.deepEqual(
    readStore(join(repo, 'store'))
      .entries.map((e) => e.commit)
      .sort(),
    ['c1', 'c2', 'c3'],
  );
});

test('the store reads its own versions only: a newer one, a damaged file and a bad flag are one sentence, exit 2', async () => {
  const store = await sixCommitStore(1);
  const entryFile = join(store, 'runs', 'c1', readdirSync(join(store, 'runs', 'c1'))[0]!);
  const entry = JSON.parse(readFileSync(entryFile, 'utf8'));
  const errors: string[] = [];
  const error = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  try {
    writeFileSync(entryFile, JSON.stringify({ ...entry, version: HISTORY_VERSION + 1 }));
    assert.equal((await gilbench('history', 'check', '--store', store)).code, 2);
    assert.match(errors.at(-1)!, /has history format version 2; this gilbench reads versions 1 to 1/);
    writeFileSync(entryFile, '{"schema": "gilbench/history-entry", "version": 1, "commit"');
    assert.equal((await gilbench('history', 'check', '--store', store)).code, 2);
    assert.match(errors.at(-1)!, /is not valid JSON: the history store is damaged/);
    assert.equal((await gilbench('history', 'add', historyRuns(1)[0]!, '--store', store, '--commit', '../x')).code, 2);
    assert.match(errors.at(-1)!, /Cannot record commit = "\.\.\/x"/);
    assert.equal(
      (await gilbench('history', 'add', historyRuns(1)[0]!, '--store', store, '--commit', 'c1', '--date', 'yesterday'))
        .code,
      2,
    );
    assert.equal((await gilbench('history', 'check')).code, 2);
    assert.equal((await gilbench('history', 'check', '--store', join(store, 'nowhere'))).code, 2);
    assert.match(errors.at(-1)!, /There is no history store at/);
    assert.equal((await gilbench('history', 'frobnicate')).code, 2);
  } finally {
    console.error = error;
  }
});

test("an older store is brought up to date step by step (the results format does the same); the schemas in docs/ are the code's", () => {
  const steps = [
    { version: 1, changes: 'first' },
    { version: 2, changes: 'adds b', upgrade: (file: Record<string, unknown>) => ({ ...file, b: 0 }) },
  ];
  assert.deepEqual(upgradeThrough(steps, { version: 1, a: 1 }, 1), { version: 2, a: 1, b: 0 });
  assert.deepEqual(upgradeThrough(steps, { version: 2, a: 1, b: 5 }, 2), { version: 2, a: 1, b: 5 });
  for (const [file, text] of Object.entries(historyDocuments())) {
    assert.equal(
      readFileSync(join(import.meta.dirname, '..', 'docs', 'schemas', file), 'utf8'),
      text,
      `docs/schemas/${file} is stale: npm run schemas`,
    );
  }
});

test('history report writes the trend page and the summary of change points', async () => {
  const store = await sixCommitStore();
  const out = join(tempDir(), 'page');
  mkdirSync(out);
  assert.equal((await gilbench('history', 'report', '--store', store, '--out', out)).code, 0);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.equal(
    html.match(/<section class="trend"/g)?.length,
    6,
    "a section per series: 4 cells' wall time, 2 speedups",
  );
  assert.ok(!/(src|href)="https?:/.test(html), 'nothing from the network');
  // Five runs a commit: the median's interval covers 93.75%, and the tooltip says so rather than 95%.
  assert.match(html, /"text":"median [^"]*\], a 93% interval \(5 runs\)"/);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /\| ❌ candidate, not confirmed \| tasks\.py:count\//);
});

test('the trend page: a commit of one run has no interval, so no whisker; its tooltip says so', async () => {
  const store = join(tempDir(), 'store');
  for (const commit of [1, 2]) {
    const add = historyAdds(store, 2).find((args) => args[6] === `c${commit}`)!;
    assert.equal((await gilbench(...add)).code, 0);
  }
  const out = join(tempDir(), 'page');
  mkdirSync(out);
  assert.equal((await gilbench('history', 'report', '--store', store, '--out', out)).code, 0);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const points = html.match(/\{"x":\d+,"y":[^{}]*"text":"median [^"]*"\}/g) ?? [];
  assert.ok(points.length > 0, 'the medians are on the page');
  for (const point of points) {
    assert.match(point, /"text":"median [^"]* \(one run: no interval\)"/);
    assert.ok(!/"low"|"high"/.test(point), `no whisker for one run: ${point}`);
  }
});

test("bench:ci's claim stands only on an A/B of the same cell and metric (or the cell failing in it)", () => {
  const claim = (metric: string, verdict: string) => ({ key: 'countdown/threads/w2', metric, verdict }) as Comparison;
  const ab = (metric: string, verdict: string) =>
    ({ key: 'countdown/threads/w2/cpython-3.11', metric, verdict }) as Comparison;
  const speedup = claim('speedup', 'slower');
  assert.deepEqual(confirmedAlarms([speedup], [ab('wall', 'slower'), ab('speedup', 'no change')], 'cpython-3.11'), []);
  assert.deepEqual(confirmedAlarms([speedup], [ab('speedup', 'slower')], 'cpython-3.11'), [speedup]);
  assert.deepEqual(confirmedAlarms([speedup], [ab('wall', 'missing')], 'cpython-3.11'), [speedup]);
});
