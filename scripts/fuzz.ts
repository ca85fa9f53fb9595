// npm run fuzz — before a release: every fuzz target of npm test (test/fuzz/targets.ts) for longer,
// 10,000 cases each by default (the run target: 100 real runs, a few seconds each), two targets
// at a time. Prints what became of the cases, target by target; exit 1 when a target failed,
// with fast-check's report (the seed, the shrunk case, what went wrong). Options: --cases N,
// --runs N (real runs), --seed N (default: a new one, printed), --only a,b, --jobs N.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fuzz } from '../test/fuzz/run.ts';
import { TARGETS, type Verdict } from '../test/fuzz/targets.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    only: { type: 'string' },
    jobs: { type: 'string', default: String(Math.min(2, availableParallelism())) },
  },
});
const seed = Number(values.seed);
const chosen = TARGETS.filter((t) => !values.only || values.only.split(',').includes(t.name));
/** The run target's cases are real runs (a Python process per cell and round), not reads: fewer of them. */
const casesOf = (name: string) => Number(name === 'run' ? values.runs : values.cases);
/** A case that takes this long has hung: a real run with --repeat auto takes ten seconds at most. */
const HANG_S = 120;
/**
 * Cases per child process: the chart library's native memory grows by about 0.1 MB a report and is
 * given back only at exit, so a fresh process takes over every so many. Chunk k runs with seed + k.
 */
const CHUNK = 2000;

/** One target's cases, chunk after chunk; what became of them, or the first failure. */
async function fuzzTarget(name: string): Promise<void> {
  const counts: Record<Verdict, number> = { read: 0, refused: 0 };
  const started = performance.now();
  for (let done = 0, chunk = 0; done < casesOf(name); done += CHUNK, chunk++) {
    const result = (
      await fuzz({ targets: [[name, Math.min(CHUNK, casesOf(name) - done)]], seed: seed + chunk }, HANG_S)
    ).get(name)!;
    if ('failed' in result) {
      failed.push(name);
      console.log(`\n${name}: FAILED (seed ${seed + chunk})\n${result.failed}\n`);
      return;
    }
    counts.read += result.counts.read;
    counts.refused += result.counts.refused;
  }
  const { read, refused } = counts;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name.padEnd(10)} ${String(read + refused).padStart(6)} cases: ${String(read).padStart(6)} read, ${String(refused).padStart(6)} refused in one sentence, ${seconds.toFixed(0)} s`,
  );
}

console.log(
  `gilbench fuzz: seed ${seed}; ${chosen.map((t) => `${t.name} ${casesOf(t.name).toLocaleString('en-US')}`).join(', ')} cases`,
);
const queue = chosen.map((t) => t.name);
const failed: string[] = [];
// As many targets at a time as --jobs, each in processes of its own: a hang or a crash stops one target only.
await Promise.all(
  Array.from({ length: Number(values.jobs) }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await fuzzTarget(name);
  }),
);
console.log(
  failed.length
    ? `gilbench fuzz: ${failed.join(', ')} FAILED (seed ${seed})`
    : `gilbench fuzz: nothing found (seed ${seed})`,
);
process.exitCode = failed.length ? 1 : 0;
