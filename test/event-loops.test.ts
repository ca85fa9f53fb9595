import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { FRAMEWORKS } from '../bench/define/frameworks.ts';
import { discoverInterpreters } from '../bench/execute/discover.ts';
import { runServer } from '../bench/execute/server.ts';
import { EVENT_LOOPS, FRAMEWORK_OF, pythonFor } from '../workloads/echo/shared.ts';
import { alive, shortLoad as load, PYTHON, survivesAVanishingClient } from './helpers.ts';

const ECHO = join(WORKLOADS_DIR, 'echo', 'echo.py');
const BLOCKED = join(WORKLOADS_DIR, 'blocked-loop', 'blocked.py');
const found = (await discoverInterpreters()).found;

const pythonOf = (mode: string) => pythonFor(mode, found, PYTHON);

const echoArgs = (mode: string, messageBytes: number) => [
  ECHO,
  '--mode',
  mode,
  '--workers',
  '1',
  '--work',
  '0',
  '--message_bytes',
  String(messageBytes),
  '--cpu_threads',
  '0',
  '--switch_interval',
  '0',
];

for (const mode of EVENT_LOOPS) {
  const python = pythonOf(mode);
  const missing = python
    ? undefined
    : `no interpreter here imports ${FRAMEWORK_OF[mode]} (${FRAMEWORKS[FRAMEWORK_OF[mode]!]})`;
  test(`${mode}: echoes byte-exact to concurrent clients and messages larger than one recv, survives a client that vanishes, leaves nothing behind`, {
    skip: missing,
  }, async () => {
    const outcome = await runServer({
      executable: python!,
      args: echoArgs(mode, 200_000),
      timeoutS: 60,
      sampleIntervalMs: 50,
      load: load({ protocol: { kind: 'echo', messageBytes: 200_000 }, connections: 4 }),
    });
    assert.equal(outcome.ok, true, `${outcome.error}\n${outcome.stderrTail}`);
    assert.ok(outcome.load!.completed > 0, 'answers were counted in the window');
    assert.deepEqual(outcome.load!.errors, { connect: 0, reset: 0, timeout: 0, short: 0, corrupt: 0 });
    assert.equal(outcome.server!.done.accepted[0], 5, 'the four measured connections and the one that primed it');
    for (const sample of outcome.timeline.samples)
      for (const p of sample.processes) assert.equal(alive(p.pid), false, `PID ${p.pid} is still alive`);
    await survivesAVanishingClient(python!, echoArgs(mode, 64));
  });
}
if (EVENT_LOOPS.some((mode) => !pythonOf(mode)))
  console.log(
    `# SKIP event-loop modes without their framework here: ${EVENT_LOOPS.filter((m) => !pythonOf(m)).join(', ')}`,
  );

for (const mode of ['coroutine', 'executor', 'process-pool', 'cooperative', 'threads']) {
  test(`blocked-loop ${mode}: ordinary echoes come back whole while its own client's blocking requests each take the sleep they asked for`, async () => {
    const args = [
      BLOCKED,
      '--mode',
      mode,
      '--workers',
      '1',
      '--block_ms',
      '20',
      '--block_cpu',
      '0',
      '--block_every_ms',
      '50',
      '--message_bytes',
      '64',
    ];
    const outcome = await runServer({
      executable: PYTHON,
      args,
      timeoutS: 60,
      sampleIntervalMs: 50,
      load: load({ durationS: 0.5 }),
    });
    assert.equal(outcome.ok, true, `${outcome.error}\n${outcome.stderrTail}`);
    assert.deepEqual(outcome.load!.errors, { connect: 0, reset: 0, timeout: 0, short: 0, corrupt: 0 });
    const blocking = outcome.server!.done.blocking!;
    assert.ok(blocking.requests >= 2, `the blocking client sent ${blocking.requests} requests`);
    // A request that sleeps 20 ms before its echo cannot come back sooner, however idle the machine.
    assert.ok(blocking.median_ms! >= 20, `median ${blocking.median_ms} ms`);
    // Only the process pool starts processes the way the lecture's processes mode does.
    assert.equal(outcome.server!.done.start_method !== null, mode === 'process-pool');
    for (const sample of outcome.timeline.samples)
      for (const p of sample.processes) assert.equal(alive(p.pid), false, `PID ${p.pid} is still alive`);
  });
}
