// npm run bench:accuracy — does the harness distort what it measures?
//  1. The wall time it reports for a countdown run, against hyperfine timing the same command line.
//  2. The in-process wall time, against hyperfine's time minus the interpreter's start-up
//     (hyperfine timing the same command with n = 0).
//  3. The countdown's own time with the sampler at its default rate, against sampling off.
// Blocks alternate (hyperfine, harness, hyperfine, …) so that machine drift hits both sides.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { median, quantile } from '../bench/core/stats.ts';
import { loadWorkloads } from '../bench/define/workload.ts';
import { runBatch } from '../bench/execute/batch.ts';
import { probeInterpreter } from '../bench/execute/discover.ts';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: 'python3' },
    n: { type: 'string', default: '20000000' },
    mode: { type: 'string', default: 'serial' },
    workers: { type: 'string', default: '2' },
    pairs: { type: 'string', default: '20' },
  },
});
const PAIRS = Number(values.pairs);
const DEFAULT_INTERVAL_MS = 100;

async function hyperfine(command: string[], runs: number): Promise<number[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'gilbench-accuracy-')), 'hyperfine.json');
  await execa('hyperfine', ['-N', '--runs', String(runs), '--export-json', out, command.join(' ')], {
    stdio: 'ignore',
  });
  return (JSON.parse(readFileSync(out, 'utf8')) as { results: { times: number[] }[] }).results[0]!.times;
}

async function harness(command: string[], sampleIntervalMs: number) {
  const outcome = await runBatch({ executable: command[0]!, args: command.slice(1), timeoutS: 600, sampleIntervalMs });
  if (!outcome.ok) throw new Error(`run failed: ${outcome.error}\n${outcome.stderrTail ?? ''}`);
  return { processWallS: outcome.processWallS, wallS: outcome.measurement!.wall_s };
}

/** Runs a and b back to back, the first of them alternating with i, so neither always goes first. */
async function pair<A, B>(i: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (i % 2 === 0) {
    const x = await a();
    return [x, await b()];
  }
  const y = await b();
  return [await a(), y];
}

/** On a terminal one line rewritten in place; in a log or a pipe one line per pair. */
function progress(label: string, i: number): void {
  const line = `${label}: pair ${i + 1}/${PAIRS}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}${i + 1 === PAIRS ? '\n' : ''}` : `${line}\n`);
}

const spread = (xs: number[]) =>
  `median ${median(xs).toFixed(4)}, IQR ${quantile(xs, 0.25).toFixed(4)}–${quantile(xs, 0.75).toFixed(4)}, n=${xs.length}`;
const percent = (xs: number[]) => `${((median(xs) - 1) * 100).toFixed(2)}% (paired ratios: ${spread(xs)})`;

async function main(): Promise<void> {
  if ((await execa('hyperfine', ['--version'], { reject: false })).failed) {
    console.error(
      'check-accuracy: hyperfine is not installed; install it (Debian: apt-get install hyperfine) and run again.',
    );
    process.exitCode = 2;
    return;
  }
  const python = await probeInterpreter(values.python);
  const program = (await loadWorkloads()).get('countdown')!.programPath;
  const command = (n: string) => [
    python.executable,
    program,
    '--mode',
    values.mode,
    '--workers',
    values.workers,
    '--n',
    n,
  ];
  console.log(`Command: ${command(values.n).join(' ')}`);

  const startup = median(await hyperfine(command('0'), 20));
  const vsHyperfine: number[] = [];
  const workVsHyperfine: number[] = [];
  const sampler: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    progress('harness vs hyperfine', i);
    const [run, [seconds]] = await pair(
      i,
      () => harness(command(values.n), DEFAULT_INTERVAL_MS),
      () => hyperfine(command(values.n), 1),
    );
    vsHyperfine.push(run.processWallS / seconds!);
    workVsHyperfine.push(run.wallS / (seconds! - startup));
  }
  for (let i = 0; i < PAIRS; i++) {
    progress('sampler on vs off', i);
    const [on, off] = await pair(
      i,
      () => harness(command(values.n), DEFAULT_INTERVAL_MS),
      () => harness(command(values.n), 0),
    );
    sampler.push(on.wallS / off.wallS);
  }

  console.log(`Start-up (hyperfine, n=0): ${(startup * 1000).toFixed(1)} ms`);
  console.log(`1. harness process wall / hyperfine:               ${percent(vsHyperfine)}  (goal: within 2%)`);
  console.log(`2. in-process wall / (hyperfine − start-up):       ${percent(workVsHyperfine)}  (goal: within 2%)`);
  console.log(
    `3. sampler at ${DEFAULT_INTERVAL_MS} ms / sampler off (in-process wall): ${percent(sampler)}  (goal: within 1%)`,
  );
}

await main();
