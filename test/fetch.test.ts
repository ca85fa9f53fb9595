import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkloads } from '../bench/define/workload.ts';
import { runBatch } from '../bench/execute/batch.ts';
import { DelayServer } from '../bench/execute/fixtures/http-delay.ts';
import { FIXTURES } from '../bench/execute/fixtures/index.ts';
import { PYTHON } from './helpers.ts';

const K = 16;
const L_MS = 100;
const B = 1000;
const params = { requests: K, delay_ms: L_MS, body_bytes: B, timeout_s: 10 };

async function fetchRun(mode: string, workers: number, token: string) {
  const fetch = (await loadWorkloads()).get('fetch')!;
  const fixture = await FIXTURES['http-delay']();
  try {
    const args = Object.entries(params).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const outcome = await runBatch({
      executable: PYTHON,
      args: [
        fetch.programPath,
        '--mode',
        mode,
        '--workers',
        String(workers),
        ...args,
        ...fixture.argsFor(token, params),
      ],
      timeoutS: 60,
      sampleIntervalMs: 20,
    });
    assert.equal(outcome.ok, true, `${mode}: ${outcome.error}\n${outcome.stderrTail}`);
    const { incomplete, facts } = await fixture.verify(token, params, outcome.measurement!);
    assert.ok(facts && facts.server_added_p99_ms! >= 0, 'the server reports what it added');
    return { outcome, incomplete, measurement: outcome.measurement! };
  } finally {
    await fixture.close();
  }
}

test('the delay server waits L ms, sends B bytes, and counts per run', async () => {
  const server = await DelayServer.start();
  try {
    const started = performance.now();
    const response = await fetch(server.url('t1', 80, 5000));
    const body = Buffer.from(await response.arrayBuffer());
    assert.ok(performance.now() - started >= 80, 'the answer came no sooner than the delay');
    assert.equal(body.length, 5000);
    const counts = await server.counts('t1');
    assert.deepEqual([counts.received, counts.served], [1, 1]);
    assert.ok(counts.added!.count === 1 && counts.added!.p50 >= 0);
    const other = await server.counts('other');
    assert.deepEqual([other.received, other.served], [0, 0]);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/nope`)).status, 404);
  } finally {
    await server.close();
  }
});

test('serial: K requests one after another, no sooner than K x L, every one served whole', async () => {
  const { measurement, incomplete } = await fetchRun('serial', 4, 'serial');
  assert.equal(incomplete, undefined);
  assert.equal(measurement.tasks.length, K);
  assert.ok(measurement.wall_s >= (K * L_MS) / 1000, `serial took ${measurement.wall_s} s, less than K x L`);
  assert.ok(measurement.tasks.every((t) => t.result === B));
});

test('threads: W threads in one process; processes: W + 1 PIDs; both complete', async () => {
  const threads = await fetchRun('threads', 4, 'threads');
  assert.equal(threads.incomplete, undefined);
  assert.equal(threads.outcome.timeline.summary.maxPids, 1);
  assert.ok(
    threads.outcome.timeline.summary.maxThreads >= 5,
    `saw ${threads.outcome.timeline.summary.maxThreads} threads`,
  );
  assert.equal(new Set(threads.measurement.tasks.map((t) => t.tid)).size, 4, 'the pool used its 4 threads');

  const processes = await fetchRun('processes', 4, 'processes');
  assert.equal(processes.incomplete, undefined);
  assert.ok(processes.outcome.timeline.summary.maxPids >= 5, `saw ${processes.outcome.timeline.summary.maxPids} PIDs`);
  assert.ok(new Set(processes.measurement.tasks.map((t) => t.pid)).size > 1, 'requests were spread over the pool');
});

test('async and async-executor complete every request in one process', async () => {
  for (const mode of ['async', 'async-executor']) {
    const { outcome, incomplete, measurement } = await fetchRun(mode, 8, mode);
    assert.equal(incomplete, undefined, mode);
    assert.equal(outcome.timeline.summary.maxPids, 1, mode);
    assert.equal(new Set(measurement.tasks.map((t) => t.pid)).size, 1, mode);
    // At most W in flight: no moment has more than 8 requests open.
    const events = measurement.tasks
      .flatMap(
        (t) =>
          [
            [t.start_s, 1],
            [t.end_s, -1],
          ] as const,
      )
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = 0;
    for (const [, step] of events) {
      open += step;
      most = Math.max(most, open);
    }
    assert.ok(most <= 8, `${mode}: ${most} requests in flight`);
  }
});

test('a run that lies about its requests is caught by the server count', async () => {
  const fixture = await FIXTURES['http-delay']();
  try {
    const fake = {
      tasks: Array.from({ length: K }, (_, i) => ({ task: i, pid: 1, tid: 1, start_s: 0, end_s: 0, result: B })),
    };
    const { incomplete } = await fixture.verify('never-called', params, fake as never);
    assert.match(incomplete ?? '', /served 0 of the 16 requests/);
  } finally {
    await fixture.close();
  }
});

test('a request past its timeout fails the run with the reason', async () => {
  const fetch = (await loadWorkloads()).get('fetch')!;
  const fixture = await FIXTURES['http-delay']();
  try {
    const slow = { requests: 2, delay_ms: 2000, body_bytes: 10, timeout_s: 0.2 };
    const args = Object.entries(slow).flatMap(([k, v]) => [`--${k}`, String(v)]);
    for (const mode of ['threads', 'async']) {
      const outcome = await runBatch({
        executable: PYTHON,
        args: [fetch.programPath, '--mode', mode, '--workers', '2', ...args, ...fixture.argsFor(`slow-${mode}`, slow)],
        timeoutS: 60,
        sampleIntervalMs: 100,
      });
      assert.equal(outcome.ok, false, mode);
      assert.match(outcome.error ?? '', /exited with code 1/, mode);
      assert.match(outcome.stderrTail ?? '', /timed? ?out|TimeoutError/i, `${mode}: ${outcome.stderrTail}`);
    }
  } finally {
    await fixture.close();
  }
});
