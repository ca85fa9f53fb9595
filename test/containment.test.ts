// Nothing left running: a run's tree is contained however its members move, and dies with the harness.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBatch } from '../bench/execute/batch.ts';
import { discoverInterpreters, tryProbe } from '../bench/execute/discover.ts';
import { RunTree } from '../bench/execute/kill.ts';
import { listPids, listTree, readCommand, readStat } from '../bench/execute/proc.ts';
import { alive, PYTHON, tempDir } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'scripts', 'gilbench.ts');
const ESCAPER_DIR = join(import.meta.dirname, 'fixtures', 'workloads');
const ESCAPER = join(ESCAPER_DIR, 'escaper', 'escaper.py');
/** How long whatever should be gone may take to go: polled, never asserted as a speed. */
const GONE_WITHIN_MS = 2000;

/** Numbers no other test run uses, by which a test finds its processes: a long sleep, a countdown's n. */
const seconds = (i: number) => `60.${process.pid}${i}`;
const countdownN = (i: number) => String(1e9 + process.pid * 100 + i);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes anywhere whose command line contains marker (each test uses a number of its own). */
function running(marker: string): number[] {
  return listPids().filter((pid) => pid !== process.pid && readCommand(pid).includes(marker) && alive(pid));
}

/** The results file of the one run under `out`: stopped during its first run, it has no `latest` link yet. */
function resultsIn(out: string): string {
  const [dir] = readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory());
  return join(out, dir!.name, 'results.json');
}

async function until<T>(what: string, check: () => T | undefined | false, withinMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(20)) {
    const value = check();
    if (value) return value;
  }
  throw new Error(`gave up waiting: ${what}`);
}

const allGone = (pids: number[], withinMs = GONE_WITHIN_MS) =>
  until(`gone: ${pids.join(', ')}`, () => pids.every((pid) => !alive(pid)), withinMs).catch(() => undefined);

function assertGone(pids: number[], who: string): void {
  const left = pids.filter(alive);
  assert.deepEqual(left, [], `${who} left running: ${left.map((pid) => `${pid} ${readCommand(pid)}`).join('; ')}`);
}

function harness(
  args: string[],
  options: { cwd?: string } = {},
): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

/** The escaper's daemon (found by its command line) once it has left the run's tree: its parent is none of the run's. */
function orphanedDaemon(linger: string): number[] | undefined {
  const daemon = running(linger).filter((pid) => readCommand(pid).includes('os.setsid()'));
  const parent = daemon.length === 1 ? readStat(daemon[0]!)?.ppid : undefined;
  return parent !== undefined && !readCommand(parent).includes(linger) ? daemon : undefined;
}

const escaperRun = (linger: string, params: string[], out: string) => [
  'run',
  '--workloads-dir',
  ESCAPER_DIR,
  '--workloads',
  'escaper',
  '--param',
  `linger_s=${linger}`,
  ...params,
  '--sample-interval',
  '50',
  '--out',
  out,
];

test('a daemon started by the workload (setsid, fork, exit) ends the run with its child, not its pipe, and is killed', {
  timeout: 40_000,
}, async () => {
  const linger = seconds(1);
  const args = [ESCAPER, '--mode', 'serial', '--hold_s', '0.5', '--linger_s', linger];
  const seen = new Set<number>();
  const watching = setInterval(() => {
    for (const pid of orphanedDaemon(linger) ?? []) seen.add(pid);
  }, 10);
  // The timeout is shorter than the daemon's 60 s sleep: a run waiting for its pipe would be "timed out"; long enough for a busy machine.
  const outcome = await runBatch({ executable: PYTHON, args, timeoutS: 20, sampleIntervalMs: 50 }).finally(() =>
    clearInterval(watching),
  );
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.ok, true, 'its valid result line counts');
  assert.ok(seen.size >= 1, "the daemon ran, out of the run's tree");
  await allGone([...seen]);
  assertGone([...seen], 'the daemon');
});

test('Ctrl+C while a daemon of the run lives: exit 130, the daemon is killed, and the message says so', {
  timeout: 30_000,
}, async () => {
  const linger = seconds(2);
  const run = harness(escaperRun(linger, ['--param', 'hold_s=30'], tempDir()));
  const daemon = await until("the daemon runs, out of the run's tree", () => orphanedDaemon(linger));
  run.child.kill('SIGINT');
  assert.equal(await run.exited, 130, run.stderr());
  await allGone(daemon);
  assertGone(daemon, 'the daemon');
  assert.match(run.stderr(), /every child was stopped/);
});

test('a second stop signal exits at once with 130, SIGKILLing the runs still going; SIGQUIT and SIGHUP stop too', {
  timeout: 30_000,
}, async () => {
  // A harness whose first stop never finishes: only the second signal can end it.
  const script = `
    import { onInterrupt } from './bench/execute/interrupt.ts';
    import { spawnWatched } from './bench/execute/spawn.ts';
    const watched = await spawnWatched({ executable: ${JSON.stringify(PYTHON)}, args: ['-c', 'import time; time.sleep(60)'], timeoutS: 60, sampleIntervalMs: 0 });
    onInterrupt(() => console.log('stopping'), () => console.log('last words'));
    setInterval(() => undefined, 1000);
    console.log('ready');`;
  for (const [first, second] of [
    ['SIGQUIT', 'SIGINT'],
    ['SIGHUP', 'SIGTERM'],
  ] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await until('ready', () => stdout.includes('ready'));
      const sleeper = listTree(child.pid!).filter((pid) => readCommand(pid).startsWith(PYTHON));
      assert.equal(sleeper.length, 1, 'its run is going');
      child.kill(first);
      await until(`${first} asked to stop`, () => stdout.includes('stopping'));
      assert.ok(alive(child.pid!), `still stopping after ${first}`);
      child.kill(second);
      assert.equal(await exited, 130);
      assert.match(stdout, /last words/);
      await allGone(sleeper);
      assertGone(sleeper, 'the run');
    } finally {
      child.kill('SIGKILL');
    }
  }
});

test('an interpreter probe: a wrapper that leaves a sleeper answers and the sleeper is killed; one that hangs times out', {
  timeout: 30_000,
}, async () => {
  const dir = tempDir();
  const leaves = join(dir, 'python-leaves');
  const hangs = join(dir, 'python-hangs');
  writeFileSync(leaves, `#!/bin/sh\nsleep ${seconds(4)} &\nexec ${PYTHON} "$@"\n`);
  writeFileSync(hangs, `#!/bin/sh\nsleep ${seconds(5)}\nexec ${PYTHON} "$@"\n`);
  chmodSync(leaves, 0o755);
  chmodSync(hangs, 0o755);
  const seen = new Set<number>();
  const watching = setInterval(() => {
    for (const pid of [seconds(4), seconds(5)].flatMap((marker) => running(`sleep ${marker}`))) seen.add(pid);
  }, 20);
  const [answered, hung] = await Promise.all([tryProbe(leaves), tryProbe(hangs)]).finally(() =>
    clearInterval(watching),
  );
  assert.ok(!('error' in answered), `the wrapper answered: ${JSON.stringify(answered)}`);
  assert.ok('error' in hung);
  assert.match(hung.error, /timed out after \d+ s/);
  assert.equal(seen.size, 2, 'both wrappers started their sleeper');
  await allGone([...seen]);
  assertGone([...seen], "a wrapper's sleeper");
});

/** harness -> countdown.py -> 2 worker processes, running for far longer than any test. */
function countdownRun(python: string, n: string) {
  const out = tempDir();
  const args = [
    'run',
    '--workloads',
    'countdown',
    '--modes',
    'processes',
    '--workers',
    '2',
    '--param',
    `n=${n}`,
    '--python',
    python,
    '--warmup',
    '0',
    '--out',
    out,
  ];
  return { out, args };
}

// Python 2.7 has no at-fork hook: its workers ask for the death signal themselves.
const python2 = (await discoverInterpreters()).found.find((i) => i.version.startsWith('2.7.'));
const pythons = ['python3', ...(python2 ? [python2.executable] : [])];

for (const [i, python] of pythons.entries()) {
  test(`SIGKILL of the harness: no process of a ${python === 'python3' ? 'python3' : 'Python 2.7'} run is left after 2 s`, {
    timeout: 60_000,
  }, async () => {
    const n = countdownN(6 + i);
    const { args } = countdownRun(python, n);
    const run = harness(args);
    const workers = await until('the workers run', () => running(`--n ${n}`).length >= 3 && running(`--n ${n}`));
    run.child.kill('SIGKILL');
    await run.exited;
    await allGone(workers);
    assertGone(workers, 'the run');
  });
}

test("SIGKILL of the harness while forkserver workers run: the forkserver (exec'd, not forked) and its workers end too", {
  timeout: 60_000,
}, async () => {
  const out = tempDir();
  const run = harness([
    'run',
    '--workloads',
    'worker-cost',
    '--modes',
    'forkserver',
    '--workers',
    '20',
    '--repeat',
    '100',
    '--warmup',
    '0',
    '--out',
    out,
  ]);
  // The forkserver and the workers it forked share its command line.
  const forked = await until(
    'the forkserver forks workers',
    () => running('multiprocessing.forkserver').length >= 3 && running('multiprocessing.forkserver'),
  );
  run.child.kill('SIGKILL');
  await run.exited;
  await allGone(forked);
  assertGone(forked, 'the forkserver and its workers');
});

test('SIGHUP to the harness stops it like Ctrl+C: exit 130, nothing left, results marked partial', {
  timeout: 60_000,
}, async () => {
  const n = countdownN(8);
  const { out, args } = countdownRun('python3', n);
  const run = harness(args);
  const workers = await until('the workers run', () => running(`--n ${n}`).length >= 3 && running(`--n ${n}`));
  run.child.kill('SIGHUP');
  assert.equal(await run.exited, 130, run.stderr());
  await allGone(workers);
  assertGone(workers, 'the run');
  assert.equal(JSON.parse(readFileSync(resultsIn(out), 'utf8')).status, 'partial');
});

test('SIGTERM to "npm run" (a CI cancel): the harness notices its job is gone and stops, leaving nothing', {
  timeout: 60_000,
}, async () => {
  const n = countdownN(9);
  const { out, args } = countdownRun('python3', n);
  const npm = spawn('npm', ['run', '--silent', 'gilbench', '--', ...args], { cwd: ROOT, stdio: 'ignore' });
  const workers = await until('the workers run', () => running(`--n ${n}`).length >= 3 && running(`--n ${n}`));
  const harnessPids = listTree(npm.pid!).filter((pid) => readCommand(pid).includes('gilbench.ts'));
  npm.kill('SIGTERM');
  // Noticing the parent is gone, the kill rounds and the partial write take their time on a busy machine: no 2 s promise here.
  await allGone([...workers, ...harnessPids], 20_000);
  assertGone([...workers, ...harnessPids], 'the benchmark');
  assert.equal(JSON.parse(readFileSync(resultsIn(out), 'utf8')).status, 'partial');
});

test('a PID seen in the tree and reused by another process is not signalled', { timeout: 20_000 }, async (t) => {
  if (!canChooseNextPid()) return t.skip('needs root to choose the next PID (/proc/sys/kernel/ns_last_pid)');
  const tree = new RunTree();
  const root = spawn(PYTHON, ['-c', `import time; time.sleep(${seconds(10)})`], {
    detached: true,
    stdio: 'ignore',
    env: { ...tree.env, ...process.env },
  });
  tree.started(root.pid!);
  // A member that the tree sees, then ends: its PID is free again.
  const member = spawn('sleep', ['0.3'], { stdio: 'ignore', env: { ...tree.env, ...process.env } });
  assert.ok(tree.members().includes(member.pid!), 'the marked process is a member');
  await new Promise((resolve) => member.on('exit', resolve));
  const innocent = await spawnWithPid(member.pid!);
  if (!innocent) return t.skip('another process took the PID first');
  try {
    await tree.kill(100);
    tree.ended();
    assert.equal(alive(root.pid!), false, 'the tree was killed');
    assert.equal(alive(innocent.pid!), true, 'the process that reused a member PID was not');
  } finally {
    innocent.kill('SIGKILL');
  }
});

const NEXT_PID = '/proc/sys/kernel/ns_last_pid';

function canChooseNextPid(): boolean {
  try {
    writeFileSync(NEXT_PID, readFileSync(NEXT_PID, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** An unrelated process (no mark, not in the tree) started under a PID that was given. */
async function spawnWithPid(pid: number): Promise<ChildProcess | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    writeFileSync(NEXT_PID, String(pid - 1));
    const child = spawn('/bin/sleep', [seconds(11)], { stdio: 'ignore', env: {} });
    if (child.pid === pid) return child;
    child.kill('SIGKILL');
  }
  return undefined;
}
