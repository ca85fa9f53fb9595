import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { besideGroups } from '../bench/analyse/beside.ts';
import { summariseCells } from '../bench/analyse/summary.ts';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { isNode } from '../bench/define/interpreters.ts';
import { buildPlan } from '../bench/define/plan.ts';
import { interpretersForRun } from '../bench/define/runtimes.ts';
import { loadWorkloads } from '../bench/define/workload.ts';
import { runServer } from '../bench/execute/server.ts';
import { writeReport } from '../bench/present/report/index.ts';
import { readResults } from '../bench/store/results.ts';
import { alive, shortLoad, survivesAVanishingClient, tempDir } from './helpers.ts';

const ECHO_NODE = join(WORKLOADS_DIR, 'echo-node', 'echo.mjs');
const WORKERS = 2;
const FIXTURES = join(import.meta.dirname, 'fixtures');

for (const mode of ['event-loop', 'cluster']) {
  test(`echo-node ${mode}: echoes byte-exact to concurrent clients, says what it did, and leaves nothing behind`, async () => {
    // 200 kB: more than one read, and more than the socket buffers hold at once.
    const outcome = await runServer({
      executable: process.execPath,
      args: [ECHO_NODE, '--mode', mode, '--workers', String(WORKERS), '--message_bytes', '200000'],
      timeoutS: 60,
      sampleIntervalMs: 50,
      load: shortLoad({ protocol: { kind: 'echo', messageBytes: 200_000 }, connections: 4 }),
    });
    assert.equal(outcome.ok, true, `${outcome.error}\n${outcome.stderrTail}`);
    const { load, server } = outcome;
    assert.ok(load!.completed > 0, 'answers were counted in the window');
    assert.deepEqual(load!.errors, { connect: 0, reset: 0, timeout: 0, short: 0, corrupt: 0 });
    const { done } = server!;
    assert.equal(done.mode, mode);
    assert.equal(done.accepted.length, mode === 'cluster' ? WORKERS : 1, 'one accept count per worker');
    assert.equal(
      done.accepted.reduce((a, b) => a + b, 0),
      4 + 1,
      'every connection was accepted once, the priming one too',
    );
    assert.ok(done.rusage_total.self.user_s > 0 && done.rusage_total.self.maxrss_kib > 1024);
    // The cluster's workers did the echoing: their CPU is reported as the children's.
    assert.equal(done.rusage_total.children.user_s > 0, mode === 'cluster');
    assert.equal(outcome.timeline.summary.maxPids, mode === 'cluster' ? WORKERS + 1 : 1);
    const pids = new Set(outcome.timeline.samples.flatMap((s) => s.processes.map((p) => p.pid)));
    for (const pid of pids) assert.equal(alive(pid), false, `PID ${pid} is still alive`);
  });
}

for (const mode of ['event-loop', 'cluster']) {
  test(`echo-node ${mode}: a client that vanishes mid-message does not kill the server`, () =>
    survivesAVanishingClient(process.execPath, [ECHO_NODE, '--mode', mode, '--workers', String(WORKERS)]));
}

test('a Node.js workload runs on Node.js alone; the Python matrix applies to the Python workloads', async () => {
  const all = await loadWorkloads();
  const workloads = [all.get('echo')!, all.get('echo-node')!];
  const python = {
    id: 'cpython-3.11.0',
    requested: 'python3',
    executable: '/usr/bin/python3',
    realpath: '/usr/bin/python3',
    version: '3.11.0',
    implementation: 'CPython',
    gilEnabled: true,
    freeThreadedBuild: false,
    switchIntervalS: 0.005,
    env: {},
  };
  const interpreters = interpretersForRun(workloads, [python, { ...python, id: 'cpython-3.8.0', version: '3.8.0' }]);
  const node = interpreters.find(isNode)!;
  assert.equal(node.id, `node-${process.versions.node}`);
  assert.equal(node.executable, process.execPath);
  assert.deepEqual(interpretersForRun([all.get('echo-node')!], [python]), [node], 'no Python is listed when none runs');

  const plan = buildPlan({ workloads, interpreters, profile: 'quick', sampleIntervalMs: 0 });
  const on = (workload: string) => new Set(plan.cells.filter((c) => c.workload === workload).map((c) => c.interpreter));
  assert.deepEqual(on('echo-node'), new Set([node.id]));
  assert.deepEqual(on('echo'), new Set(['cpython-3.11.0', 'cpython-3.8.0']));
  assert.ok(plan.cells.some((c) => c.id === `echo-node/cluster/w2/connections=10/${node.id}`));
});

test('a report of echo and echo-node shows their cells in one table and chart, modes named with what ran them', () => {
  const results = readResults(join(FIXTURES, 'echo-node-beside.json'));
  const [group, ...others] = besideGroups(results, summariseCells(results));
  assert.equal(others.length, 0);
  assert.equal(group!.partner, 'echo');
  const python = results.interpreters.find((i) => !isNode(i))!.version;
  const node = `Node.js ${results.interpreters.find(isNode)!.version}`;
  assert.deepEqual(
    group!.cells.map((c) => c.cell.mode),
    [`epoll (${python})`, `processes (fork, ${python})`, `event-loop (${node})`, `cluster (${node})`],
  );
  assert.deepEqual(group!.info.ignoresWorkers.sort(), [`epoll (${python})`, `event-loop (${node})`]);

  const dir = tempDir();
  try {
    const report = readFileSync(writeReport(results, dir), 'utf8');
    const section = report.slice(report.indexOf('### Side by side: echo and echo-node'));
    assert.ok(report.includes('### Side by side: echo and echo-node'));
    for (const mode of group!.cells.map((c) => c.cell.mode))
      assert.match(section, new RegExp(`^\\| ${mode.replace(/[().]/g, '\\$&')} \\|`, 'm'));
    assert.match(
      section,
      /!\[Throughput by server and connections\]\(echo_and_echo-node-side-by-side-echo-bars\.png\)/,
    );
    assert.ok(existsSync(join(dir, 'echo_and_echo-node-side-by-side-echo-bars.png')));
    // One interpreter each: nothing to compare across interpreters, and Node.js has no GIL to disable.
    assert.doesNotMatch(report, /Across interpreters|GIL disabled|no GIL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
