import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DelayServer } from '../bench/fixtures/http-delay.ts';
import { generateLoad } from '../bench/loadgen/index.ts';
import { shortLoad } from './helpers.ts';

async function httpLoad(server: DelayServer, bodyBytes: number, expected: number) {
  const url = new URL(server.url('lg', 0, bodyBytes));
  return generateLoad({ ...shortLoad({ protocol: { kind: 'http', path: url.pathname + url.search, bodyBytes: expected }, threads: 2 }), port: server.port });
}

test('HTTP keep-alive load: every response is checked, the server counts the same requests', async () => {
  const server = await DelayServer.start();
  try {
    const result = await httpLoad(server, 1500, 1500);
    assert.equal(result.threads, 2);
    assert.ok(result.completed > 0);
    assert.equal(result.errors.corrupt + result.errors.short + result.errors.reset, 0);
    const { served } = await server.counts('lg');
    assert.ok(served >= result.completed, `the server served ${served}, the generator counted ${result.completed} in the window`);
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
