import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { MIN_CPUS_TO_PIN } from '../bench/execute/loadgen/placement.ts';
import { runServer, type ServerCommand } from '../bench/execute/server.ts';
import { alive, shortLoad as load, PYTHON, survivesAVanishingClient, tempDir } from './helpers.ts';

const ECHO = join(WORKLOADS_DIR, 'echo', 'echo.py');
const MODES = ['serial', 'threads', 'processes', 'epoll', 'asyncio'];

function serve(
  mode: string,
  loadSpec: ServerCommand['load'],
  { workers = 2, work = 0, cpuThreads = 0, switchInterval = 0, executable = PYTHON, prefix = [] as string[] } = {},
) {
  const messageBytes = loadSpec.protocol.kind === 'echo' ? loadSpec.protocol.messageBytes : 64;
  return runServer({
    executable,
    args: [
      ...prefix,
      ECHO,
      '--mode',
      mode,
      '--workers',
      String(workers),
      '--work',
      String(work),
      '--message_bytes',
      String(messageBytes),
      '--cpu_threads',
      String(cpuThreads),
      '--switch_interval',
      String(switchInterval),
    ],
    timeoutS: 60,
    sampleIntervalMs: 50,
    load: loadSpec,
  });
}

for (const mode of MODES) {
  test(`${mode}: echoes byte-exact to concurrent clients, messages larger than one recv, and leaves nothing behind`, async () => {
    // 200 kB: more than one 64 KiB recv, and more than the socket buffers hold at once.
    const outcome = await serve(
      mode,
      load({ protocol: { kind: 'echo', messageBytes: 200_000 }, connections: mode === 'serial' ? 1 : 4 }),
    );
    assert.equal(outcome.ok, true, `${outcome.error}\n${outcome.stderrTail}`);
    const { load: result, server } = outcome;
    assert.ok(result!.completed > 0, 'answers were counted in the window');
    assert.deepEqual(result!.errors, { connect: 0, reset: 0, timeout: 0, short: 0, corrupt: 0 });
    assert.ok(server!.atWindowEnd.rssKiB > 0);
    assert.equal(server!.done.accepted.length, mode === 'processes' ? 2 : 1);
    for (const sample of outcome.timeline.samples)
      for (const p of sample.processes) assert.equal(alive(p.pid), false, `PID ${p.pid} is still alive`);
  });
}

test('the convoy set-up: counting threads run beside the threaded server, at the switch interval asked for', async () => {
  // Idle connections: their threads use no CPU, so the busy threads are the counting ones.
  const outcome = await serve('threads', load({ pattern: 'idle', connections: 2, warmupS: 0, durationS: 0.4 }), {
    cpuThreads: 2,
    switchInterval: 0.001,
  });
  assert.equal(outcome.ok, true, `${outcome.error}\n${outcome.stderrTail}`);
  assert.equal(outcome.server!.done.python.switch_interval_s, 0.001);
  // main + 2 counting threads + a thread per connection
  assert.ok(
    outcome.server!.atWindowEnd.threads >= 5,
    `threads at the window's end: ${outcome.server!.atWindowEnd.threads}`,
  );
  // Other than the main thread, whose CPU includes the interpreter's start-up.
  const rows = outcome.timeline.samples.flatMap(
    (sample) => sample.processes[0]?.threadCpu.filter(([tid]) => tid !== sample.processes[0]!.pid) ?? [],
  );
  const busy = new Set(rows.filter(([, cpuS]) => cpuS > 0.05).map(([tid]) => tid));
  assert.equal(busy.size, 2, 'the two counting threads, and only they, used CPU');
});

test("prefork: the workers' accept counts add up to the connections made, the priming one included", async () => {
  const outcome = await serve('processes', load({ pattern: 'idle', connections: 12, warmupS: 0, durationS: 0.2 }), {
    workers: 3,
  });
  assert.equal(outcome.ok, true, outcome.error);
  assert.equal(outcome.server!.done.accepted.length, 3);
  assert.equal(
    outcome.server!.done.accepted.reduce((a, b) => a + b, 0),
    12 + 1,
    'the 12 measured and the one that primed the server',
  );
  assert.equal(outcome.load!.openAtEnd, 12);
  assert.equal(outcome.timeline.summary.maxPids, 4, 'the parent and its three workers were seen');
});

for (const mode of MODES) {
  test(`${mode}: a client that vanishes mid-message does not kill the server`, () =>
    survivesAVanishingClient(PYTHON, [
      ECHO,
      '--mode',
      mode,
      '--workers',
      '2',
      '--work',
      '0',
      '--message_bytes',
      '64',
      '--cpu_threads',
      '0',
      '--switch_interval',
      '0',
    ]));
}

test('a server that corrupts one byte fails the run', async () => {
  const liar = `
import sys; sys.path.insert(0, ${JSON.stringify(join(WORKLOADS_DIR, 'common'))})
import gilbench_server, threading
def serve(sock, args, accepted):
    def flip(conn):
        while True:
            data = conn.recv(65536)
            if not data: break
            conn.sendall(data[:-1] + bytes([data[-1] ^ 1]))
    while True:
        conn, _ = sock.accept(); accepted[0] += 1
        threading.Thread(target=flip, args=(conn,), daemon=True).start()
gilbench_server.main({"liar": serve}, params={})
`;
  for (const engine of ['native', 'node'] as const) {
    const outcome = await runServer({
      executable: PYTHON,
      args: ['-c', liar, '--mode', 'liar'],
      timeoutS: 30,
      sampleIntervalMs: 50,
      load: load({ engine }),
    });
    assert.equal(outcome.ok, false, `${engine} engine`);
    assert.match(outcome.error!, /corrupted/);
    assert.equal(outcome.load!.engine, engine);
  }
});

test('the closed-loop echo is measured by the native engine, byte-exact, and says so', async () => {
  const outcome = await serve('epoll', load({ engine: 'native', connections: 3 }));
  assert.equal(outcome.ok, true, outcome.error);
  const result = outcome.load!;
  assert.equal(result.engine, 'native');
  assert.ok(result.completed > 0 && result.latencyMs!.p50 > 0 && result.latencyMs!.p50 <= result.latencyMs!.max);
  assert.deepEqual(result.errors, { connect: 0, reset: 0, timeout: 0, short: 0, corrupt: 0 });
  assert.equal(result.openAtEnd, 3);
  assert.ok(result.generator.ceilingPerS! >= result.perS);
  assert.equal(result.placement?.pinned, availableParallelism() >= MIN_CPUS_TO_PIN);
});

test('without a compiler the Node.js engine measures the closed-loop echo, and the result says why', async () => {
  const saved = { CC: process.env.CC, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  const cache = tempDir();
  Object.assign(process.env, { CC: '/nonexistent/cc', XDG_CACHE_HOME: cache });
  try {
    const outcome = await serve('epoll', load());
    assert.equal(outcome.ok, true, outcome.error);
    assert.equal(outcome.load!.engine, 'node');
    assert.match(outcome.load!.engineNote!, /no C compiler: \/nonexistent\/cc not found/);
    assert.ok(outcome.load!.completed > 0);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(cache, { recursive: true, force: true });
  }
});

test('an open loop sends at the asked rate, no faster, and reports service time apart', async () => {
  const outcome = await serve('epoll', load({ pattern: 'open', connections: 10, ratePerS: 500, durationS: 1 }));
  assert.equal(outcome.ok, true, outcome.error);
  const result = outcome.load!;
  assert.equal(result.targetRatePerS, 500);
  assert.ok(result.completed > 0);
  // Pacing holds each connection to its schedule: a loop that ignores it would answer thousands.
  assert.ok(result.perS <= 500 * 1.1, `achieved ${result.perS}/s against 500/s asked`);
  assert.ok(result.serviceMs && result.latencyMs && result.latencyMs.p50 >= result.serviceMs.p50);
});

test('more connections than the server may open is said plainly, not failed silently', async () => {
  const outcome = await serve('epoll', load({ pattern: 'idle', connections: 100, warmupS: 0 }), {
    executable: 'bash',
    prefix: ['-c', 'ulimit -n 64 && exec "$0" "$@"', PYTHON],
  });
  assert.equal(outcome.ok, false);
  assert.match(outcome.error!, /out of reach: 100 connections need \d+ open files, the server may open 64/);
});

test('the serial server starves every client but one, and the load says so', async () => {
  const outcome = await serve('serial', load({ connections: 3, timeoutMs: 300, durationS: 0.5 }));
  assert.equal(outcome.ok, true, outcome.error);
  assert.equal(outcome.load!.errors.timeout, 2);
  assert.equal(outcome.load!.openAtEnd, 1);
});
