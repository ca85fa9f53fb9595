import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../bench/errors.ts';
import type { Interpreter } from '../bench/interpreters.ts';
import { buildPlan, schedule, totalRuns } from '../bench/plan.ts';
import { loadWorkloads } from '../bench/workload.ts';

const python = (id: string): Interpreter => ({
  id, requested: id, executable: `/usr/bin/${id}`, realpath: `/usr/bin/${id}`, version: '3.11.0', implementation: 'CPython',
  gilEnabled: true, freeThreadedBuild: false, switchIntervalS: 0.005, env: {},
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
    workloads: [countdown], interpreters: [python('a'), python('b')], profile: 'quick',
    modes: ['serial', 'threads'], workers: [1, 4], repeats: 3, warmup: 1, sampleIntervalMs: 100,
  });
  assert.equal(plan.cells.length, 2 * 2 * 2);
  assert.equal(new Set(plan.cells.map((c) => c.id)).size, plan.cells.length, 'cell ids are unique');
  assert.equal(plan.cells[0]!.params['n'], countdown.params['n']!.values.quick);

  const order = [...schedule(plan)];
  assert.equal(order.length, totalRuns(plan));
  assert.equal(order.length, plan.cells.length * 4);
  assert.ok(plan.cells.every((c) => c.warmup === 1 && c.repeats === 3));
  // Every cell's round r comes before any cell's round r + 1.
  const rounds = order.map((run) => run.round);
  assert.deepEqual(rounds, [...rounds].sort((x, y) => x - y));
  assert.deepEqual(order.slice(0, plan.cells.length).map((r) => r.cell.id), plan.cells.map((c) => c.id));
  assert.ok(order.slice(0, plan.cells.length).every((r) => r.warmup));
  assert.ok(order.slice(plan.cells.length).every((r) => !r.warmup));
});

test('a mode the workload does not have is a usage error', async () => {
  const countdown = (await loadWorkloads()).get('countdown')!;
  assert.throws(
    () => buildPlan({ workloads: [countdown], interpreters: [python('a')], profile: 'quick', modes: ['fibers'], sampleIntervalMs: 100 }),
    (error: unknown) => error instanceof UsageError && /No chosen workload has a mode "fibers"/.test(error.message),
  );
});
