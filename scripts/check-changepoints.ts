// npm run bench:changepoints — how well does the change point detector do on synthetic histories?
// Seeded series of 50 commits with lognormal noise (CV 3–15%), optionally 2% of runs ×1.3:
//  - flat: no change at all;
//  - a step of 5, 10 or 20% at a random commit;
//  - a drift of 1 or 2% a commit over 10 commits, then flat at the new level;
//  - a blip: +20% for 2 commits, then back (a regression reverted).
// Per kind of series, the markdown table says: how often the change is found in the whole series,
// false change points per 100 commits (anywhere else), how many commits after the change it is
// first found when the detector sees only the commits so far (run on every prefix), and how far
// from the true commit it is placed. Last, how long one long history takes to analyse.
import { parseArgs } from 'node:util';
import {
  type ChangePoint,
  type ChangePointOptions,
  type CommitRuns,
  detectChangePoints,
} from '../bench/analyse/history/changepoints.ts';
import { median, quantile, seededRandom } from '../bench/core/stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    trials: { type: 'string' },
    commits: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    alpha: { type: 'string', default: '0.01' },
    'min-effect': { type: 'string', default: '0.02' },
    'short-changes': { type: 'string', default: '0' },
  },
});
const TRIALS = Number(values.trials ?? (values.quick ? 12 : 100));
/** Flat series are cheap and their false-positive rate is small: more of them keep it from being noise. */
const FLAT_TRIALS = TRIALS * 3;
const COMMITS = Number(values.commits);
const SEED = Number(values.seed);
const DETECTOR: ChangePointOptions = {
  alpha: Number(values.alpha),
  minEffect: Number(values['min-effect']),
  shortChanges: Number(values['short-changes']),
};
/** A change point this close to the true change (in commits) counts as finding it. */
const TOLERANCE = 2;
const DRIFT_COMMITS = 10;
const OUTLIER_SHARE = 0.02;
const OUTLIER_FACTOR = 1.3;

type Kind =
  | { name: 'flat' }
  | { name: 'step'; size: number }
  | { name: 'drift'; perCommit: number }
  | { name: 'blip'; size: number; commits: number };
interface Variant {
  runs: number;
  outliers: boolean;
}

/** The true change: where it starts (first commit at a new level) and ends (first at the final level); a blip's return. */
interface Truth {
  first: number;
  last: number;
  back?: number;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The noise-free level of commit i, and where the change is. */
function design(kind: Kind, random: () => number): { level: (i: number) => number; truth?: Truth } {
  if (kind.name === 'flat') return { level: () => 1 };
  // Leave at least 10 commits before the change and after its end.
  if (kind.name === 'blip') {
    const at = 10 + Math.floor(random() * (COMMITS - 20 - kind.commits));
    const back = at + kind.commits;
    return { level: (i) => (i >= at && i < back ? 1 + kind.size : 1), truth: { first: at, last: at, back } };
  }
  if (kind.name === 'step') {
    const at = 10 + Math.floor(random() * (COMMITS - 20));
    return { level: (i) => (i >= at ? 1 + kind.size : 1), truth: { first: at, last: at } };
  }
  const start = 10 + Math.floor(random() * (COMMITS - 20 - DRIFT_COMMITS));
  const steps = (i: number) => Math.min(DRIFT_COMMITS, Math.max(0, i - start + 1));
  return { level: (i) => (1 + kind.perCommit) ** steps(i), truth: { first: start, last: start + DRIFT_COMMITS - 1 } };
}

function generate(kind: Kind, variant: Variant, cv: number, seed: number): { commits: CommitRuns[]; truth?: Truth } {
  const random = seededRandom(seed);
  const { level, truth } = design(kind, random);
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const commits = Array.from({ length: COMMITS }, (_, i) => ({
    id: `c${i}`,
    values: Array.from({ length: variant.runs }, () => {
      const value = level(i) * Math.exp(sigma * normal(random) - (sigma * sigma) / 2);
      return variant.outliers && random() < OUTLIER_SHARE ? value * OUTLIER_FACTOR : value;
    }),
  }));
  return { commits, truth };
}

/** Change points that find the true change: in the right direction, within the tolerance of it. */
function matches(found: ChangePoint, truth: Truth): boolean {
  return (
    found.direction === 'increase' && found.index >= truth.first - TOLERANCE && found.index <= truth.last + TOLERANCE
  );
}

/** Change points that find a blip's return. */
function matchesReturn(found: ChangePoint, truth: Truth): boolean {
  return truth.back !== undefined && found.direction === 'decrease' && Math.abs(found.index - truth.back) <= TOLERANCE;
}

interface Trial {
  detected: boolean;
  falseCount: number;
  /** change points that match the change (a drift may be cut into several) */
  matching: number;
  /** |found − true| of the matching change point closest to the change's start */
  error?: number;
  /** commits after the change's first commit when the detector, seeing only commits so far, first finds it */
  delay?: number;
}

function trial(kind: Kind, variant: Variant, cv: number, seed: number): Trial {
  const { commits, truth } = generate(kind, variant, cv, seed);
  const found = detectChangePoints(commits, DETECTOR);
  if (!truth) return { detected: false, falseCount: found.length, matching: 0 };
  const matching = found.filter((c) => matches(c, truth));
  const returns = found.filter((c) => matchesReturn(c, truth)).length;
  // A blip is found when both its rise and its return are.
  if (matching.length === 0 || (truth.back !== undefined && returns === 0))
    return { detected: false, falseCount: found.length - matching.length - returns, matching: 0 };
  const error = Math.min(...matching.map((c) => Math.abs(c.index - truth.first)));
  // The delay: the shortest prefix in which the change is already found.
  let delay = COMMITS - 1 - truth.first;
  for (let end = truth.first; end < COMMITS - 1; end++) {
    if (detectChangePoints(commits.slice(0, end + 1), DETECTOR).some((c) => matches(c, truth))) {
      delay = end - truth.first;
      break;
    }
  }
  return {
    detected: true,
    falseCount: found.length - matching.length - returns,
    matching: matching.length,
    error,
    delay,
  };
}

const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
const KINDS: Kind[] = [
  { name: 'flat' },
  { name: 'step', size: 0.05 },
  { name: 'step', size: 0.1 },
  { name: 'step', size: 0.2 },
  { name: 'drift', perCommit: 0.01 },
  { name: 'drift', perCommit: 0.02 },
  { name: 'blip', size: 0.2, commits: 2 },
];
const CVS = [0.03, 0.05, 0.1, 0.15];
const VARIANTS: Variant[] = [
  { runs: 5, outliers: false },
  { runs: 5, outliers: true },
  { runs: 3, outliers: false },
];

function label(kind: Kind): string {
  if (kind.name === 'flat') return 'flat';
  if (kind.name === 'step') return `step +${percent(kind.size)}`;
  if (kind.name === 'blip') return `blip +${percent(kind.size)} for ${kind.commits} commits`;
  return `drift +${percent(kind.perCommit)}/commit ×${DRIFT_COMMITS}`;
}

function row(kind: Kind, variant: Variant, cv: number, kindIndex: number): string {
  const trials = kind.name === 'flat' ? FLAT_TRIALS : TRIALS;
  const results = Array.from({ length: trials }, (_, t) =>
    trial(
      kind,
      variant,
      cv,
      SEED * 1_000_003 +
        kindIndex * 100_003 +
        Math.round(cv * 1000) * 1009 +
        variant.runs * 17 +
        (variant.outliers ? 7 : 0) +
        t * 7919,
    ),
  );
  const detected = results.filter((r) => r.detected);
  const falsePer100 = (100 * results.reduce((s, r) => s + r.falseCount, 0)) / (trials * COMMITS);
  const delays = detected.map((r) => r.delay!);
  const errors = detected.map((r) => r.error!);
  const cells = [
    label(kind),
    percent(cv),
    kind.name === 'flat' ? '–' : percent(detected.length / trials),
    falsePer100.toFixed(2),
    delays.length ? `${median(delays)} (${quantile(delays, 0.9).toFixed(0)})` : '–',
    kind.name !== 'drift' && errors.length
      ? `${percent(errors.filter((e) => e === 0).length / errors.length)}, ${median(errors)}`
      : '–',
    kind.name === 'drift' && detected.length
      ? (detected.reduce((s, r) => s + r.matching, 0) / detected.length).toFixed(1)
      : '–',
  ];
  return `| ${cells.join(' | ')} |`;
}

/**
 * The detector's speed on a long history: 200 commits of 5 runs (CV 5%) with three changes, the
 * median time of a few analyses after one to compile. Reported, not asserted: a shared machine's
 * timing is no test.
 */
function speed(): string {
  const random = seededRandom(SEED);
  const sigma = Math.sqrt(Math.log(1 + 0.05 ** 2));
  const level = (i: number) => (i < 50 ? 1 : i < 120 ? 1.1 : i < 160 ? 0.9 : 1.2);
  const commits = Array.from({ length: 200 }, (_, i) => ({
    id: `c${i}`,
    values: Array.from({ length: 5 }, () => level(i) * Math.exp(sigma * normal(random))),
  }));
  detectChangePoints(commits.slice(0, 20), DETECTOR);
  const times = Array.from({ length: 5 }, () => {
    const started = performance.now();
    detectChangePoints(commits, DETECTOR);
    return performance.now() - started;
  });
  return `Speed: 200 commits of 5 runs with three changes, analysed in ${median(times).toFixed(0)} ms (median of 5).`;
}

function main(): void {
  const started = performance.now();
  console.log(
    `Synthetic histories: ${COMMITS} commits, lognormal noise; ${TRIALS} trials a row (flat: ${FLAT_TRIALS}); seed ${SEED}.`,
  );
  console.log(
    `Detector: alpha ${DETECTOR.alpha}, min effect ${DETECTOR.minEffect}, short changes ${DETECTOR.shortChanges}, defaults otherwise.`,
  );
  console.log(
    `A change counts as found within ±${TOLERANCE} commits (a drift: anywhere in it ±${TOLERANCE}; a blip: its rise and its return). Delay: of the rise, on prefixes of the history.`,
  );
  for (const variant of VARIANTS) {
    console.log(
      `\n### ${variant.runs} runs per commit${variant.outliers ? `, ${percent(OUTLIER_SHARE)} of runs ×${OUTLIER_FACTOR} (outliers)` : ''}\n`,
    );
    console.log(
      '| series | CV | found | false CPs / 100 commits | delay, commits: median (p90) | located: exact, median error | CPs per drift |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    KINDS.forEach((kind, k) => {
      for (const cv of CVS) console.log(row(kind, variant, cv, k));
    });
  }
  console.log(`\n${speed()}`);
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main();
