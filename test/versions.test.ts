import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { summariseCells } from '../bench/analyse/summary.ts';
import { interpreterLabel } from '../bench/define/interpreters.ts';
import { discoverInterpreters } from '../bench/execute/discover.ts';
import { measurementOf } from '../bench/store/records.ts';
import { type Results, readResults } from '../bench/store/results.ts';
import { NO_FREE_THREADED, PYTHON, realFreeThreaded, tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

function gilbench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
}

/** Runs gilbench and returns the results and report it wrote. */
function run(args: string[]): { results: Results; report: string; stderr: string } {
  const out = tempDir();
  const result = gilbench([
    'run',
    '--out',
    out,
    '--repeat',
    '1',
    '--warmup',
    '0',
    '--sample-interval',
    '50',
    '--busy',
    'keep',
    ...args,
  ]);
  assert.equal(result.status, 0, result.stderr);
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  return {
    results: readResults(join(runDir, 'results.json')),
    report: readFileSync(join(runDir, 'report.md'), 'utf8'),
    stderr: result.stderr,
  };
}

/**
 * A stand-in for an interpreter this machine lacks: it answers the probe with `facts` (PYTHON_GIL,
 * when set, decides gil_enabled, as on a free-threaded build) and runs anything else with the real
 * python3, noting the PYTHON_GIL it was given in `log`.
 */
function fakePython(dir: string, name: string, version: string, freeThreaded: boolean, log = '/dev/null'): string {
  const path = join(dir, name);
  const facts = (gil: string) =>
    JSON.stringify({
      executable: path,
      realpath: path,
      version,
      implementation: 'CPython',
      gil_enabled: gil === 'true',
      free_threaded_build: freeThreaded,
      switch_interval_s: 0.005,
    });
  const gilDefault = freeThreaded ? 'false' : 'true';
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  *probe.py)
    if [ "$PYTHON_GIL" = 1 ]; then echo '${facts('true')}'; elif [ "$PYTHON_GIL" = 0 ]; then echo '${facts('false')}'; else echo '${facts(gilDefault)}'; fi ;;
  -c) exec ${PYTHON} "$@" ;; # the speed probe, not a run
  *) echo "PYTHON_GIL=$PYTHON_GIL" >> ${log}; exec ${PYTHON} "$@" ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** The real interpreters discovery finds here at or above a version, e.g. the 3.12+ that have subinterpreters. */
async function realPythons(test: (version: string) => boolean) {
  return (await discoverInterpreters()).found.filter((i) => test(i.version));
}

test('discovery: PATH names, pyenv and uv folders, one entry per executable, shims skipped, unusable ones explained', async () => {
  const root = tempDir();
  const [bin, shims, pyenv, uv] = ['bin', 'shims', 'pyenv/versions/3.6.15/bin', 'uv/cpython-3.11-linux/bin'].map((d) =>
    join(root, d),
  );
  for (const dir of [bin, shims, pyenv!, uv!]) mkdirSync(dir!, { recursive: true });
  symlinkSync(PYTHON, join(bin!, 'python3'));
  symlinkSync(PYTHON, join(bin!, 'python3.11'));
  symlinkSync(PYTHON, join(uv!, 'python3'));
  writeFileSync(join(bin!, 'python-config'), '#!/bin/sh\nexit 1\n', { mode: 0o755 }); // not an interpreter's name
  writeFileSync(join(shims!, 'python3'), '#!/bin/sh\nexit 1\n', { mode: 0o755 }); // a shim would fail: it must not be tried
  const freeThreaded = fakePython(bin!, 'python3.13t', '3.13.0', true);
  linkSync(freeThreaded, join(bin!, 'python3.13')); // a hard link: another name, the same file
  const extra = join(root, 'extra', 'cpython-3.14.0t', 'bin');
  mkdirSync(extra, { recursive: true });
  const cached = fakePython(extra, 'python3.14t', '3.14.0', true);
  fakePython(pyenv!, 'python3.6', '3.6.15', false);

  const env = {
    PATH: `${bin}:${shims}`,
    PYENV_ROOT: join(root, 'pyenv'),
    UV_PYTHON_INSTALL_DIR: join(root, 'uv'),
    GILBENCH_PYTHONS: join(root, 'extra'),
    HOME: root,
  };
  const { found, unusable } = await discoverInterpreters(env);
  assert.deepEqual(
    found.map((i) => i.realpath),
    [realpathSync(PYTHON), freeThreaded, cached],
    'the real python3 once (three names), the 3.13t once (two names), the 3.14t',
  );
  assert.deepEqual(
    found.map((i) => i.via),
    ['PATH', 'PATH', 'GILBENCH_PYTHONS'],
  );
  const ft = found[1]!;
  assert.equal(ft.id, 'cpython-3.13.0t');
  assert.equal(ft.gilEnabled, false);
  assert.deepEqual(
    unusable.map((u) => u.via),
    ['pyenv'],
  );
  assert.match(unusable[0]!.reason, /Python 3\.6\.15 is not run: gilbench needs 3\.8 or newer, or 2\.7/);
});

test('a free-threaded build: its cells say "no GIL", and --gil 0,1 runs it with PYTHON_GIL=0 and =1', () => {
  const dir = tempDir();
  const log = join(dir, 'env.log');
  const fake = fakePython(dir, 'python3.13t', '3.13.0', true, log);
  const { results, report } = run([
    '--python',
    fake,
    '--gil',
    '0,1',
    '--workloads',
    'countdown',
    '--modes',
    'serial,threads',
    '--workers',
    '2',
    '--param',
    'n=100000',
  ]);

  assert.deepEqual(
    results.interpreters.map((i) => [i.id, i.gilEnabled, i.env.PYTHON_GIL]),
    [
      ['cpython-3.13.0t-gil0', false, '0'],
      ['cpython-3.13.0t-gil1', true, '1'],
    ],
  );
  assert.deepEqual(
    readFileSync(log, 'utf8').trim().split('\n').sort(),
    ['PYTHON_GIL=0', 'PYTHON_GIL=0', 'PYTHON_GIL=1', 'PYTHON_GIL=1'],
    'every run got its setting',
  );
  assert.match(report, /### cpython-3\.13\.0t-gil0 \(GIL disabled\)/);
  assert.match(report, /\| threads, no GIL \| 2 \|/);
  assert.match(report, /\| serial, no GIL \| 2 \|/);
  assert.match(report, /\| threads \| 2 \|/, 'with PYTHON_GIL=1 the same build has a GIL');
  assert.match(report, /disabled \(free-threaded build\)/);
  assert.match(report, /enabled \(free-threaded build, PYTHON_GIL=1\)/);
  assert.match(report, /### Across interpreters: countdown, W=2/);
});

test('a real free-threaded build: two counting threads both runnable all along, and with PYTHON_GIL=1 one waits asleep', async (t) => {
  const [ft] = await realFreeThreaded();
  if (!ft) return t.skip(NO_FREE_THREADED);
  t.diagnostic(`ran on the real ${ft.id}: ${ft.executable}`);
  const { results, report } = run([
    '--python',
    `${PYTHON},${ft.executable}`,
    '--gil',
    '0,1',
    '--workloads',
    'countdown',
    '--modes',
    'serial,threads',
    '--workers',
    '2',
    '--param',
    'n=3000000',
    '--sample-interval',
    '20',
  ]);
  const base = results.interpreters[0]!;
  assert.deepEqual(
    results.interpreters.map((i) => [i.id, i.gilEnabled]),
    [
      [base.id, true],
      [`${ft.id}-gil0`, false],
      [`${ft.id}-gil1`, true],
    ],
  );
  assert.ok(
    results.runs.every((r) => r.ok),
    'every run succeeded',
  );
  // The two counting threads' states in each sample where both were alive: a thread waiting for a
  // GIL sleeps (S); without one it is running or runnable (R) however busy the machine is.
  const states = (id: string) => {
    const run = results.runs.find((r) => r.cellId === `countdown/threads/w2/${id}` && !r.warmup)!;
    const tids = measurementOf(run).tasks.map((task) => task.tid);
    const rows = run.timeline.samples.map(
      (sample) => sample.processes[0]?.threadCpu.filter((row) => tids.includes(row[0])) ?? [],
    );
    return rows.filter((both) => both.length === 2).map((both) => both.map((row) => row[3]).join(''));
  };
  const [free, locked] = [states(`${ft.id}-gil0`), states(`${ft.id}-gil1`)];
  assert.ok(
    free.length > 0 && free.filter((s) => s === 'RR').length >= free.length / 2,
    `no GIL: both threads runnable in most samples: ${free.join(' ')}`,
  );
  assert.ok(
    locked.some((s) => s.includes('S')),
    `PYTHON_GIL=1: a thread asleep waiting for the GIL in some sample: ${locked.join(' ')}`,
  );
  assert.match(report, /\| threads, no GIL \| 2 \|/);
  // What the missing GIL costs one thread, against the GIL build at hand (not the same build with PYTHON_GIL=1); one run each has no interval.
  const version = (id: string) =>
    interpreterLabel(results.interpreters.find((i) => i.id === id)!).replaceAll('.', '\\.');
  assert.match(
    report,
    new RegExp(
      `without the GIL, one thread\\*\\*: ${version(`${ft.id}-gil0`)} vs ${version(base.id)} \\(the GIL build of the nearest version\\): serial wall time \\d+\\.\\d\\dx \\(one run: no interval\\); peak RSS, serial → threads at W=2: ${version(`${ft.id}-gil0`)} [\\d.]+ → [\\d.]+ MiB \\([+−][\\d,]+ KiB per thread\\)`,
    ),
  );
});

test('subinterpreters on 3.12 and 3.13: W interpreters in one process, a thread each, running at the same moment', async (t) => {
  const pythons = await realPythons((v) => /^3\.1[23]\./.test(v));
  if (pythons.length === 0) return t.skip('no Python 3.12 or 3.13 here');
  const { results } = run([
    '--python',
    pythons.map((p) => p.executable).join(','),
    '--workloads',
    'countdown',
    '--modes',
    'serial,subinterpreters',
    '--workers',
    '2',
    '--param',
    'n=5000000',
    '--sample-interval',
    '20',
  ]);
  for (const python of results.interpreters) {
    const cell = summariseCells(results).find((s) => s.cell.id === `countdown/subinterpreters/w2/${python.id}`)!;
    assert.equal(cell.repeats, 1, `${python.id}: the subinterpreters run succeeded`);
    const tasks = measurementOf(results.runs.find((r) => r.cellId === cell.cell.id)!).tasks;
    assert.equal(new Set(tasks.map((task) => task.pid)).size, 1, 'one process');
    assert.equal(new Set(tasks.map((task) => task.tid)).size, 2, 'a thread per interpreter');
    assert.equal(cell.maxPids, 1);
    // A thread waiting for a GIL sleeps (S): threads under one GIL show two running (R) only at a
    // hand-over. With a GIL each, both are running or runnable most of the time, however busy the machine.
    // Only the samples in which both workers were alive (main + 2 threads) can show it.
    const both = cell
      .typical!.timeline.samples.map((sample) => sample.processes[0]!.threadCpu)
      .filter((rows) => rows.length >= 3);
    const running = both.map((rows) => rows.filter((row) => row[3] === 'R').length);
    assert.ok(
      running.length > 0 && running.filter((n) => n >= 2).length >= running.length / 2,
      `${python.id}: two threads running at once in most samples: ${running.join('')}`,
    );
  }
});

test('Python 2.7 runs the countdown (old GIL) and nothing else, and says why', async (t) => {
  const [python2] = await realPythons((v) => v.startsWith('2.7.'));
  if (!python2) return t.skip('no Python 2.7 here');
  const { results, report } = run([
    '--python',
    python2.executable,
    '--workloads',
    'countdown,fetch',
    '--workers',
    '2',
    '--param',
    'n=200000',
  ]);
  const id = results.interpreters[0]!.id;
  assert.deepEqual(results.plan.cells.map((c) => c.mode).sort(), ['processes', 'serial', 'threads']);
  assert.ok(
    results.runs.every((r) => r.ok),
    'every 2.7 run succeeded',
  );
  const threads = measurementOf(results.runs.find((r) => r.cellId === `countdown/threads/w2/${id}`)!);
  assert.equal(new Set(threads.tasks.map((task) => task.tid)).size, 2, 'thread ids from /proc on 2.7');
  assert.match(report, new RegExp(`Skipped every cell on ${id}: fetch needs Python 3\\.8 or newer`));
  assert.match(report, new RegExp(`Skipped subinterpreters on ${id}: subinterpreters needs Python 3\\.12 or newer`));
  assert.match(report, /old GIL \(before 3\.2\)/);

  const nothing = gilbench(['run', '--python', python2.executable, '--workloads', 'fetch']);
  assert.equal(nothing.status, 2);
  assert.match(nothing.stderr, /Nothing to run: .*fetch needs Python 3\.8 or newer/);
});

test('gilbench doctor lists what it finds, with GIL status and what each can run', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'doctor', '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const { interpreters } = JSON.parse(result.stdout) as {
    interpreters: { realpath: string; gil: string; canRun: string }[];
  };
  const python3 = interpreters.find((i) => i.realpath === realpathSync(PYTHON));
  assert.ok(python3, 'python3 is among them');
  assert.equal(python3.gil, 'enabled');
  assert.match(python3.canRun, /countdown/);
  assert.equal(new Set(interpreters.map((i) => i.realpath)).size, interpreters.length, 'one entry per executable');
});
