import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { main } from '../bench/cli/main.ts';
import { BodyCache } from '../bench/execute/fixtures/body-cache.ts';
import { DelayServer } from '../bench/execute/fixtures/http-delay.ts';
import { listTree, readCommand } from '../bench/execute/proc.ts';
import { JOURNAL_FILE } from '../bench/store/journal.ts';
import { measurementOf } from '../bench/store/records.ts';
import { readResults, writeResults } from '../bench/store/results.ts';
import { tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', CLI, ...args]] as const;

function gilbench(...args: string[]) {
  const result = spawnSync(...node(args), { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stderr: result.stderr };
}

/**
 * The CLI in this process: its exit code and what it printed. A flag that is not checked goes
 * on to look for the interpreter, which does not exist: a different sentence, fast.
 */
async function gilbenchHere(t: TestContext, ...args: string[]) {
  const printed: string[] = [];
  t.mock.method(console, 'error', (line: string) => printed.push(line));
  try {
    return { code: await main(args), printed };
  } finally {
    t.mock.restoreAll();
  }
}

async function assertUsageError(t: TestContext, args: string[], pattern: RegExp) {
  const probes = args[0] === 'run' || args[0] === 'figures';
  const { code, printed } = await gilbenchHere(t, ...args, ...(probes ? ['--python', 'python-does-not-exist'] : []));
  assert.equal(code, 2, `exit code for ${args.join(' ')}: ${printed.join('\n')}`);
  assert.equal(printed.length, 1, `one sentence: ${printed.join('\n')}`);
  assert.doesNotMatch(printed[0]!, /\n/);
  assert.match(printed[0]!, pattern);
}

/** Long enough for the slowest test on a busy machine; a behaviour that is missing fails instead of hanging. */
const BOUND = { timeout: 60_000 };

// On a shared machine a busy run would be made again (--busy retry): these tests count runs.
const COUNTDOWN = [
  'run',
  '--workloads',
  'countdown',
  '--modes',
  'serial',
  '--workers',
  '1',
  '--warmup',
  '0',
  '--busy',
  'keep',
];

/** A tmpfs of the given options mounted on a new folder, or the reason there cannot be one. */
function mountTmpfs(t: TestContext, options: string): string | undefined {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to mount a tmpfs');
    return undefined;
  }
  const dir = tempDir();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a tmpfs here: ${mounted.stderr.trim()}`);
    return undefined;
  }
  t.after(() => spawnSync('umount', ['-l', dir]));
  return dir;
}

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

test('every duration and count beyond its bound is one sentence and exit 2, before anything runs', BOUND, async (t) => {
  // Beyond 2^31-1 ms a Node timer fires at once: these used to time out, sample and answer at once.
  await assertUsageError(
    t,
    [...COUNTDOWN, '--timeout', '3000000'],
    /--timeout takes positive whole numbers up to 86400.*got "3000000"/,
  );
  await assertUsageError(
    t,
    [...COUNTDOWN, '--sample-interval', '3000000000'],
    /--sample-interval takes whole numbers up to 60000/,
  );
  await assertUsageError(
    t,
    ['run', '--workloads', 'fetch', '--param', 'delay_ms=10000000000'],
    /--param delay_ms takes whole numbers from 0 to 60000; got "10000000000"/,
  );
  await assertUsageError(
    t,
    ['run', '--workloads', 'fetch', '--param', 'body_bytes=1000000000'],
    /--param body_bytes takes whole numbers from 0 to 67108864/,
  );
  await assertUsageError(
    t,
    [...COUNTDOWN.slice(0, 5), '--workers', '1000000000'],
    /--workers takes positive whole numbers up to 100000/,
  );
  await assertUsageError(
    t,
    [...COUNTDOWN, '--repeat', '100000000'],
    /--repeat takes positive whole numbers up to 1000/,
  );
  await assertUsageError(t, [...COUNTDOWN.slice(0, 7), '--warmup', '100000'], /--warmup takes whole numbers up to 100/);
  await assertUsageError(
    t,
    ['run', '--workloads', 'echo', '--param', 'connections=10000000'],
    /--param connections takes whole numbers from 1 to 100000/,
  );
  await assertUsageError(
    t,
    [...COUNTDOWN, '--repeat', 'auto', '--budget', '1e9'],
    /--budget takes a number from 1 to 86400/,
  );
});

test('the delay server answers 400 beyond its bounds instead of at once', BOUND, async () => {
  const server = await DelayServer.start();
  try {
    assert.equal((await fetch(server.url('bounds', 10_000_000_000, 10))).status, 400);
    assert.equal((await fetch(server.url('bounds', 0, 64 * 1024 * 1024 + 1))).status, 400);
    assert.equal((await fetch(server.url('bounds', 0, 10))).status, 200);
    const counts = await server.counts('bounds');
    assert.deepEqual([counts.received, counts.served], [1, 1], 'a refused request is not counted');
  } finally {
    await server.close();
  }
});

test(
  'the delay server closes silent connections but not those waiting for their answer, and caps connections',
  BOUND,
  async () => {
    const server = await DelayServer.start({ idleTimeoutMs: 300, maxConnections: 2 });
    const open = (): Promise<{ socket: Socket; closed: Promise<number> }> =>
      new Promise((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          const since = performance.now();
          sockets.push(socket);
          resolve({ socket, closed: new Promise((done) => socket.on('close', () => done(performance.now() - since))) });
        });
      });
    const sockets: Socket[] = [];
    try {
      const silent = await open();
      // A wait longer than the idle timeout is not idleness: the answer arrives whole.
      const slow = await fetch(server.url('slow', 700, 100));
      assert.equal((await slow.arrayBuffer()).byteLength, 100);
      assert.ok((await silent.closed) >= 250, 'the silent connection was given its idle time');

      const [first, second, third] = [await open(), await open(), await open()];
      const closedEarly = await Promise.race([
        third.closed.then(() => 'third'),
        first.closed.then(() => 'first'),
        second.closed.then(() => 'second'),
      ]);
      assert.equal(closedEarly, 'third', 'the connection beyond the cap is the one closed');
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  },
);

test('the delay server keeps a bounded cache of bodies, the last used ones', BOUND, () => {
  const cache = new BodyCache(100);
  const kept = cache.get(40);
  assert.equal(cache.get(40), kept, 'a size asked for again is not built again');
  for (const size of [10, 30, 50, 60, 70]) assert.equal(cache.get(size).body.length, size);
  assert.ok(cache.bytes <= 100, `${cache.bytes} bytes held`);
  assert.notEqual(cache.get(40), kept, 'the size used longest ago was dropped');
  assert.equal(cache.get(1000).body.length, 1000, 'a size beyond the cache is still served');
  assert.ok(cache.bytes <= 100);
});

/** A gilbench run in the background, stopped (it stops its children) if the test ends before it does. */
function spawnRun(t: TestContext, args: string[], stdio: 'ignore' | 'pipe') {
  const child = spawn(...node(args), { stdio: ['ignore', 'ignore', stdio] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  return { child, exited };
}

test('run tokens cannot be guessed: another local process cannot make a fetch run incomplete', BOUND, async (t) => {
  const out = tempDir();
  const { child, exited } = spawnRun(
    t,
    [
      'run',
      '--workloads',
      'fetch',
      '--modes',
      'serial',
      '--param',
      'requests=2',
      '--param',
      'delay_ms=150',
      '--repeat',
      '3',
      '--warmup',
      '0',
      '--busy',
      'keep',
      '--out',
      out,
    ],
    'pipe',
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let port: string | undefined;
  for (let i = 0; i < 1000 && !port && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    port = listTree(child.pid!)
      .map(readCommand)
      .join(' ')
      .match(/--url http:\/\/127\.0\.0\.1:(\d+)\//)?.[1];
  }
  assert.ok(port, `found the delay server's port in the fetch program's command line: ${stderr}`);
  // What tokens used to be: run0, run1, …
  await Promise.all(
    Array.from({ length: 10 }, (_, n) =>
      fetch(`http://127.0.0.1:${port}/r/run${n}?delay_ms=0&body_bytes=1`).then((r) => r.arrayBuffer()),
    ),
  );
  assert.equal(await exited, 0, stderr);
  const results = readResults(join(out, 'latest', 'results.json'));
  assert.deepEqual(
    results.runs.map((r) => r.ok),
    [true, true, true],
  );
});

test('--out that cannot be written is one sentence and exit 2, before interpreters are probed', BOUND, async (t) => {
  const dir = tempDir();
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  await assertUsageError(t, [...COUNTDOWN, '--out', file], /--out .*a-file is a file, not a folder/);
  await assertUsageError(t, [...COUNTDOWN, '--out', join(file, 'below')], /a-file is a file, not a folder/);
  await assertUsageError(t, ['figures', '--out', file], /a-file is a file, not a folder/);
  const results = join(dir, 'results.json');
  writeFileSync(results, '{}');
  await assertUsageError(t, ['report', results, '--out', file], /--out .*a-file is a file, not a folder/);
});

test('--out on a read-only file system is one sentence and exit 2', BOUND, async (t) => {
  const readOnly = mountTmpfs(t, 'ro,size=64k');
  if (!readOnly) return;
  await assertUsageError(
    t,
    [...COUNTDOWN, '--out', join(readOnly, 'reports')],
    /cannot write in .* \(EROFS: read-only file system\)/,
  );
});

test(
  'a full disk stops the run with exit 3 and one sentence, keeping every run written, marked partial',
  BOUND,
  async (t) => {
    const full = mountTmpfs(t, 'size=64k');
    if (!full) return;
    // Sampled every 5 ms, one run's record takes tens of KiB: the disk fills within a few runs.
    const { code, stderr } = gilbench(
      ...COUNTDOWN,
      '--param',
      'n=3000000',
      '--sample-interval',
      '5',
      '--repeat',
      '100',
      '--out',
      full,
    );
    assert.equal(code, 3, stderr);
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
    const said = stderr.trim().split('\n').at(-1)!;
    assert.match(
      said,
      /^gilbench: could not write .*runs\.jsonl: ENOSPC: no space left on device; \d+ runs are kept in .*results\.json .*\(marked partial\).*gilbench report /,
    );

    assert.deepEqual(
      filesUnder(full).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
    const runDir = join(full, readlinkSync(join(full, 'latest')));
    const results = readResults(join(runDir, 'results.json'));
    assert.equal(results.status, 'partial');
    const kept = Number(said.match(/(\d+) runs are kept/)![1]);
    assert.ok(kept >= 1 && results.runs.length === kept, `${results.runs.length} runs read, ${kept} said kept`);
    assert.ok(results.runs.every((run) => run.ok && measurementOf(run).wall_s > 0));

    // A report into the full disk is exit 3 and one sentence too.
    const report = gilbench('report', join(runDir, 'results.json'));
    assert.equal(report.code, 3, report.stderr);
    assert.match(
      report.stderr.trim().split('\n').at(-1)!,
      /^gilbench: could not write .*: ENOSPC: no space left on device$/,
    );
    assert.doesNotMatch(report.stderr, /^\s+at /m);
  },
);

test(
  'runs are appended to a journal beside results.json, written once until the end, and folded in at the end',
  BOUND,
  async (t) => {
    const out = tempDir();
    const { child, exited } = spawnRun(
      t,
      [...COUNTDOWN, '--param', 'n=3000000', '--repeat', '4', '--out', out],
      'ignore',
    );
    const runDir = () => readdirSync(out).find((name) => name !== 'latest');
    const journalLines = () =>
      readFileSync(join(out, runDir()!, JOURNAL_FILE), 'utf8')
        .trim()
        .split('\n').length - 1;
    let header: { ino: number; text: string } | undefined;
    for (let i = 0; i < 3000 && child.exitCode === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const dir = runDir();
      if (!dir || !existsSync(join(out, dir, JOURNAL_FILE))) continue;
      const resultsPath = join(out, dir, 'results.json');
      header ??= { ino: statSync(resultsPath).ino, text: readFileSync(resultsPath, 'utf8') };
      if (journalLines() < 2) continue;
      // Two runs done, the third under way: results.json is the header it was, the runs are in the journal.
      assert.equal(statSync(resultsPath).ino, header.ino, 'results.json was not rewritten');
      assert.equal(readFileSync(resultsPath, 'utf8'), header.text);
      assert.equal(JSON.parse(header.text).status, 'running');
      assert.ok(readResults(resultsPath).runs.length >= 2, 'a reader sees the runs of the journal');
      assert.equal(readlinkSync(join(out, 'latest')), dir, 'latest points at the run once a run is written');
      break;
    }
    assert.equal(await exited, 0);
    assert.ok(header, 'the journal was seen while the suite ran');
    const dir = join(out, runDir()!);
    assert.equal(existsSync(join(dir, JOURNAL_FILE)), false, 'the journal is folded in and removed');
    const results = readResults(join(dir, 'results.json'));
    assert.deepEqual([results.status, results.runs.length], ['complete', 4]);
    assert.deepEqual(
      JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs.length,
      4,
      'results.json holds them itself',
    );

    // A run killed mid-way leaves its header and journal: a reader folds them, report writes them as one file.
    const { runs, ...rest } = results;
    writeResults(join(dir, 'results.json'), { ...rest, status: 'running', runs: [] });
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const torn = JSON.stringify(runs[3]).slice(0, 100);
    writeFileSync(
      join(dir, JOURNAL_FILE),
      `${[{ writer: { pid: gone, host: hostname() } }, ...runs.slice(0, 3)].map((line) => JSON.stringify(line)).join('\n')}\n${torn}`,
    );
    assert.equal(readResults(join(dir, 'results.json')).runs.length, 3, 'a line torn by the crash is left out');
    assert.equal(gilbench('report', join(dir, 'results.json')).code, 0);
    assert.equal(existsSync(join(dir, JOURNAL_FILE)), false);
    const folded = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    assert.deepEqual([folded.status, folded.runs.length], ['partial', 3]);
  },
);
