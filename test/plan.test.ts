import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../bench/core/errors.ts';
import type { Interpreter } from '../bench/define/interpreters.ts';
import { buildPlan, schedule, totalRuns } from '../bench/define/plan.ts';
import { loadWorkloads } from '../bench/define/workload.ts';

const python = (id: string, version = '3.11.0'): Interpreter => ({
  id,
  requested: id,
  executable: `/usr/bin/${id}`,
  realpath: `/usr/bin/${id}`,
  version,
  implementation: 'CPython',
  gilEnabled: true,
  freeThreadedBuild: false,
  switchIntervalS: 0.005,
  env: {},
});

test('the workloads folder is discovered, not named in code', async () => {
  const workloads = await loadWorkloads();
  assert.ok(workloads.has('countdown'));
  assert.ok(!workloads.has('common'), 'a folder without a descriptor is no workload');
  assert.match(workloads.get('countdown')!.programPath, /workloads\/countdown\/countdown\.py$/);
});

test('cells are workloads x interpreters x workers x modes, run in interleaved rounds', async () => {
  const countdown = (await loadWorkloads()).get('countdown')!;
  const plan = buildPlan({
    workloads: [countdown],
    interpreters: [python('a'), python('b')],
    profile: 'quick',
    modes: ['serial', 'threads'],
    workers: [1, 4],
    repeats: 3,
    warmup: 1,
    sampleIntervalMs: 100,
  });
  assert.equal(plan.cells.length, 2 * 2 * 2);
  assert.equal(new Set(plan.cells.map((c) => c.id)).size, plan.cells.length, 'cell ids are unique');
  assert.equal(plan.cells[0]!.params.n, countdown.params.n!.values.quick);

  const order = [...schedule(plan)];
  assert.equal(order.length, totalRuns(plan));
  assert.equal(order.length, plan.cells.length * 4);
  assert.ok(plan.cells.every((c) => c.warmup === 1 && c.repeats === 3));
  // Every cell's round r comes before any cell's round r + 1.
  const rounds = order.map((run) => run.round);
  assert.deepEqual(
    rounds,
    [...rounds].sort((x, y) => x - y),
  );
  assert.deepEqual(
    order.slice(0, plan.cells.length).map((r) => r.cell.id),
    plan.cells.map((c) => c.id),
  );
  assert.ok(order.slice(0, plan.cells.length).every((r) => r.warmup));
  assert.ok(order.slice(plan.cells.length).every((r) => !r.warmup));
});

test('a mode the workload does not have is a usage error', async () => {
  const countdown = (await loadWorkloads()).get('countdown')!;
  assert.throws(
    () =>
      buildPlan({
        workloads: [countdown],
        interpreters: [python('a')],
        profile: 'quick',
        modes: ['fibers'],
        sampleIntervalMs: 100,
      }),
    (error: unknown) => error instanceof UsageError && /No chosen workload has a mode "fibers"/.test(error.message),
  );
});

test('cells an interpreter cannot run are skipped with the reason: the whole workload, or one mode', async () => {
  const all = await loadWorkloads();
  const plan = buildPlan({
    workloads: [all.get('countdown')!, all.get('fetch')!],
    interpreters: [python('py27', '2.7.18'), python('py311', '3.11.0'), python('py312', '3.12.1')],
    profile: 'quick',
    workers: [2],
    sampleIntervalMs: 100,
  });
  const modesOn = (interpreter: string, workload: string) =>
    plan.cells.filter((c) => c.interpreter === interpreter && c.workload === workload).map((c) => c.mode);
  assert.deepEqual(modesOn('py27', 'countdown'), ['serial', 'threads', 'processes']);
  assert.deepEqual(modesOn('py27', 'fetch'), []);
  assert.deepEqual(modesOn('py311', 'countdown'), ['serial', 'threads', 'processes', 'async']);
  assert.deepEqual(modesOn('py312', 'countdown'), ['serial', 'threads', 'processes', 'async', 'subinterpreters']);
  const skipped = plan.skipped.map((s) => `${s.workload}/${s.mode ?? '*'}/${s.interpreter} ${s.needs}`);
  assert.deepEqual(skipped, [
    'countdown/async/py27 3.8',
    'countdown/subinterpreters/py27 3.12',
    'countdown/subinterpreters/py311 3.12',
    'fetch/*/py27 3.8',
  ]);
  assert.ok(
    plan.skipped.every((s) => s.reason.length > 20),
    'each skip says why',
  );
});

test("echo runs the lecture's five servers unless the event loops are named; one an interpreter cannot import is skipped with how to get it", async () => {
  const echo = (await loadWorkloads()).get('echo')!;
  const withGevent = { ...python('debian'), frameworks: { gevent: '22.10.2' } };
  const plain = buildPlan({ workloads: [echo], interpreters: [withGevent], profile: 'quick', sampleIntervalMs: 0 });
  assert.deepEqual(
    [...new Set(plain.cells.map((c) => c.mode))],
    ['serial', 'threads', 'processes', 'epoll', 'asyncio'],
  );
  const named = buildPlan({
    workloads: [echo],
    interpreters: [withGevent, python('bare')],
    profile: 'quick',
    modes: ['generators', 'gevent', 'trio'],
    sampleIntervalMs: 0,
  });
  assert.deepEqual(
    [...new Set(named.cells.map((c) => `${c.mode} ${c.interpreter}`))],
    ['generators debian', 'gevent debian', 'generators bare'],
  );
  const reasons = named.skipped.map((s) => `${s.mode} ${s.interpreter}: ${s.reason}`);
  assert.deepEqual(reasons, [
    'trio debian: trio needs the trio package, which debian cannot import: pip install trio (Debian: apt-get install python3-trio)',
    'gevent bare: gevent needs the gevent package, which bare cannot import: pip install gevent (Debian: apt-get install python3-gevent)',
    'trio bare: trio needs the trio package, which bare cannot import: pip install trio (Debian: apt-get install python3-trio)',
  ]);
});
