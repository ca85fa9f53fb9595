import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Interpreter } from '../bench/define/interpreters.ts';
import { discoverInterpreters } from '../bench/execute/discover.ts';
import type { ServerCommand } from '../bench/execute/server.ts';

/** The real python3 executable (not a pyenv shim), as the harness itself would resolve it. */
export const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

/**
 * The history fixture: six commits c1…c6 of a --task whose work grows 1.5x at c5, five runs each,
 * made round by round across the commits (test/history.test.ts says how).
 */
const HISTORY_FIXTURES = join(import.meta.dirname, 'fixtures', 'history');

/** The results files of commit c<commit> of the history fixture, one per run. */
export function historyRuns(commit: number): string[] {
  const dir = join(HISTORY_FIXTURES, `c${commit}`);
  return readdirSync(dir)
    .sort()
    .map((file) => join(dir, file));
}

/** The gilbench arguments that file commits c1…c<count> of the history fixture in a store, run by run. */
export function historyAdds(store: string, count = 6, runner = 'test-vm'): string[][] {
  return Array.from({ length: count }, (_, k) => k + 1).flatMap((commit) =>
    historyRuns(commit).map((file) => [
      'history',
      'add',
      file,
      '--store',
      store,
      '--commit',
      `c${commit}`,
      '--date',
      `2025-01-0${commit}T12:00:00Z`,
      '--runner',
      runner,
    ]),
  );
}

export function tempDir(prefix = 'gilbench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has ended; it only waits to be reaped by its parent.
  try {
    return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

/** A short closed-loop load for tests: 4 connections, 64-byte echoes, 0.1 s warm-up, 0.4 s window. */
export function shortLoad(overrides: Partial<ServerCommand['load']> = {}): ServerCommand['load'] {
  return {
    protocol: { kind: 'echo', messageBytes: 64 },
    pattern: 'closed',
    connections: 4,
    ratePerS: 0,
    warmupS: 0.1,
    durationS: 0.4,
    timeoutMs: 2000,
    threads: 1,
    ...overrides,
  };
}

/**
 * The real free-threaded builds discovery finds here (GILBENCH_PYTHONS, or gilbench's cache, where
 * .ci/run unpacks ../shared/pythons); a test that needs one says in its output which it ran on, or
 * that it found none.
 */
export async function realFreeThreaded(): Promise<Interpreter[]> {
  return (await discoverInterpreters()).found.filter((i) => i.freeThreadedBuild);
}

export const NO_FREE_THREADED =
  'no real free-threaded build found (see GILBENCH_PYTHONS in the README): only the stand-in was tested';

/**
 * Starts a server program, resets a client half-way through a large message (RST, not FIN), checks
 * that another client is still answered, then stops it with SIGTERM: exit 0 and a done line
 * counting both connections.
 */
export async function survivesAVanishingClient(executable: string, args: string[]): Promise<void> {
  const server = spawn(executable, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const output: Buffer[] = [];
  server.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  while (!Buffer.concat(output).includes('\n')) await once(server.stdout, 'data');
  const { port } = JSON.parse(Buffer.concat(output).toString().split('\n')[0]!);
  const rude = net.connect(port, '127.0.0.1');
  await once(rude, 'connect');
  rude.write(Buffer.alloc(300_000, 1));
  await new Promise((resolve) => setTimeout(resolve, 50));
  rude.resetAndDestroy();
  const polite = net.connect(port, '127.0.0.1');
  polite.write('still there?');
  const [answer] = (await once(polite, 'data')) as [Buffer];
  assert.equal(answer.toString(), 'still there?');
  polite.destroy();
  server.kill('SIGTERM');
  const [code] = await once(server, 'exit');
  assert.equal(code, 0);
  const done = JSON.parse(Buffer.concat(output).toString().trim().split('\n').at(-1)!);
  assert.equal(done.event, 'done');
  assert.equal(
    done.accepted.reduce((a: number, b: number) => a + b, 0),
    2,
  );
}
