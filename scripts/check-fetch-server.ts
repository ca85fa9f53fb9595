// npm run bench:fetch-server — is the fetch workload's delay server ever the bottleneck?
// wrk holds C concurrent keep-alive connections against it for D seconds; the server must add
// under 1 ms at p99 beyond the delay L it was asked to wait, and serve every request wrk made.

import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { DelayServer } from '../bench/execute/fixtures/http-delay.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '256' },
    threads: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    'delay-ms': { type: 'string', default: '50' },
    'body-bytes': { type: 'string', default: '1024' },
  },
});
const delayMs = Number(values['delay-ms']);

function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!match) throw new Error(`unexpected wrk latency "${text}"`);
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'];
  return Number(match[1]) * scale;
}

async function main(): Promise<void> {
  if ((await execa('wrk', ['--version'], { reject: false })).exitCode === undefined) {
    console.error('check-fetch-server: wrk is not installed; install it (Debian: apt-get install wrk) and run again.');
    process.exitCode = 2;
    return;
  }
  const server = await DelayServer.start();
  try {
    const url = server.url('wrk', delayMs, Number(values['body-bytes']));
    const args = ['-t', values.threads, '-c', values.connections, '-d', `${values.duration}s`, '--latency', url];
    console.log(`wrk ${args.join(' ')}`);
    const { stdout } = await execa('wrk', args);
    const percentile = (p: string) => toMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(stdout)![1]!);
    const made = Number(/(\d+) requests in/.exec(stdout)![1]);
    const errors = /Socket errors: (.*)/.exec(stdout)?.[1] ?? 'none';
    const { served, added } = await server.counts('wrk');
    console.log(stdout.trim());
    console.log('');
    for (const p of ['50', '90', '99']) {
      console.log(`p${p}: ${percentile(p).toFixed(2)} ms = L + ${(percentile(p) - delayMs).toFixed(2)} ms`);
    }
    console.log(
      `p99 overhead beyond L, as wrk saw it: ${(percentile('99') - delayMs).toFixed(2)} ms (goal: under 1 ms)`,
    );
    console.log(
      `the server's own count of what it added beyond L (arrival to last byte written): ` +
        `p50 ${added!.p50.toFixed(3)} ms, p99 ${added!.p99.toFixed(3)} ms, max ${added!.max.toFixed(1)} ms over ${added!.count} responses`,
    );
    console.log(
      `served ${served} responses; wrk counted ${made} completed (the rest were in flight when wrk stopped); socket errors: ${errors}`,
    );
  } finally {
    await server.close();
  }
}

await main();
