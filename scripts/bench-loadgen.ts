// npm run bench:loadgen — how fast and how honest is the load generator itself?
// Interleaved rounds, C = 10 connections, 64-byte messages, closed loop:
// - echo: the generator with 1 and 2 threads, a C client and a plain Node `net` client (for scale),
//   against the fastest server we can build here (native C, epoll) and a trivial Node echo server;
// - HTTP: the generator (1 thread) against the fetch workload's delay server (delay 0), and
//   `wrk -t1 -c10` on the same server: the ratio;
// - 10,000 idle connections held: the generator's RSS.
// Needs cc (for the native server and client) and wrk (Debian: apt-get install gcc wrk).
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DelayServer } from '../bench/fixtures/http-delay.ts';
import { generateLoad, type LoadSpec } from '../bench/loadgen/index.ts';
import { median } from '../bench/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '2' } } });
const ROUNDS = Number(values.rounds);
const DURATION_S = Number(values.duration);
const CONNECTIONS = 10;
const NATIVE = join(import.meta.dirname, 'native');

const NODE_ECHO_SERVER = `
const server = require('node:net').createServer((socket) => { socket.setNoDelay(true); socket.on('error', () => {}); socket.on('data', (data) => socket.write(data)); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: server.address().port })));`;

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
    child.once('exit', (code, signal) => reject(new Error(`${command} exited (${code ?? signal}) before it was ready`)));
  });
  return { port, child };
}

function echoLoad(port: number, threads: number, overrides: Partial<LoadSpec> = {}): LoadSpec {
  return {
    port,
    protocol: { kind: 'echo', messageBytes: 64 },
    pattern: 'closed',
    connections: CONNECTIONS,
    ratePerS: 0,
    warmupS: 0.5,
    durationS: DURATION_S,
    timeoutMs: 2000,
    threads,
    ...overrides,
  };
}

const jsonPerS = async (command: string, args: string[]) => JSON.parse((await execa(command, args)).stdout).perS as number;

async function main(): Promise<void> {
  for (const tool of ['cc', 'wrk']) {
    if ((await execa('which', [tool], { reject: false })).exitCode !== 0) {
      console.error(`bench:loadgen: ${tool} is not installed; install it (Debian: apt-get install gcc wrk) and run again.`);
      process.exitCode = 2;
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'gilbench-loadgen-'));
  const [nativeServer, nativeClient] = await Promise.all([build('echo-server.c', dir), build('echo-client.c', dir)]);
  const servers = { native: await startServer(nativeServer, []), node: await startServer(process.execPath, ['-e', NODE_ECHO_SERVER]) };
  const http = await DelayServer.start();
  const url = new URL(http.url('loadgen', 0, 64));
  const samples = new Map<string, number[]>();
  const note = (name: string, value: number) => samples.set(name, [...(samples.get(name) ?? []), value]);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, { port }] of Object.entries(servers)) {
        note(`${name}: generator, 1 thread`, (await generateLoad(echoLoad(port, 1))).perS);
        note(`${name}: generator, 2 threads`, (await generateLoad(echoLoad(port, 2))).perS);
        note(`${name}: C client`, await jsonPerS(nativeClient, [String(port), String(CONNECTIONS), String(DURATION_S)]));
        note(`${name}: plain Node net client`, await jsonPerS(process.execPath, ['-e', NODE_NET_CLIENT, String(port), String(CONNECTIONS), String(DURATION_S)]));
      }
      const httpLoad = echoLoad(http.port, 1, { protocol: { kind: 'http', path: url.pathname + url.search, bodyBytes: 64 } });
      note('http: generator, 1 thread', (await generateLoad(httpLoad)).perS);
      const wrk = await execa('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION_S}s`, url.href]);
      note('http: wrk -t1', Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk.stdout)![1]));
      console.error(`round ${round}/${ROUNDS} done`);
    }
    const held = await generateLoad(echoLoad(servers.native.port, 1, { pattern: 'idle', connections: 10_000, warmupS: 0, durationS: 1, timeoutMs: 10_000 }));
    console.log(`\n| ${ROUNDS} interleaved rounds, C = ${CONNECTIONS}, 64 B, ${DURATION_S} s each | median answers/s | runs |`);
    console.log('| --- | --- | --- |');
    for (const [name, perS] of samples) console.log(`| ${name} | ${Math.round(median(perS)).toLocaleString('en-US')} | ${perS.map((v) => Math.round(v)).join(', ')} |`);
    const ratio = (a: string, b: string) => (median(samples.get(a)!) / median(samples.get(b)!)).toFixed(2);
    console.log(`\ngenerator (1 thread) / C client, native server: ${ratio('native: generator, 1 thread', 'native: C client')}`);
    console.log(`generator (1 thread) / plain Node net client, native server: ${ratio('native: generator, 1 thread', 'native: plain Node net client')}`);
    console.log(`HTTP: generator (1 thread) / wrk -t1 -c${CONNECTIONS}: ${ratio('http: generator, 1 thread', 'http: wrk -t1')}`);
    console.log(`10,000 idle connections: ${held.openAtEnd} held, generator RSS ${(held.generator.rssKiB / 1024).toFixed(0)} MiB`);
  } finally {
    for (const { child } of Object.values(servers)) child.kill('SIGKILL');
    await http.close();
  }
}

await main();
