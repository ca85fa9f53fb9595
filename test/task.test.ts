import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CellSummary, summariseCells } from '../bench/analyse/summary.ts';
import { COMMON_RULES } from '../bench/analyse/verdicts/common.ts';
import { evidenceOf } from '../bench/analyse/verdicts/evidence.ts';
import { judge } from '../bench/analyse/verdicts/index.ts';
import { direction } from '../bench/analyse/verdicts/rule.ts';
import { BUSY_OTHERS_PCT } from '../bench/core/busy.ts';
import { measurementOf, type RunRecord } from '../bench/store/records.ts';
import { type Results, readResults } from '../bench/store/results.ts';
import { NO_FREE_THREADED, PYTHON, realFreeThreaded, tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
const TASKS = join(import.meta.dirname, 'fixtures', 'tasks.py');
const INCONCLUSIVE = COMMON_RULES.map((rule) => rule.id);
/** The machine and the interpreter a cell ran on, as its verdict needs them. */
const ranOn = (results: Results, s: CellSummary) => ({
  cores: results.machine.logicalCores,
  gilEnabled: results.interpreters.find((i) => i.id === s.cell.interpreter)?.gilEnabled,
});
const MODES = ['serial', 'threads', 'processes', 'async', 'subinterpreters'];

function gilbench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
}

function runTasks(funcs: string[], python: string): { results: Results; report: string } {
  const out = tempDir();
  const result = gilbench([
    'run',
    ...funcs.flatMap((f) => ['--task', `${TASKS}:${f}`]),
    '--task-param',
    'mb=4',
    '--workers',
    '2',
    '--repeat',
    '2',
    '--warmup',
    '0',
    '--busy',
    'keep',
    '--sample-interval',
    '20',
    '--python',
    python,
    '--out',
    out,
  ]);
  assert.equal(result.status, 0, result.stderr);
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  return {
    results: readResults(join(runDir, 'results.json')),
    report: readFileSync(join(runDir, 'report.md'), 'utf8'),
  };
}

/** Did the tasks of each run of the cell overlap in time (one began before another ended)? */
function overlapped(results: Results, s: CellSummary): boolean[] {
  return results.runs
    .filter((r) => r.cellId === s.cell.id)
    .map((run) => {
      const tasks = measurementOf(run).tasks;
      return Math.max(...tasks.map((t) => t.start_s)) < Math.min(...tasks.map((t) => t.end_s));
    });
}

/** CPU of the measured work (rusage, every process) over its wall time. */
function util(run: RunRecord): number {
  const { rusage, wall_s } = measurementOf(run);
  return (rusage.self.user_s + rusage.self.sys_s + rusage.children.user_s + rusage.children.sys_s) / wall_s;
}

function cpuUtil(results: Results, s: CellSummary): number[] {
  return results.runs.filter((r) => r.cellId === s.cell.id).map(util);
}

test('--task: pure Python, a GIL-releasing C call and a sleep, each in every mode python3 has', (t) => {
  const { results, report } = runTasks(['count', 'digest', 'nap'], PYTHON);
  const python = results.interpreters[0]!;
  const summaries = summariseCells(results);
  const cell = (func: string, mode: string) =>
    summaries.find((s) => s.cell.workload === `tasks.py:${func}` && s.cell.mode === mode);
  assert.ok(
    results.runs.every((run) => run.ok),
    'every run succeeded',
  );
  for (const func of ['count', 'digest', 'nap']) {
    const ran = summaries.filter((s) => s.cell.workload === `tasks.py:${func}`).map((s) => s.cell.mode);
    const skipped = results.plan.skipped.filter((s) => s.workload === `tasks.py:${func}`).map((s) => s.mode);
    assert.deepEqual(
      [...ran, ...skipped].sort(),
      [...MODES].sort(),
      `${func}: every mode ran, or was skipped with a reason`,
    );
    assert.ok(
      skipped.every((mode) => mode === 'subinterpreters') && (skipped.length === 0) === python.version >= '3.12',
    );
    assert.match(report, new RegExp(`tasks\\.py:${func}`));
  }

  // Serial is serial; the sleeps of threads, processes and asyncio tasks overlap.
  assert.deepEqual(overlapped(results, cell('nap', 'serial')!), [false, false]);
  for (const mode of ['threads', 'processes', 'async']) {
    const s = cell('nap', mode)!;
    assert.deepEqual(overlapped(results, s), [true, true], `nap/${mode} overlapped its sleeps`);
    assert.ok(Math.max(...cpuUtil(results, s)) < 0.5, `nap/${mode} mostly waited`);
    const e = evidenceOf(s, ranOn(results, s));
    // A busy machine's runs are judged inconclusive first (the common rules); else faster means waiting overlapped.
    if (direction(e) === 'faster')
      assert.ok(['overlapped-waiting', ...INCONCLUSIVE].includes(judge(s, ranOn(results, s)).rule), `nap/${mode}`);
  }

  // hashlib lets go of the GIL: two threads of one process were runnable at once, and used more
  // than one core whenever the machine was quiet enough to give them two.
  const digest = cell('digest', 'threads')!;
  const runs = results.runs.filter((r) => r.cellId === digest.cell.id);
  assert.ok(
    runs
      .map(measurementOf)
      .every((m) => new Set(m.tasks.map((t) => t.pid)).size === 1 && new Set(m.tasks.map((t) => t.tid)).size === 2),
  );
  assert.ok(
    (evidenceOf(digest, ranOn(results, digest)).runningAtOnce ?? 0) >= 2,
    'both threads runnable at one sampled moment',
  );
  const quiet = runs.filter((run) => (run.host?.othersCpuPct ?? Infinity) < BUSY_OTHERS_PCT);
  if (quiet.length)
    assert.ok(Math.max(...quiet.map(util)) > 1, `digest/threads beyond one core: ${quiet.map(util).join(', ')}`);
  else t.diagnostic('the machine was busy in every digest/threads run: its CPU beyond one core was not checked');
  assert.ok(
    !['gil-turns', 'gil-contention'].includes(judge(digest, ranOn(results, digest)).rule),
    'not judged GIL-bound',
  );
});

test('--task on the real free-threaded build: every mode; pure Python threads beyond one core on a quiet machine', async (t) => {
  const [ft] = await realFreeThreaded();
  if (!ft) return t.skip(NO_FREE_THREADED);
  const { results } = runTasks(['count'], ft.executable);
  const summaries = summariseCells(results);
  assert.ok(
    results.runs.every((run) => run.ok),
    'every run succeeded',
  );
  assert.deepEqual(summaries.map((s) => s.cell.mode).sort(), [...MODES].sort());
  assert.equal(results.interpreters[0]!.gilEnabled, false);
  const threads = summaries.find((s) => s.cell.mode === 'threads')!;
  const quiet = results.runs.filter(
    (run) => run.cellId === threads.cell.id && (run.host?.othersCpuPct ?? Infinity) < BUSY_OTHERS_PCT,
  );
  if (quiet.length)
    assert.ok(
      Math.max(...quiet.map(util)) > 1,
      `count/threads without the GIL beyond one core: ${quiet.map(util).join(', ')}`,
    );
  else t.diagnostic('the machine was busy in every count/threads run: its CPU beyond one core was not checked');
});

test('--task: an error in the user code fails the run with its traceback tail; bad input is one sentence', () => {
  const out = tempDir();
  const failed = gilbench([
    'run',
    '--task',
    `${TASKS}:broken`,
    '--modes',
    'threads,processes',
    '--workers',
    '2',
    '--repeat',
    '1',
    '--warmup',
    '0',
    '--busy',
    'keep',
    '--out',
    out,
  ]);
  assert.equal(failed.status, 1, failed.stderr);
  const results = readResults(join(out, readlinkSync(join(out, 'latest')), 'results.json'));
  for (const run of results.runs) {
    assert.equal(run.ok, false);
    assert.match(run.stderrTail ?? '', /ValueError: the user's own mistake$/, run.cellId);
  }
  for (const [task, message] of [
    [`${TASKS}:nowhere`, /defines no function nowhere\.$/],
    ['no/such/file.py:count', /there is no file "no\/such\/file\.py"\.$/],
    [TASKS, /--task takes FILE:FUNCTION/],
  ] as const) {
    const bad = gilbench(['run', '--task', task]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr.trim(), message);
  }
  const twice = gilbench(['run', '--task', `${TASKS}:nap`, '--task', `${TASKS}:nap`]);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /"tasks\.py:nap" is chosen twice/);
});
