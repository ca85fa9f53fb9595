import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DelayServer } from '../bench/execute/fixtures/http-delay.ts';
import { generateLoad } from '../bench/execute/loadgen/index.ts';
import { allowedCpus, cpuList, parseCpuList, pinThisProcess, placeCpus } from '../bench/execute/loadgen/placement.ts';
import { shortLoad } from './helpers.ts';

async function httpLoad(server: DelayServer, bodyBytes: number, expected: number) {
  const url = new URL(server.url('lg', 0, bodyBytes));
  return generateLoad({
    ...shortLoad({ protocol: { kind: 'http', path: url.pathname + url.search, bodyBytes: expected }, threads: 2 }),
    port: server.port,
  });
}

test('HTTP keep-alive load: every response is checked, the server counts the same requests', async () => {
  const server = await DelayServer.start();
  try {
    const result = await httpLoad(server, 1500, 1500);
    assert.equal(result.threads, 2);
    assert.ok(result.completed > 0);
    assert.equal(result.errors.corrupt + result.errors.short + result.errors.reset, 0);
    const { served } = await server.counts('lg');
    assert.ok(
      served >= result.completed,
      `the server served ${served}, the generator counted ${result.completed} in the window`,
    );
  } finally {
    await server.close();
  }
});

test('HTTP load: a body of the wrong length is corruption', async () => {
  const server = await DelayServer.start();
  try {
    const result = await httpLoad(server, 1500, 1499);
    assert.equal(result.completed, 0);
    assert.equal(result.errors.corrupt, 4);
  } finally {
    await server.close();
  }
});

test('CPU placement: disjoint lists when there are cores to spare, shared and said so otherwise', () => {
  assert.deepEqual(placeCpus('auto', parseCpuList('0-7'), 1, true), { pinned: true, server: '0-6', generator: '7' });
  assert.deepEqual(placeCpus('auto', [0, 2, 3, 5], 2, true), { pinned: true, server: '0,2', generator: '3,5' });
  const two = placeCpus('auto', [0, 1], 1, true);
  assert.equal(two.pinned, false);
  assert.equal(two.server, '0-1');
  assert.equal(two.generator, '0-1');
  assert.match(two.why!, /2 CPUs/);
  assert.equal(placeCpus('off', parseCpuList('0-7'), 1, true).why, '--pin off');
  assert.equal(placeCpus('auto', parseCpuList('0-7'), 1, false).pinned, false);
  assert.equal(cpuList(parseCpuList('0-2,5,7-8')), '0-2,5,7-8');
});

test('pinning this process moves all of its threads, and undoing it puts the old affinity back', {
  skip: allowedCpus().length < 2 && 'one CPU',
}, () => {
  const before = cpuList(allowedCpus());
  const first = String(allowedCpus()[0]);
  const unpin = pinThisProcess(first);
  try {
    assert.equal(cpuList(allowedCpus()), first);
    const tasks = readdirSync('/proc/self/task');
    for (const tid of tasks)
      assert.match(
        readFileSync(`/proc/self/task/${tid}/status`, 'utf8'),
        new RegExp(`Cpus_allowed_list:\\s+${first}\\n`),
      );
  } finally {
    unpin();
  }
  assert.equal(cpuList(allowedCpus()), before);
});
