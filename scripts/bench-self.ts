// npm run bench:self — the harness's own hot paths, measured in-process with tinybench.
// First the sampler: what one walk of a real 5-process tree costs, and what share of one core
// sampling takes: at 10 Hz by default (every 100 ms, the default and full profiles), or --hz 20
// (every 50 ms, the quick profile's shorter tasks).

import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { Bench } from 'tinybench';
import { probeInterpreter } from '../bench/execute/discover.ts';
import { RunTree } from '../bench/execute/kill.ts';
import { listTree } from '../bench/execute/proc.ts';
import { ProcTreeReader, TreeSampler } from '../bench/execute/sample.ts';

const TREE_PROCESSES = 5;
const SHARE_SECONDS = 10;
const { values } = parseArgs({ options: { hz: { type: 'string', default: '10' } } });
const HZ = Number(values.hz);

// A parent with four forked children, each with a second thread: a small but real tree.
const TREE = `
import os, threading, time
for _ in range(${TREE_PROCESSES - 1}):
    if os.fork() == 0:
        break
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
time.sleep(600)
`;

/** CPU the harness process used while `activity` ran for SHARE_SECONDS, as % of one core. */
async function cpuSharePct(activity: () => () => void): Promise<number> {
  const before = process.cpuUsage();
  const started = performance.now();
  const stop = activity();
  await new Promise((r) => setTimeout(r, SHARE_SECONDS * 1000));
  stop();
  const used = process.cpuUsage(before);
  return (100 * (used.user + used.system)) / 1e3 / (performance.now() - started);
}

async function main(): Promise<void> {
  const python = await probeInterpreter('python3');
  const contained = new RunTree();
  const tree = execa(python.executable, ['-c', TREE], {
    detached: true,
    reject: false,
    stdin: 'ignore',
    env: contained.env,
  });
  const root = tree.pid!;
  contained.started(root);
  try {
    while (listTree(root).length < TREE_PROCESSES) await new Promise((r) => setTimeout(r, 20));

    const reader = new ProcTreeReader();
    const bench = new Bench({ name: 'gilbench sampler', time: 3000, warmup: true });
    bench.add(`walk a ${TREE_PROCESSES}-process tree in /proc`, () => {
      reader.read(root, 0);
    });
    await bench.run();
    const walk = bench.tasks[0]!.result as {
      latency: { mean: number; p50: number; p99: number; rme: number };
      throughput: { mean: number };
    };
    const perSampleMs = walk.latency.p50;

    // The sampler as runs use it, timers at 10 Hz for 10 s, against an idle harness ticking an
    // empty timer at the same rate: the difference is what sampling itself costs.
    const idlePct = await cpuSharePct(() => {
      const timer = setInterval(() => undefined, 1000 / HZ);
      return () => clearInterval(timer);
    });
    const sampler = new TreeSampler(root, 1000 / HZ);
    const sharePct = await cpuSharePct(() => {
      sampler.start();
      return () => void sampler.stop();
    });
    const timeline = sampler.stop();

    console.log(
      `gilbench self-benchmark on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}`,
    );
    console.table([
      {
        measure: `one walk of a ${TREE_PROCESSES}-process tree (tinybench)`,
        median: `${(perSampleMs * 1000).toFixed(0)} µs`,
        mean: `${(walk.latency.mean * 1000).toFixed(0)} µs ± ${walk.latency.rme.toFixed(1)}%`,
        p99: `${(walk.latency.p99 * 1000).toFixed(0)} µs`,
      },
    ]);
    console.log(`Walk cost × ${HZ} Hz = ${((perSampleMs * HZ) / 10).toFixed(3)}% of one core (goal: under 1%).`);
    console.log(
      `Sampling at ${HZ} Hz for ${SHARE_SECONDS} s (${timeline.samples.length} samples, ${timeline.summary.maxPids} PIDs, ` +
        `${timeline.summary.maxThreads} threads): the harness used ${sharePct.toFixed(2)}% of one core; idle with a ${HZ} Hz ` +
        `empty timer it used ${idlePct.toFixed(2)}%; sampling's own share: ${(sharePct - idlePct).toFixed(2)}% (goal: under 1%).`,
    );
  } finally {
    await contained.kill(0);
    contained.ended();
    await tree;
  }
}

await main();
