// npm run bench:loadgen — how fast and how honest is the load generator itself?
// Interleaved rounds, 64-byte messages, closed loop, a C epoll client as the reference:
// - echo, C = 10, against the fastest server we can build here (native C, epoll): the generator
//   (its native engine, and its Node.js engine with 1 and 2 threads), the C client, and a plain
//   Node `net` client (for scale);
// - echo against the project's own Python servers (threads, processes W=2, epoll, asyncio, and the
//   event loops of echo --modes, on the interpreter that imports their frameworks) at C = 10 and
//   100: the generator (the engine a run would pick) and the C client, in turn, round after round;
//   per server, the generator / C client ratio with its interval, the server's CPU per answer
//   under each and their ratio with its interval, and whether the two rank the servers alike
//   (">" only where the intervals of the medians are apart);
// - HTTP: the generator (1 thread) against the fetch workload's delay server (delay 0), and
//   `wrk -t1 -c10` on the same server: the ratio;
// - 10,000 idle connections held: the generator's RSS.
// Needs cc (for the native server and client) and wrk (Debian: apt-get install gcc wrk).

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { WORKLOADS_DIR } from '../bench/core/paths.ts';
import { median, medianInterval } from '../bench/core/stats.ts';
import { discoverInterpreters } from '../bench/execute/discover.ts';
import { DelayServer } from '../bench/execute/fixtures/http-delay.ts';
import { generateLoad, primeServer } from '../bench/execute/loadgen/index.ts';
import { engineFor } from '../bench/execute/loadgen/native.ts';
import type { LoadSpec } from '../bench/execute/loadgen/spec.ts';
import { readTree, treeCpuBetween } from '../bench/execute/proc.ts';
import type { LoadResult } from '../bench/store/records.ts';
import { EVENT_LOOPS, FRAMEWORK_OF, pythonFor } from '../workloads/echo/shared.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '2' } },
});
const ROUNDS = Number(values.rounds);
const DURATION_S = Number(values.duration);
const WARMUP_S = 0.5;
const CONNECTIONS = 10;
const PYTHON_CONNECTIONS = [10, 100];
const PYTHON_SERVERS = ['threads', 'processes', 'epoll', 'asyncio', ...EVENT_LOOPS];
const NATIVE = join(import.meta.dirname, 'native');

const NODE_NET_CLIENT = `
const [port, connections, seconds] = process.argv.slice(1).map(Number);
const message = Buffer.alloc(64);
let answers = 0;
for (let i = 0; i < connections; i++) {
  const socket = require('node:net').connect(port, '127.0.0.1', () => socket.write(message));
  socket.setNoDelay(true);
  let got = 0;
  socket.on('data', (data) => { got += data.length; if (got >= 64) { got = 0; answers++; socket.write(message); } });
}
const started = performance.now();
setTimeout(() => { console.log(JSON.stringify({ perS: answers / ((performance.now() - started) / 1000) })); process.exit(0); }, seconds * 1000);`;

async function build(source: string, dir: string): Promise<string> {
  const binary = join(dir, source.replace(/\.c$/, ''));
  await execa('cc', ['-O2', '-o', binary, join(NATIVE, source)]);
  return binary;
}

async function startServer(command: string, args: string[]): Promise<{ port: number; child: ResultPromise }> {
  const child = execa(command, args, { reject: false, buffer: false });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split('\n')[0]!).port));
    child.once('exit', (code, signal) =>
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready`)),
    );
  });
  return { port, child };
}

function echoLoad(port: number, overrides: Partial<LoadSpec> = {}): LoadSpec {
  return {
    port,
    protocol: { kind: 'echo', messageBytes: 64 },
    pattern: 'closed',
    connections: CONNECTIONS,
    ratePerS: 0,
    warmupS: WARMUP_S,
    durationS: DURATION_S,
    timeoutMs: 2000,
    threads: 1,
    ...overrides,
  };
}

const jsonPerS = async (command: string, args: string[]) =>
  JSON.parse((await execa(command, args)).stdout) as { perS: number; cpuUsPerAnswer?: number };
const count = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  for (const tool of ['cc', 'wrk']) {
    if ((await execa('which', [tool], { reject: false })).exitCode !== 0) {
      console.error(
        `bench:loadgen: ${tool} is not installed; install it (Debian: apt-get install gcc wrk) and run again.`,
      );
      process.exitCode = 2;
      return;
    }
  }
  const engine = await engineFor(echoLoad(0));
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'gilbench-loadgen-'));
  const [nativeServer, cClient] = await Promise.all([build('echo-server.c', dir), build('echo-client.c', dir)]);
  const native = await startServer(nativeServer, []);
  const echoPy = join(WORKLOADS_DIR, 'echo', 'echo.py');
  // The interpreter itself, not a shim in front of it: SIGTERM must reach the server. A framework's
  // servers run on the first interpreter that imports it; without one, they are left out.
  const pythonExe = (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
  const { found } = await discoverInterpreters();
  const pythonOf = (mode: string) => pythonFor(mode, found, pythonExe);
  const servable = PYTHON_SERVERS.filter((mode) => pythonOf(mode));
  for (const mode of PYTHON_SERVERS.filter((m) => !pythonOf(m)))
    console.error(`bench:loadgen: ${mode} left out: no interpreter here imports ${FRAMEWORK_OF[mode]}`);
  const python = Object.fromEntries(
    await Promise.all(
      servable.map(
        async (mode) =>
          [
            mode,
            await startServer(pythonOf(mode)!, [
              echoPy,
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
            ]),
          ] as const,
      ),
    ),
  );
  // Each measured as gilbench measures it: after one connection has been opened and closed.
  for (const { port } of [native, ...Object.values(python)]) await primeServer(echoLoad(port, { connections: 1 }));
  const http = await DelayServer.start();
  const url = new URL(http.url('loadgen', 0, 64));
  const samples = new Map<string, number[]>();
  /** CPU time per answer, µs: unlike answers/s, barely moved by what else the machine runs */
  const cpuPerAnswer = new Map<string, number[]>();
  /** the server's own CPU per answer, µs, under each client: what a server layer costs, measured two ways */
  const serverCpu = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, name: string, value: number) =>
    map.set(name, [...(map.get(name) ?? []), value]);
  const note = (name: string, { perS, cpuUsPerAnswer }: { perS: number; cpuUsPerAnswer?: number }) => {
    add(samples, name, perS);
    if (cpuUsPerAnswer !== undefined) add(cpuPerAnswer, name, cpuUsPerAnswer);
  };
  const loads: LoadResult[] = [];
  const generator = async (spec: LoadSpec) => {
    const result = await generateLoad(spec);
    loads.push(result);
    return { perS: result.perS, cpuUsPerAnswer: (1e4 * result.generator.cpuPct * result.windowS) / result.completed };
  };
  const cReference = (port: number, connections: number) =>
    jsonPerS(cClient, [String(port), String(connections), String(DURATION_S), String(WARMUP_S)]);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // Which goes first alternates, so that drift within a round does not favour either.
      const inTurn = async (pairs: [string, () => Promise<{ perS: number; cpuUsPerAnswer?: number }>][]) => {
        for (const [name, measure] of round % 2 ? pairs : [...pairs].reverse()) note(name, await measure());
      };
      const { port } = native;
      await inTurn([
        ['native: generator, native engine', () => generator(echoLoad(port, { engine: 'native' }))],
        ['native: C client', () => cReference(port, CONNECTIONS)],
        ['native: generator, Node.js engine, 1 thread', () => generator(echoLoad(port, { engine: 'node' }))],
        [
          'native: generator, Node.js engine, 2 threads',
          () => generator(echoLoad(port, { engine: 'node', threads: 2 })),
        ],
        [
          'native: plain Node net client',
          () =>
            jsonPerS(process.execPath, ['-e', NODE_NET_CLIENT, String(port), String(CONNECTIONS), String(DURATION_S)]),
        ],
      ]);
      for (const [mode, server] of Object.entries(python)) {
        for (const connections of PYTHON_CONNECTIONS) {
          // The server tree's CPU over the whole call, over the answers of the call (warm-up at the window's rate).
          const withServerCpu =
            (name: string, measure: () => Promise<{ perS: number; cpuUsPerAnswer?: number }>) => async () => {
              const before = readTree(server.child.pid!);
              const result = await measure();
              const { userS, sysS } = treeCpuBetween(before, readTree(server.child.pid!));
              add(serverCpu, name, ((userS + sysS) * 1e6) / (result.perS * (WARMUP_S + DURATION_S)));
              return result;
            };
          await inTurn([
            [
              `${mode} C=${connections}: generator`,
              withServerCpu(`${mode} C=${connections}: generator`, () =>
                generator(echoLoad(server.port, { connections })),
              ),
            ],
            [
              `${mode} C=${connections}: C client`,
              withServerCpu(`${mode} C=${connections}: C client`, () => cReference(server.port, connections)),
            ],
          ]);
        }
      }
      const httpLoad = echoLoad(http.port, {
        protocol: { kind: 'http', path: url.pathname + url.search, bodyBytes: 64 },
      });
      note('http: generator, 1 thread', { perS: (await generator(httpLoad)).perS });
      const wrk = await execa('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION_S}s`, url.href]);
      note('http: wrk -t1', { perS: Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk.stdout)![1]) });
      console.error(`round ${round}/${ROUNDS} done`);
    }
    const held = await generateLoad(
      echoLoad(native.port, { pattern: 'idle', connections: 10_000, warmupS: 0, durationS: 1, timeoutMs: 10_000 }),
    );
    const failed = loads.filter((load) => Object.values(load.errors).some((n) => n > 0));
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `\nmachine: ${availableParallelism()} CPUs, load average (1/5/15 min) ${load(loadBefore)} before, ${load(loadavg())} after; generator engine for the echo: ${engine.engine === 'native' ? 'native' : `Node.js (${engine.why})`}`,
    );
    console.log(
      `\n| ${ROUNDS} interleaved rounds, 64 B, ${DURATION_S} s each after ${WARMUP_S} s warm-up | median answers/s | runs |`,
    );
    console.log('| --- | --- | --- |');
    for (const [name, perS] of samples)
      console.log(`| ${name} | ${count(median(perS))} | ${perS.map(count).join(', ')} |`);
    console.log('\n| CPU time per answer, its own (µs), native C server, C = 10 | median | runs |');
    console.log('| --- | --- | --- |');
    for (const [name, us] of cpuPerAnswer)
      if (name.startsWith('native:'))
        console.log(
          `| ${name.slice('native: '.length)} | ${median(us).toFixed(2)} | ${us.map((u) => u.toFixed(2)).join(', ')} |`,
        );
    const ratio = (a: string, b: string) => pairedRatio(samples.get(a)!, samples.get(b)!);
    console.log('\n| generator / C client, the same server, round by round | median ratio | interval of the median |');
    console.log('| --- | --- | --- |');
    console.log(
      `| native C server, C = ${CONNECTIONS}, native engine | ${ratio('native: generator, native engine', 'native: C client')} |`,
    );
    console.log(
      `| native C server, C = ${CONNECTIONS}, Node.js engine, 1 thread | ${ratio('native: generator, Node.js engine, 1 thread', 'native: C client')} |`,
    );
    console.log(
      `| native C server, C = ${CONNECTIONS}, Node.js engine, 2 threads | ${ratio('native: generator, Node.js engine, 2 threads', 'native: C client')} |`,
    );
    for (const mode of servable) {
      for (const connections of PYTHON_CONNECTIONS)
        console.log(
          `| ${mode}, C = ${connections} | ${ratio(`${mode} C=${connections}: generator`, `${mode} C=${connections}: C client`)} |`,
        );
    }
    console.log(
      "\n| the server's CPU per answer (µs), under the generator / under the C client, round by round | generator | C client | median ratio | interval of the median |",
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const mode of servable) {
      for (const connections of PYTHON_CONNECTIONS) {
        const [g, c] = ['generator', 'C client'].map((client) => serverCpu.get(`${mode} C=${connections}: ${client}`)!);
        console.log(
          `| ${mode}, C = ${connections} | ${median(g!).toFixed(1)} | ${median(c!).toFixed(1)} | ${pairedRatio(g!, c!)} |`,
        );
      }
    }
    for (const connections of PYTHON_CONNECTIONS) {
      // Each server's median answers/s under one client, with the interval of that median.
      const under = (client: string) =>
        new Map(
          servable.map((mode) => {
            const perS = samples.get(`${mode} C=${connections}: ${client}`)!;
            return [mode, { median: median(perS), ...medianInterval(perS) }] as const;
          }),
        );
      const [byGenerator, byC] = [under('generator'), under('C client')];
      const apart = (by: typeof byGenerator, a: string, b: string) =>
        by.get(a)!.low > by.get(b)!.high || by.get(b)!.low > by.get(a)!.high;
      const ranking = (by: typeof byGenerator) => {
        const ranked = [...servable].sort((a, b) => by.get(b)!.median - by.get(a)!.median);
        return ranked
          .map((mode, i) => (i === 0 ? '' : apart(by, ranked[i - 1]!, mode) ? ' > ' : ' ≈ ') + mode)
          .join('');
      };
      const pairs = servable.flatMap((a, i) => servable.slice(i + 1).map((b) => [a, b] as const));
      // Only the pairs both clients tell apart are counted: for any other, one client's order is within its noise.
      const told = pairs.filter(([a, b]) => apart(byGenerator, a, b) && apart(byC, a, b));
      const concordant = told.filter(
        ([a, b]) => byGenerator.get(a)!.median > byGenerator.get(b)!.median === byC.get(a)!.median > byC.get(b)!.median,
      ).length;
      const confidence = Math.round((byGenerator.get(servable[0]!)?.confidence ?? 0) * 100);
      console.log(
        `\nRanking by answers/s at C = ${connections} (">" where the ${confidence}% intervals of the medians are apart, "≈" where they overlap): generator ${ranking(byGenerator)}; C client ${ranking(byC)}; ${told.length} of the ${pairs.length} pairs are apart under both clients, ${concordant} of them in the same order.`,
      );
    }
    console.log(
      `\nNode.js engine (1 thread) / plain Node net client, native server: ${(median(samples.get('native: generator, Node.js engine, 1 thread')!) / median(samples.get('native: plain Node net client')!)).toFixed(2)}`,
    );
    console.log(
      `HTTP: generator (1 thread) / wrk -t1 -c${CONNECTIONS}: ${(median(samples.get('http: generator, 1 thread')!) / median(samples.get('http: wrk -t1')!)).toFixed(2)}`,
    );
    console.log(
      `10,000 idle connections: ${held.openAtEnd} held, generator RSS ${(held.generator.rssKiB / 1024).toFixed(0)} MiB`,
    );
    console.log(
      `generator errors: ${failed.length ? failed.map((load) => JSON.stringify(load.errors)).join('; ') : 'none'}`,
    );
  } finally {
    for (const { child } of [native, ...Object.values(python)]) child.kill('SIGTERM');
    await Promise.all([native, ...Object.values(python)].map(({ child }) => child));
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median of the per-round ratios a/b, with the distribution-free interval of that median. */
function pairedRatio(a: number[], b: number[]): string {
  const ratios = a.map((value, i) => value / b[i]!);
  const { low, high, confidence } = medianInterval(ratios);
  return `${median(ratios).toFixed(3)} | ${low.toFixed(3)}–${high.toFixed(3)} (${Math.round(confidence * 100)}%)`;
}

await main();
