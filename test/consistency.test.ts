import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyseResults } from '../bench/analyse/index.ts';
import { UsageError } from '../bench/core/errors.ts';
import { renderMarkdown } from '../bench/present/report/markdown.ts';
import { parseResults, readResults } from '../bench/store/results.ts';
import { assertOneSentence, assertReportFolder, gilbench } from './fuzz/outcome.ts';
import { tempDir } from './helpers.ts';

/** A results file that contradicts itself is refused by the one check every reader goes through (store/consistency.ts). */

const FIXTURES = join(import.meta.dirname, 'fixtures');
const BASELINE = join(import.meta.dirname, '..', 'ci', 'baseline.json');
const raw = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

test('every committed results file reads: the fixtures of every schema version and the CI baseline', () => {
  const files = [
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(FIXTURES, f)),
    BASELINE,
  ];
  for (const file of files) assert.ok(readResults(file).plan.cells.length > 0, file);
});

test('a plan without the workloads its cells name is one sentence and exit 2, not a stack trace in the charts', async () => {
  const dir = tempDir();
  const file = join(dir, 'results.json');
  writeFileSync(file, JSON.stringify({ ...raw('countdown'), plan: { ...raw('countdown').plan, workloads: [] } }));
  const outcome = await gilbench(['report', file, '--out', join(dir, 'report')]);
  assertOneSentence(outcome, 'plan.workloads: []');
  assert.match(
    outcome.stderr[0]!,
    /is inconsistent: plan\.cells\.0\.workload: "countdown" is not a workload of plan\.workloads \(there are none\)\.$/,
  );
  assertReportFolder(join(dir, 'report'), outcome.code, 'plan.workloads: []');
});

/** Each contradiction: what is done to a fixture, and the field and contradiction the sentence names. */
const CONTRADICTIONS: [string, string, (file: ReturnType<typeof raw>) => void, RegExp][] = [
  [
    'an interpreter twice',
    'two-interpreters',
    (f) => (f.interpreters[1].id = f.interpreters[0].id),
    /interpreters\.1\.id: interpreter "cpython-3\.11\.7" is listed twice/,
  ],
  [
    'a workload twice',
    'countdown',
    (f) => f.plan.workloads.push(f.plan.workloads[0]),
    /plan\.workloads\.1\.name: workload "countdown" is described twice/,
  ],
  [
    'no cell at all',
    'countdown',
    (f) => {
      f.plan.cells = [];
      f.runs = [];
    },
    /plan\.cells: the plan holds no cell/,
  ],
  [
    'a cell of an interpreter not listed',
    'two-interpreters',
    (f) => f.interpreters.pop(),
    /plan\.cells\.3\.interpreter: "cpython-3\.13\.0" is not one of interpreters \("cpython-3\.11\.7"\)/,
  ],
  [
    'a cell whose id is another cell',
    'countdown',
    (f) => (f.plan.cells[1].mode = 'serial'),
    /plan\.cells\.1\.id: "countdown\/threads\/w1\/cpython-3\.11\.7" is not the id of .* \("countdown\/serial\/w1\/cpython-3\.11\.7"\)/,
  ],
  [
    'a sweep its params contradict',
    'echo-sweep',
    (f) => (f.plan.cells[0].params.connections = 7),
    /plan\.cells\.0\.sweep\.connections: 1, but the cell's params say 7/,
  ],
  [
    'a workload beside itself',
    'echo-node-beside',
    (f) => (f.plan.workloads[1].beside = 'echo-node'),
    /plan\.workloads\.1\.beside: workload "echo-node" is shown beside itself/,
  ],
  [
    'a skip of an unknown workload',
    'countdown',
    (f) => f.plan.skipped.push({ workload: 'nope', interpreter: 'cpython-3.11.7', reason: 'r' }),
    /plan\.skipped\.0\.workload: "nope" is not a workload/,
  ],
  [
    'a size its cells did not run at',
    'fetch',
    (f) =>
      f.plan.sizes.push({
        workload: 'fetch',
        param: 'requests',
        value: 99,
        interpreters: ['cpython-3.11.7'],
        how: 'given',
      }),
    /plan\.sizes\.0\.value: requests = 99, but cell "fetch\/serial\/w1\/cpython-3\.11\.7" ran with requests = 16/,
  ],
  [
    'a size of an unknown interpreter',
    'fetch',
    (f) => f.plan.sizes.push({ workload: 'fetch', param: 'requests', value: 16, interpreters: ['pypy'], how: 'given' }),
    /plan\.sizes\.0\.interpreters\.0: "pypy" is not one of interpreters/,
  ],
  [
    'a run of no cell',
    'countdown',
    (f) => (f.runs[0].cellId = 'countdown/fibers/w1/cpython-3.11.7'),
    /runs\.0\.cellId: runs of cell "countdown\/fibers\/w1\/cpython-3\.11\.7", which its plan does not hold/,
  ],
  [
    'a server workload of another kind beside',
    'echo-node-beside',
    (f) => (f.plan.workloads[0].kind = 'batch'),
    /plan\.workloads\.1\.beside: server workload "echo-node" is shown beside batch workload "echo"/,
  ],
  [
    'a server workload with a batch run',
    'echo-sweep',
    (f) => (f.plan.workloads[0].kind = 'batch'),
    /runs\.0\.kind: a server run of cell "echo\/serial\/w2\/connections=1\/cpython-3\.11\.7", whose workload echo is a batch workload/,
  ],
  [
    'a failed run that does not say why',
    'countdown',
    (f) => (f.runs[8].ok = false),
    /runs\.8\.error: a run that failed, without why/,
  ],
  [
    'a run that succeeded without its measurement',
    'countdown',
    (f) => delete f.runs[8].measurement,
    /runs\.8\.measurement: a batch run that succeeded, without what its program measured/,
  ],
  [
    'a server run that succeeded without its load',
    'echo-sweep',
    (f) => delete f.runs[2].load,
    /runs\.2\.load: a server run that succeeded, without what the load generator measured/,
  ],
  [
    'two counted runs in one round',
    'countdown',
    (f) => (f.runs[16].round = f.runs[8].round),
    /runs\.16\.round: cell ".*" already has a counted run in round 1/,
  ],
  [
    'a round beyond the plan',
    'fetch',
    (f) => (f.runs[0].round = 5),
    /runs\.0\.round: round 5, beyond the last round there was room for \(4\)/,
  ],
  [
    'a warm-up run after the warm-up',
    'countdown',
    (f) => (f.runs[0].round = 2),
    /runs\.0\.round: a warm-up run in round 2, but cell ".*" plans 1 warm-up and 5 measured rounds/,
  ],
  [
    'a wall time of 1e308 s',
    'countdown',
    (f) => (f.runs[8].measurement.wall_s = 1e308),
    /runs\.8\.measurement\.wall_s: 1e\+308 is beyond any duration, count or size/,
  ],
  [
    'a negative count',
    'echo-sweep',
    (f) => (f.runs[3].load.completed = -1),
    /runs\.3\.load\.completed: -1 is negative/,
  ],
  [
    'a wall time of zero',
    'countdown',
    (f) => (f.runs[8].measurement.wall_s = 0),
    /runs\.8\.measurement\.wall_s: 0 s, but a program's work takes time/,
  ],
  [
    'no core',
    'countdown',
    (f) => (f.machine.logicalCores = 0),
    /machine\.logicalCores: 0, but a machine has a whole number of cores, at least one/,
  ],
  [
    'a part of a core',
    'countdown',
    (f) => (f.machine.physicalCores = 1e-300),
    /machine\.physicalCores: 1e-300, but a machine has a whole number of cores/,
  ],
  [
    'a wall time shorter than its tasks',
    'countdown',
    (f) => (f.runs[8].measurement.wall_s = 1e-300),
    /runs\.8\.measurement\.tasks\.0\.end_s: .* s, after the program's own wall time ended \(1e-300 s\)/,
  ],
  [
    'a program that did no task',
    'countdown',
    (f) => (f.runs[8].measurement.tasks = []),
    /runs\.8\.measurement\.tasks: none, but a program does one task or more/,
  ],
  [
    'a wall time longer than its process',
    'countdown',
    (f) => (f.runs[8].measurement.wall_s *= 1000),
    /runs\.8\.measurement\.wall_s: .* s, longer than the process that measured it lived/,
  ],
  [
    'a run longer than its timeout',
    'countdown',
    (f) => (f.runs[8].processWallS = 1e6),
    /runs\.8\.processWallS: 1000000 s, but cell ".*" stops a run after 120 s/,
  ],
  [
    'a task that ended before it started',
    'countdown',
    (f) => (f.runs[8].measurement.tasks[0].start_s = f.runs[8].measurement.tasks[0].end_s + 0.01),
    /runs\.8\.measurement\.tasks\.0\.end_s: .* before the task started/,
  ],
  [
    'samples out of order',
    'countdown',
    (f) => f.runs[8].timeline.samples.reverse(),
    /runs\.8\.timeline\.samples\.1\.t: .* out of order or after the run ended/,
  ],
  [
    'shared CPUs without why',
    'echo-node-beside',
    (f) => delete f.runs[0].load.placement.why,
    /runs\.0\.load\.placement\.why: the server and the load generator shared CPUs, and it does not say why/,
  ],
  [
    'a p99 below its p90',
    'echo-sweep',
    (f) => (f.runs[0].load.latencyMs.p99 = 0),
    /runs\.0\.load\.latencyMs\.p99: 0 ms, below its p90/,
  ],
];

test('a file that contradicts itself is refused with one sentence naming the field and the contradiction', () => {
  for (const [what, fixture, edit, message] of CONTRADICTIONS) {
    const file = raw(fixture);
    edit(file);
    assert.throws(
      () => parseResults(file, 'x.json'),
      (error) => {
        assert.ok(error instanceof UsageError, what);
        assert.match(error.message, /^"x\.json" is inconsistent: [^\n]*\.$/, what);
        assert.match(error.message, message, what);
        return true;
      },
      what,
    );
  }
});

test("a percentile a histogram bucket above the exact max reads, as a real run's did (p999 41.255 ms, max 41.232 ms)", () => {
  const file = raw('echo-sweep');
  const latency = file.runs[0].load.latencyMs;
  latency.max = latency.p999 * (1 - 5e-4);
  assert.doesNotThrow(() => parseResults(file, 'x.json'));
});

test('a mean CPU% a rounding above its peak reads: the mean of equal samples can be (0.1 + 0.1 + 0.1) / 3', () => {
  const file = raw('countdown');
  const summary = file.runs[8].timeline.summary;
  summary.peakCpuPct = 0.1;
  summary.meanCpuPct = (0.1 + 0.1 + 0.1) / 3;
  assert.ok(summary.meanCpuPct > summary.peakCpuPct);
  assert.doesNotThrow(() => parseResults(file, 'x.json'));
});

test('a run without what else the machine did (no /proc/stat, as on macOS) reads, and its report says so with a dash, not NaN', () => {
  const file = raw('echo-node-beside');
  for (const run of file.runs) delete run.host;
  const results = parseResults(file, 'x.json');
  const report = renderMarkdown(results, analyseResults(results), { charts: [], versions: [], beside: [] });
  assert.doesNotMatch(report, /NaN/);
});
