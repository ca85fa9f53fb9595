// npm run fuzz — before a release: every fuzz target of npm test (test/fuzz/targets.ts) for longer,
// 10,000 cases each by default (the run target: 100 real runs, a few seconds each), two targets
// at a time. Prints what became of the cases, target by target; exit 1 when a target failed,
// with fast-check's report (the seed, the shrunk case, what went wrong). Options: --cases N,
// --runs N (real runs), --seed N (default: a new one, printed), --only a,b, --jobs N.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { type FuzzResult, fuzz } from '../test/fuzz/run.ts';
import { TARGETS } from '../test/fuzz/targets.ts';

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

console.log(
  `gilbench fuzz: seed ${seed}; ${chosen.map((t) => `${t.name} ${casesOf(t.name).toLocaleString('en-US')}`).join(', ')} cases`,
);
const queue = [...chosen];
const failed: string[] = [];
const report = (name: string, result: FuzzResult) => {
  if ('failed' in result) {
    failed.push(name);
    console.log(`\n${name}: FAILED\n${result.failed}\n`);
    return;
  }
  const { read, refused } = result.counts;
  console.log(
    `${name.padEnd(10)} ${String(read + refused).padStart(6)} cases: ${String(read).padStart(6)} read, ${String(refused).padStart(6)} refused in one sentence, ${result.seconds.toFixed(0)} s`,
  );
};
// Each target in a process of its own, as many at a time as --jobs: a hang or a crash stops one target only.
await Promise.all(
  Array.from({ length: Number(values.jobs) }, async () => {
    for (let target = queue.shift(); target; target = queue.shift()) {
      const results = await fuzz({ targets: [[target.name, casesOf(target.name)]], seed }, HANG_S);
      for (const [name, result] of results) report(name, result);
    }
  }),
);
console.log(
  failed.length
    ? `gilbench fuzz: ${failed.join(', ')} FAILED (seed ${seed})`
    : `gilbench fuzz: nothing found (seed ${seed})`,
);
process.exitCode = failed.length ? 1 : 0;
