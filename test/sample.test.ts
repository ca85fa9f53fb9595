import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBatch } from '../bench/execute/batch.ts';
import { parseStat } from '../bench/execute/proc.ts';
import { alive, PYTHON } from './helpers.ts';

test('stat lines parse even when the command holds spaces and parentheses', () => {
  const line =
    '4242 (a (b) c) S 17 4242 17 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 1000 256 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0';
  const stat = parseStat(line);
  assert.equal(stat.state, 'S');
  assert.equal(stat.ppid, 17);
  assert.equal(stat.threads, 3);
  assert.ok(stat.cpuS > 0);
  assert.ok(stat.rssKiB > 0);
  assert.equal(stat.processor, 1);
});

const FORK_AND_THREADS = `
import os, threading, time
def spin(seconds):
    end = time.time() + seconds
    while time.time() < end:
        pass
kids = [os.fork() for _ in range(2)]
if 0 in kids:
    spin(0.6); os._exit(0)
threads = [threading.Thread(target=time.sleep, args=(0.6,)) for _ in range(3)]
for t in threads: t.start()
spin(0.6)
for t in threads: t.join()
for k in kids: os.waitpid(k, 0)
`;

test('the sampler sees the whole tree: child PIDs, threads, per-thread CPU, RSS', async () => {
  const outcome = await runBatch({
    executable: PYTHON,
    args: ['-c', FORK_AND_THREADS],
    timeoutS: 30,
    sampleIntervalMs: 50,
  });
  const { summary, samples } = outcome.timeline;
  assert.equal(outcome.error, 'printed no valid result line on stdout', 'this program is not a workload');
  // fork() twice from the parent and again from the first child: up to 4 processes
  assert.ok(summary.maxPids >= 3, `saw ${summary.maxPids} PIDs`);
  const parent = samples.flatMap((s) => s.processes).filter((p) => p.threads >= 4);
  assert.ok(parent.length > 0, 'the parent was seen with its 3 extra threads');
  assert.ok(
    parent.some((p) => p.threadCpu.length >= 4),
    'per-thread CPU comes from /proc/PID/task/*/stat',
  );
  assert.ok(summary.peakRssKiB > 0);
  assert.ok(summary.peakCpuPct > 0);
  for (const p of samples.flatMap((s) => s.processes)) assert.ok(p.ppid > 0 && p.command.length > 0);
});

test('a crashing program fails the run with its stderr tail', async () => {
  const outcome = await runBatch({
    executable: PYTHON,
    args: ['-c', 'import sys; sys.stderr.write("boom\\n"); sys.exit(3)'],
    timeoutS: 30,
    sampleIntervalMs: 100,
  });
  assert.equal(outcome.ok, false);
  assert.equal(outcome.error, 'exited with code 3');
  assert.match(outcome.stderrTail ?? '', /boom/);
});

test('a run past its timeout is killed with its whole tree', async () => {
  const forkAndHang = 'import os, time\nkid = os.fork()\ntime.sleep(60)';
  const outcome = await runBatch({
    executable: PYTHON,
    args: ['-c', forkAndHang],
    timeoutS: 0.5,
    sampleIntervalMs: 50,
  });
  assert.equal(outcome.ok, false);
  assert.match(outcome.error ?? '', /timed out after 0.5 s/);
  const seen = new Set(outcome.timeline.samples.flatMap((s) => s.processes.map((p) => p.pid)));
  assert.ok(seen.size >= 2, 'parent and forked child were both seen');
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const pid of seen) assert.equal(alive(pid), false, `pid ${pid} outlived its run`);
});
