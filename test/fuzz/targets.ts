/**
 * The fuzz targets: each file gilbench reads, and its command line. A target generates a case,
 * gives it to gilbench in this process (main() with the arguments a user would type, or the very
 * function a command calls), and says whether gilbench read it or refused it; anything else — a
 * stack trace, a second line, a report folder that claims to be finished but is not, a file
 * gilbench wrote and then refused to read — fails the case.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mergeResults } from '../../bench/cli/commands/merge.ts';
import { checkTask, parseTask } from '../../bench/define/task.ts';
import { CONFIRMATION_SCHEMA, HISTORY_VERSION, readStore, writeConfirmation } from '../../bench/store/history.ts';
import { JOURNAL_FILE } from '../../bench/store/journal.ts';
import { latestRunDir, readResults } from '../../bench/store/results.ts';
import { CI_GATE_METRICS, CI_GATE_THRESHOLD_PCT } from '../../ci/suite.ts';
import { historyAdds, PYTHON } from '../helpers.ts';
import {
  compareFlag,
  EXPORT_FLAGS,
  madeFor,
  numberish,
  OUT_CHOICES,
  type OutChoice,
  outPath,
  runFlag,
  TASK_SPECS,
  tinyTask,
} from './flags.ts';
import { type Json, type Mutation, mutate, mutations } from './mutate.ts';
import { assertOneSentence, assertReportFolder, capture, gilbench, readOrRefused } from './outcome.ts';

export type Verdict = 'read' | 'refused';

export interface Target<T = unknown> {
  name: string;
  /** what it fuzzes, for the README and the fuzz script's table */
  about: string;
  input: fc.Arbitrary<T>;
  /** one case, in a folder of its own */
  run(input: T, dir: string): Promise<Verdict>;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const BASELINE = join(import.meta.dirname, '..', '..', 'ci', 'baseline.json');

/** Real results files of every schema version this gilbench reads: 1 (countdown-v1), 2 and 3. */
const RESULTS = ['countdown-v1', 'countdown', 'two-interpreters', 'echo-node-beside', 'echo-sweep', 'fetch'] as const;
const fixturePath = (name: string) => join(FIXTURES, `${name}.json`);
const documents = new Map<string, Json>();
/** A fixture as JSON, parsed once per process. */
function document(name: string, path = fixturePath(name)): Json {
  if (!documents.has(name)) documents.set(name, JSON.parse(readFileSync(path, 'utf8')));
  return documents.get(name)!;
}

/**
 * report FILE: read, then a finished report folder; or one sentence and no report.md. A file
 * that reads is compared with the file it came from as well: compare reads through other paths.
 */
async function reportAndCompare(file: string, original: string, dir: string): Promise<Verdict> {
  const out = join(dir, 'report');
  const report = await gilbench(['report', file, '--out', out]);
  const verdict = readOrRefused(report, `report ${file}`);
  assertReportFolder(out, report.code, `report ${file}`);
  if (verdict === 'read') readOrRefused(await gilbench(['compare', file, original]), `compare ${file} ${original}`);
  return verdict;
}

const results: Target<{ fixture: string; mutations: Mutation[] }> = {
  name: 'results',
  about: 'results.json of schema versions 1, 2 and 3, mutated, through report and compare',
  input: fc.record({ fixture: fc.constantFrom(...RESULTS), mutations }),
  async run({ fixture, mutations: list }, dir) {
    const file = join(dir, 'results.json');
    writeFileSync(file, mutate(document(fixture), list));
    return reportAndCompare(file, fixturePath(fixture), dir);
  },
};

/** Who wrote a journal: this process (a run still going), a process that is gone, or another machine. */
const WRITERS = {
  alive: () => ({ pid: process.pid, host: hostname() }),
  gone: () => ({ pid: 0x7ffffff0, host: hostname() }),
  elsewhere: () => ({ pid: process.pid, host: 'another-machine' }),
};

/** One JSON line per element, as the suite appends them. */
const asLines = (lines: Json) =>
  Array.isArray(lines) ? `${lines.map((line) => JSON.stringify(line)).join('\n')}\n` : JSON.stringify(lines);

const journal: Target<{ fixture: string; writer: keyof typeof WRITERS; lines: Mutation[]; header: Mutation[] | null }> =
  {
    name: 'journal',
    about: `${JOURNAL_FILE} beside a results.json that has no runs of its own (a run going on, or killed): lines mutated, cut, torn, of a writer alive, gone or elsewhere`,
    input: fc.record({
      fixture: fc.constantFrom('countdown', 'echo-node-beside', 'fetch'),
      writer: fc.constantFrom('alive', 'gone', 'elsewhere'),
      lines: mutations,
      header: fc.option(mutations, { freq: 4 }),
    }),
    async run({ fixture, writer, lines, header }, dir) {
      const { runs, finishedAt: _end, loadAfter: _after, ...rest } = document(fixture) as Record<string, Json>;
      const file = join(dir, 'results.json');
      const started: Json = { ...rest, status: 'running', runs: [] };
      writeFileSync(file, header ? mutate(started, header) : JSON.stringify(started));
      writeFileSync(
        join(dir, JOURNAL_FILE),
        mutate([{ writer: WRITERS[writer]() }, ...(runs as Json[])], lines, asLines),
      );
      const verdict = await reportAndCompare(file, fixturePath(fixture), dir);
      // A journal whose writer is gone was folded into results.json: gilbench reads what it wrote.
      if (verdict === 'read' && !existsSync(join(dir, JOURNAL_FILE))) readResults(file);
      return verdict;
    },
  };

/** Pairs of files merge can take: one run each, the same run twice, two machines. */
const PAIRS = [
  ['countdown', 'two-interpreters'],
  ['countdown', 'countdown-v1'],
  ['fetch', 'countdown'],
  ['echo-node-beside', 'echo-sweep'],
] as const;

/** The same document from another machine: its interpreters stay apart from the first file's. */
const elsewhere = (doc: Json) => ({
  ...(doc as Record<string, Json>),
  machine: { ...((doc as Record<string, Json>).machine as Record<string, Json>), hostname: 'runner-b' },
});

const merge: Target<{ pair: readonly [string, string]; mutated: 0 | 1; otherMachine: boolean; mutations: Mutation[] }> =
  {
    name: 'merge',
    about: 'merge OUT A B with one input mutated, from one machine or two: refused, or a merged file gilbench reads',
    input: fc.record({
      pair: fc.constantFrom(...PAIRS),
      mutated: fc.constantFrom(0, 1),
      otherMachine: fc.boolean(),
      mutations,
    }),
    async run({ pair, mutated, otherMachine, mutations: list }, dir) {
      const inputs = pair.map((name, i) => {
        const doc = otherMachine && i === 1 ? elsewhere(document(name)) : document(name);
        const file = join(dir, `${i}.json`);
        writeFileSync(file, i === mutated ? mutate(doc, list) : JSON.stringify(doc));
        return file;
      });
      const out = join(dir, 'merged.json');
      const verdict = readOrRefused(await gilbench(['merge', out, ...inputs]), `merge ${pair.join(' ')}`);
      if (verdict === 'read') readResults(out);
      else assert.ok(!existsSync(out), 'a refused merge wrote no file');
      return verdict;
    },
  };

/** A merged file of two runs on two machines, as merge writes it. */
function mergedDocument(): Json {
  if (!documents.has('merged')) {
    const other = readResults(fixturePath('two-interpreters'));
    const merged = mergeResults([
      readResults(fixturePath('countdown')),
      { ...other, machine: { ...other.machine, hostname: 'runner-b' } },
    ]);
    documents.set('merged', JSON.parse(JSON.stringify(merged)));
  }
  return documents.get('merged')!;
}

const merged: Target<Mutation[]> = {
  name: 'merged',
  about: 'a merged results file (two runs, two machines, with sources), mutated, through report and compare',
  input: mutations,
  async run(list, dir) {
    const original = join(dir, 'original.json');
    writeFileSync(original, JSON.stringify(mergedDocument()));
    const file = join(dir, 'results.json');
    writeFileSync(file, mutate(mergedDocument(), list));
    return reportAndCompare(file, original, dir);
  },
};

/** An interpreter that is not there: every flag of run is checked before it is looked for (run.ts runFlags). */
const NO_PYTHON = 'python-gilbench-fuzz-absent';

/** --python as typed, never naming an interpreter that is there: nothing is probed or run. */
const PYTHONS = [
  NO_PYTHON,
  `a=${NO_PYTHON}`,
  `a=${NO_PYTHON},a=${NO_PYTHON}`,
  `${NO_PYTHON},${NO_PYTHON}`,
  '=x',
  'x=',
  ',',
  '',
  'b@d=x',
  '/nonexistent/python3',
];

const runFlags: Target<{
  flags: (readonly string[])[];
  out: OutChoice | null;
  task: (typeof TASK_SPECS)[number] | null;
  python: string;
}> = {
  name: 'run-flags',
  about:
    'run with generated flags and values (durations, worker lists, --repeat, --target, --budget, --param, --task, --out, --python, unknown flags): refused, or accepted up to looking for the interpreter',
  input: fc.record({
    flags: fc.array(runFlag, { maxLength: 6 }),
    out: fc.option(fc.constantFrom(...OUT_CHOICES)),
    task: fc.option(fc.constantFrom(...TASK_SPECS)),
    python: fc.constantFrom(...PYTHONS),
  }),
  async run({ flags, out, task, python }, dir) {
    const args = [
      'run',
      ...flags.flat().map((value) => madeFor(value, dir)),
      ...(out === null ? [] : ['--out', outPath(out, dir, 'reports')]),
      ...(task === null ? [] : ['--task', join(tinyTask(dir), task)]),
    ];
    const outcome = await gilbench([...args, '--python', python]);
    if (outcome.code === 0) {
      assert.match(outcome.stdout.join('\n'), /^Usage: gilbench run/, 'exit 0 without running: the help');
      return 'read';
    }
    assertOneSentence(outcome, args.join(' '));
    return outcome.stderr[0]!.includes(`"${NO_PYTHON}" was not found`) ? 'read' : 'refused';
  },
};

type Command = 'compare-two' | 'compare-one' | 'report' | 'merge' | 'figures';
const FIGURES_FLAG = fc.oneof(
  fc.tuple(fc.constant('--only'), fc.constantFrom('gil-cpu', 'gil-cpu,convoy', 'nope', '')),
  fc.tuple(fc.constant('--profile'), fc.constantFrom('quick', 'huge')),
  fc.tuple(fc.constant('--max-age'), numberish),
  fc.tuple(fc.constant('--from'), fc.constantFrom(join(FIXTURES, 'countdown.json'), 'absent.json')),
);

/** What each command is given besides its flags: files to read, and where it writes. */
function commandArgs(command: Command, dir: string, out: string): string[] {
  const countdown = fixturePath('countdown');
  if (command === 'compare-two') return ['compare', countdown, fixturePath('countdown-v1')];
  if (command === 'compare-one') return ['compare', fixturePath('two-interpreters')];
  if (command === 'report') return ['report', countdown, '--out', out];
  if (command === 'merge') return ['merge', join(dir, 'merged.json'), countdown, fixturePath('countdown-v1')];
  mkdirSync(join(dir, 'figures'));
  return ['figures', '--render', '--out', join(dir, 'figures')];
}

const commands: Target<{
  command: Command;
  flags: (readonly string[])[];
  writes: [string, OutChoice][];
  out: OutChoice;
}> = {
  name: 'flags',
  about: 'compare, report, merge and figures --render with generated flags, and files to write that can or cannot be',
  input: fc.record({
    command: fc.constantFrom('compare-two', 'compare-one', 'report', 'merge', 'figures'),
    flags: fc.array(fc.oneof(compareFlag, FIGURES_FLAG), { maxLength: 4 }),
    writes: fc.array(
      fc.tuple(fc.constantFrom('--markdown', '--summary', '--json', ...EXPORT_FLAGS), fc.constantFrom(...OUT_CHOICES)),
      { maxLength: 2 },
    ),
    out: fc.constantFrom(...OUT_CHOICES),
  }),
  async run({ command, flags, writes, out }, dir) {
    const report = outPath(out, dir, 'report');
    const args = [
      ...commandArgs(command, dir, report),
      ...flags.flat(),
      ...writes.flatMap(([flag, where], i) => [flag, outPath(where, dir, `${i}${flag}`)]),
    ];
    const outcome = await gilbench(args);
    // compare --fail-on-regression: 1 is a regression found, an answer
    const verdict = readOrRefused(outcome, args.join(' '), [1]);
    const helped = outcome.stdout[0]?.startsWith('Usage:');
    if (command === 'report' && !helped) assertReportFolder(report, outcome.code, args.join(' '));
    return verdict;
  },
};

/** A real run of a task that returns at once: every mode and setting run takes, ending in results and a report. */
const runs: Target<{
  modes: string[];
  workers: string;
  repeat: string;
  warmup: string;
  timeout: string | null;
  pin: string;
  labelled: boolean;
  taskParam: string | null;
}> = {
  name: 'run',
  about:
    'real runs of a task that returns at once, with generated modes, workers, --repeat (auto too), --warmup, --timeout, --pin, --task-param and a labelled --python: exit 0 with results gilbench reads and a finished report',
  input: fc.record({
    // a few cells: each run is a real Python process, and a case a few seconds
    modes: fc.subarray(['serial', 'threads', 'processes', 'async'], { minLength: 1, maxLength: 2 }),
    workers: fc.constantFrom('1', '2'),
    repeat: fc.constantFrom('1', '2', 'auto'),
    warmup: fc.constantFrom('0', '1'),
    // far above the second or so a case's runs take, even on a busy machine: npm test runs this beside another fuzz group on two cores
    timeout: fc.option(fc.constantFrom('60', '120')),
    pin: fc.constantFrom('auto', 'off'),
    labelled: fc.boolean(),
    taskParam: fc.option(fc.constantFrom('n=3', 'name=text', 'x=1.5')),
  }),
  async run({ modes, workers, repeat, warmup, timeout, pin, labelled, taskParam }, dir) {
    const args = [
      'run',
      '--task',
      join(tinyTask(dir), 'tiny.py:f'),
      '--sample-interval',
      '0',
      '--busy',
      'keep',
      '--out',
      join(dir, 'reports'),
      '--modes',
      modes.join(','),
      '--workers',
      workers,
      '--repeat',
      repeat,
      '--warmup',
      warmup,
      '--pin',
      pin,
      '--python',
      labelled ? `mine=${PYTHON}` : PYTHON,
      ...(repeat === 'auto' ? ['--budget', '1', '--target', '50'] : []),
      ...(timeout === null ? [] : ['--timeout', timeout]),
      ...(taskParam === null ? [] : ['--task-param', taskParam]),
    ];
    const outcome = await gilbench(args);
    assert.equal(outcome.code, 0, `${args.join(' ')}: ${outcome.stderr.join('\n')}`);
    const runDir = latestRunDir(join(dir, 'reports'));
    readResults(join(runDir, 'results.json'));
    assertReportFolder(runDir, outcome.code, args.join(' '));
    return 'read';
  },
};

/** What a --task file can hold: a function of every kind Python defines one with, and what is not Python. */
const TASK_FILES: Record<string, string | Buffer> = {
  def: 'def f(i, **_):\n    pass\n',
  async: 'async def f(i, **_):\n    pass\n',
  assigned: 'f = len\n',
  imported: 'from os import getpid as f\n',
  bom: '\ufeffdef f(i, **_):\n    pass\n',
  'other function': 'def g(i, **_):\n    pass\n',
  empty: '',
  syntax: 'def f(:\n',
  python2: 'print "x"\ndef f(i): pass\n',
  'nul byte': 'def f(i, **_):\n    pass\n\0',
  // Python skips what a comment holds, but not a string's bytes: like an import, checkTask accepts one and refuses the other
  'latin-1 comment': Buffer.from('# caf\xe9\ndef f(i, **_): pass\n', 'latin1'),
  'latin-1 string': Buffer.from('x = "caf\xe9"\ndef f(i, **_): pass\n', 'latin1'),
  nested: `x = ${'('.repeat(300)}1${')'.repeat(300)}\ndef f(i): pass\n`,
  deep: `x = ${'-'.repeat(100_000)}1\ndef f(i): pass\n`,
};
/** The function each file defines; the others define none. */
const DEFINES: Record<string, string> = {
  def: 'f',
  async: 'f',
  assigned: 'f',
  imported: 'f',
  bom: 'f',
  'latin-1 comment': 'f',
  'other function': 'g',
};

const task: Target<{ content: string | Uint8Array; func: string; name: string }> = {
  name: 'task',
  about:
    '--task FILE:FUNC with generated file contents (a function, none, syntax errors, binary garbage, NUL bytes, Latin-1, deep nesting) and names',
  input: fc.record({
    content: fc.oneof(
      { arbitrary: fc.constantFrom(...Object.keys(TASK_FILES)), weight: 3 },
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
    ),
    func: fc.constantFrom('f', 'g'),
    name: fc.constantFrom('tasks.py', 'tasks', 'tasks.txt', 'a folder'),
  }),
  async run({ content, func, name }, dir) {
    const file = join(dir, name);
    if (name === 'a folder') mkdirSync(file);
    else
      writeFileSync(
        file,
        typeof content !== 'string' ? content : Object.hasOwn(TASK_FILES, content) ? TASK_FILES[content]! : content,
      );
    // --task FILE:FUNC as run checks it before anything runs, and as main() would say it
    const outcome = await capture(() => {
      checkTask(parseTask(`${file}:${func}`), PYTHON);
      return 0;
    });
    // a generated text may define anything; a file of the list defines what DEFINES says
    const known = typeof content === 'string' && Object.hasOwn(TASK_FILES, content) && name !== 'a folder';
    if (outcome.code !== 0)
      assertOneSentence(outcome, `--task ${name}:${func} holding ${String(content).slice(0, 40)}`);
    if (known)
      assert.equal(
        outcome.code === 0,
        Object.hasOwn(DEFINES, content) && DEFINES[content] === func,
        `${content} defining ${func}: ${outcome.stderr[0] ?? 'accepted'}`,
      );
    return outcome.code === 0 ? 'read' : 'refused';
  },
};

/** Experiments figures --render can draw from the fixtures: gil-cpu's countdown on two interpreters, io-bound's fetch. */
const EXPERIMENTS = { 'gil-cpu': 'two-interpreters', 'io-bound': 'fetch' } as const;

const figures: Target<{ experiment: keyof typeof EXPERIMENTS; mutations: Mutation[] }> = {
  name: 'figures',
  about:
    "figures --render from data/<experiment>/results.json (gil-cpu's and io-bound's), one of them mutated: FIGURES.md with its figures, or one sentence and none",
  input: fc.record({
    experiment: fc.constantFrom(...(Object.keys(EXPERIMENTS) as (keyof typeof EXPERIMENTS)[])),
    mutations,
  }),
  async run({ experiment, mutations: list }, dir) {
    for (const [name, fixture] of Object.entries(EXPERIMENTS)) {
      mkdirSync(join(dir, 'data', name), { recursive: true });
      writeFileSync(
        join(dir, 'data', name, 'results.json'),
        name === experiment ? mutate(document(fixture), list) : JSON.stringify(document(fixture)),
      );
    }
    const outcome = await gilbench(['figures', '--render', '--only', Object.keys(EXPERIMENTS).join(','), '--out', dir]);
    const verdict = readOrRefused(outcome, `figures --render with ${experiment} mutated`);
    const page = ['FIGURES.md', 'FIGURES.html', 'gil-cpu.png', 'io-bound.png'].filter((file) =>
      existsSync(join(dir, file)),
    );
    if (verdict === 'read') assert.equal(page.length, 4, `exit 0 with ${page.join(', ')}`);
    else assert.ok(!page.includes('FIGURES.md'), 'refused, yet FIGURES.md is there');
    return verdict;
  },
};

/**
 * The CI baseline as bench:ci reads it: the gate's comparison (scripts/bench-ci.ts), with its
 * metrics, threshold and outputs, of the mutated baseline against the baseline as committed.
 */
const baseline: Target<Mutation[]> = {
  name: 'baseline',
  about:
    "ci/baseline.json, mutated, through the gate's compare (its metrics, threshold, --markdown, --summary, --fail-on-regression)",
  input: mutations,
  async run(list, dir) {
    const file = join(dir, 'baseline.json');
    writeFileSync(file, mutate(document('baseline', BASELINE), list));
    const interpreter = (document('baseline', BASELINE) as { interpreters: { id: string }[] }).interpreters[0]!.id;
    const args = [
      'compare',
      file,
      BASELINE,
      '--metrics',
      CI_GATE_METRICS,
      '--threshold',
      CI_GATE_THRESHOLD_PCT,
      '--markdown',
      join(dir, 'compare.md'),
      '--summary',
      join(dir, 'summary.md'),
      '--fail-on-regression',
      '--base-interpreter',
      interpreter,
      '--cand-interpreter',
      interpreter,
    ];
    const outcome = await gilbench(args);
    // exit 1: the gate found the mutated baseline faster than what it is compared with, an answer
    const verdict = readOrRefused(outcome, 'the gate on a mutated baseline', [1]);
    if (verdict === 'read')
      assert.ok(
        existsSync(join(dir, 'compare.md')) && existsSync(join(dir, 'summary.md')),
        'the gate wrote its comparison',
      );
    return verdict;
  },
};

/** A history store of six commits (the history tests' runs) and two recorded A/Bs, made once per process. */
let historyStore: string | undefined;
async function storeTemplate(): Promise<string> {
  if (historyStore) return historyStore;
  const store = mkdtempSync(join(tmpdir(), 'gilbench-fuzz-store-'));
  for (const add of historyAdds(store, 6, 'fuzz-vm')) {
    const added = await gilbench(add);
    assert.equal(added.code, 0, added.stderr.join('\n'));
  }
  const { entries } = readStore(store);
  const cells = entries[0]!.cells.map((c) => ({
    key: c.id,
    metric: 'wall' as const,
    ratio: 1.5,
    low: 1.4,
    high: 1.6,
    p: 0.002,
    verdict: 'slower',
  }));
  for (const [from, to] of [
    ['c4', 'c5'],
    ['c5', 'c6'],
  ] as const) {
    writeConfirmation(store, {
      schema: CONFIRMATION_SCHEMA,
      version: HISTORY_VERSION,
      from,
      to,
      measuredAt: '2025-01-07T00:00:00Z',
      machine: entries[0]!.machine,
      run: 'ab',
      across: 'label',
      cells,
    });
  }
  process.once('exit', () => rmSync(store, { recursive: true, force: true }));
  historyStore = store;
  return store;
}

/** Every file of a store, in a stable order. */
const storeFiles = (store: string) =>
  readdirSync(store, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();

/** What can happen to a store's files besides their content: gone, twice under another commit, a stray file beside them. */
const FILE_CHANGES = ['content', 'removed', 'copied to another commit', 'stray file', 'emptied store'] as const;

const history: Target<{ file: number; change: (typeof FILE_CHANGES)[number]; mutations: Mutation[] }> = {
  name: 'history',
  about:
    'the history store (its entries and confirmations), a file mutated, removed, copied or joined by a stray one, through history check and history report',
  input: fc.record({ file: fc.nat(), change: fc.constantFrom(...FILE_CHANGES), mutations }),
  async run({ file, change, mutations: list }, dir) {
    const store = join(dir, 'store');
    cpSync(await storeTemplate(), store, { recursive: true });
    const files = storeFiles(store);
    const chosen = join(store, files[file % files.length]!);
    if (change === 'content') writeFileSync(chosen, mutate(JSON.parse(readFileSync(chosen, 'utf8')), list));
    if (change === 'removed') rmSync(chosen);
    if (change === 'copied to another commit') cpSync(chosen, join(store, 'runs', 'c9', 'copy.json'));
    if (change === 'stray file') writeFileSync(join(store, 'runs', 'stray.json'), mutate({}, list));
    if (change === 'emptied store') rmSync(join(store, 'runs'), { recursive: true });
    const checked = readOrRefused(
      await gilbench(['history', 'check', '--store', store]),
      `history check (${change} ${files[file % files.length]})`,
      [1],
    );
    const page = readOrRefused(
      await gilbench(['history', 'report', '--store', store, '--out', join(dir, 'page')]),
      `history report (${change})`,
    );
    assert.equal(page, checked, 'check and report read the same store alike');
    return checked;
  },
};

/** Every target; each case goes back to the target that made it, so the list need not know their types. */
export const TARGETS = [
  results,
  journal,
  merge,
  merged,
  figures,
  baseline,
  history,
  runFlags,
  commands,
  runs,
  task,
].map((target) => target as unknown as Target);
