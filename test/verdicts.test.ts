import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CellSummary, summariseCells } from '../bench/analyse/summary.ts';
import { type Evidence, evidenceOf } from '../bench/analyse/verdicts/evidence.ts';
import { judge, judgeEvidence, RULES, rulesTable } from '../bench/analyse/verdicts/index.ts';
import { BUSY_OTHERS_PCT } from '../bench/core/busy.ts';
import { versionComparisons, versionSection } from '../bench/present/report/versions.ts';
import { readResults } from '../bench/store/results.ts';
import { alive, PYTHON, tempDir } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const summaries = (name: string) => summariseCells(readResults(join(FIXTURES, `${name}.json`)));
const cellOf = (name: string, id: string): CellSummary => summaries(name).find((s) => s.cell.id === id)!;
/** The fixtures ran on 2 cores and GIL builds (3.11.7, 3.13.0). */
const GIL_BUILD = { cores: 2, gilEnabled: true };
const sentence = (s: CellSummary) => judge(s, GIL_BUILD).sentence;
const verdict = (name: string, id: string) => sentence(cellOf(name, id));

/** Words that name a cause; a verdict says one only with the measurement that shows it. */
const CAUSES =
  /GIL-bound|contending for the GIL|IO-bound|in parallel|starting the workers|one thread did all the work|took turns|one after another/;

test('a busy machine makes a cell inconclusive: no cause is drawn (was: "start-up cost", "contending for the GIL")', () => {
  // Recorded while other programs used 110–170% of a core.
  for (const s of summaries('two-interpreters').filter((s) => s.cell.mode !== 'serial')) {
    const line = sentence(s);
    assert.match(line, /inconclusive: other programs used \d+% of a core/, line);
    assert.doesNotMatch(line, CAUSES, line);
  }
});

test('a CPU-bound countdown is never called IO-bound; a difference needs its interval to exclude 1', () => {
  const id = (mode: string, w: number) => `countdown/${mode}/w${w}/cpython-3.11.7`;
  // 1.31x [1.12–1.57] with CPU util 1.00: faster, but nothing measured says why.
  assert.match(
    verdict('countdown', id('threads', 1)),
    /1\.31x serial \[1\.12–1\.57\] \(CPU util 1\.00\); the measurements do not show what made it faster\./,
  );
  assert.match(
    verdict('countdown', id('threads', 2)),
    /no difference from serial beyond this run's noise \(1\.00x serial \[0\.82–1\.26\]\); its 2 working threads took turns on one core/,
  );
  assert.match(
    verdict('countdown', id('processes', 2)),
    /1\.79x serial \[1\.30–2\.21\]: \d+ .*were running or ready to run at one sampled moment \(CPU util 1\.76\) — in parallel\./,
  );
  assert.match(
    verdict('countdown', id('async', 2)),
    /no difference from serial beyond this run's noise .*its 2 tasks ran one after another\./,
  );
  for (const s of summaries('countdown')) assert.doesNotMatch(sentence(s), /IO-bound/, s.cell.id);
});

test('echo servers get server verdicts (was: "IO-bound", "runs in parallel", "one thread did all the work")', () => {
  const lines = summaries('echo-sweep').map((s) => `${s.cell.id}: ${sentence(s)}`);
  for (const line of lines) assert.doesNotMatch(line, /IO-bound|one thread did all the work|runs in parallel/, line);
  // A thread-per-connection server is one process under one GIL: its CPU beyond one core is never "parallel".
  for (const line of lines.filter((l) => /\/(threads|epoll|asyncio|serial)\//.test(l)))
    assert.doesNotMatch(line, /in parallel/, line);
  assert.match(
    verdict('echo-sweep', 'echo/serial/w2/connections=100/cpython-3.11.7'),
    /served one client at a time: 99 of 100 connections got no answer within the timeout \(495 timeouts/,
  );
  assert.match(
    verdict('echo-sweep', 'echo/epoll/w2/connections=100/cpython-3.11.7'),
    /at least 88,027 answers\/s .*the load generator was the limit/,
  );
  assert.match(
    verdict('echo-sweep', 'echo/asyncio/w2/connections=100/cpython-3.11.7'),
    /no difference from serial beyond this run's noise .*one process under one GIL: user 0\.\d+ \+ system 0\.\d+ cores/,
  );
});

/** A real cell's evidence with some facts replaced. */
function variant(base: Evidence, facts: Partial<Evidence>, summary: Partial<CellSummary> = {}): Evidence {
  return { ...base, ...facts, summary: { ...base.summary, ...summary } };
}

test('rule matrix: every rule fires on evidence that supports it and stays silent on evidence one fact short', () => {
  const quiet = { othersCpuPct: 10, stealPct: 0 };
  const processes = {
    ...evidenceOf(cellOf('countdown', 'countdown/processes/w2/cpython-3.11.7'), GIL_BUILD),
    ...quiet,
  };
  const threads = { ...evidenceOf(cellOf('countdown', 'countdown/threads/w2/cpython-3.11.7'), GIL_BUILD), ...quiet };
  const echoCell = cellOf('echo-sweep', 'echo/asyncio/w2/connections=100/cpython-3.11.7');
  const echo = { ...evidenceOf(echoCell, GIL_BUILD), ...quiet };
  const starved = {
    ...evidenceOf(cellOf('echo-sweep', 'echo/serial/w2/connections=100/cpython-3.11.7'), GIL_BUILD),
    ...quiet,
  };
  const [faster, slower, noise] = [
    { value: 1.5, low: 1.3, high: 1.7, runs: 5 },
    { value: 0.8, low: 0.7, high: 0.9, runs: 5 },
    { value: 1, low: 0.9, high: 1.1, runs: 5 },
  ];
  const slowThreads = {
    speedup: slower,
    processes: 1,
    workingThreads: 2,
    runningAtOnce: 1,
    cpuUtil: 0.99,
    oneAfterAnother: false,
    startShare: undefined,
  };
  const bound = { ...echoCell.server!, busiestThread: 0.97 };
  const unbound = { ...echoCell.server!, busiestThread: 0.5 };
  const cases: { rule: string; fires: Evidence; silent: Evidence }[] = [
    { rule: 'no-run', fires: variant(threads, {}, { repeats: 0 }), silent: threads },
    { rule: 'busy-machine', fires: variant(threads, { othersCpuPct: 105 }), silent: threads },
    { rule: 'no-serial', fires: variant(threads, { speedup: undefined }), silent: threads },
    { rule: 'batch-noise', fires: variant(threads, { speedup: noise }), silent: variant(threads, { speedup: faster }) },
    {
      rule: 'parallel',
      fires: variant(processes, { speedup: faster }),
      silent: variant(processes, { speedup: faster, runningAtOnce: 1 }),
    },
    {
      rule: 'overlapped-waiting',
      fires: variant(threads, { speedup: faster, cpuUtil: 0.2 }),
      silent: variant(threads, { speedup: faster, cpuUtil: 0.95 }),
    },
    {
      rule: 'waits-overlapped',
      // Serial waited 95% of its time: one wait at a time allows 1.05x at most, and 1.3x is beyond it; waiting 70%, 1.3x is not.
      fires: variant(threads, { speedup: faster, cpuUtil: 0.95, runningAtOnce: 1, serialCpuUtil: 0.05 }),
      silent: variant(threads, { speedup: faster, cpuUtil: 0.95, runningAtOnce: 1, serialCpuUtil: 0.3 }),
    },
    {
      rule: 'faster-unexplained',
      fires: variant(threads, { speedup: faster, cpuUtil: 0.95, runningAtOnce: 1 }),
      silent: variant(threads, { speedup: slower }),
    },
    {
      rule: 'gil-contention',
      fires: variant(threads, { ...slowThreads, runningAtOnce: 2, cpuUtil: 1.5 }),
      silent: variant(threads, { ...slowThreads, runningAtOnce: 2 }),
    },
    {
      rule: 'gil-turns',
      fires: variant(threads, slowThreads),
      silent: variant(threads, { ...slowThreads, workingThreads: 1 }),
    },
    {
      rule: 'one-after-another',
      fires: variant(threads, { ...slowThreads, workingThreads: 1, oneAfterAnother: true }),
      silent: variant(threads, { ...slowThreads, workingThreads: 1 }),
    },
    {
      rule: 'late-start',
      fires: variant(processes, { speedup: slower, startShare: 0.4 }),
      silent: variant(processes, { speedup: slower, startShare: 0.05 }),
    },
    {
      rule: 'one-thread',
      fires: variant(threads, { ...slowThreads, workingThreads: 1 }),
      silent: variant(threads, { ...slowThreads, workingThreads: undefined }),
    },
    {
      rule: 'slower-unexplained',
      fires: variant(processes, { speedup: slower, startShare: 0.05 }),
      silent: variant(processes, { speedup: noise }),
    },
    { rule: 'one-at-a-time', fires: starved, silent: variant(echo, {}, { server: unbound }) },
    {
      rule: 'generator-bound',
      fires: variant(echo, {}, { server: bound }),
      silent: variant(echo, {}, { server: unbound }),
    },
    {
      rule: 'server-noise',
      fires: variant(echo, { speedup: noise }, { server: unbound }),
      silent: variant(echo, { speedup: faster }, { server: unbound }),
    },
    {
      rule: 'server-differs',
      fires: variant(echo, { speedup: faster }, { server: unbound }),
      silent: variant(echo, { speedup: undefined }, { server: unbound }),
    },
    // One run has no interval; 3 runs a side cannot reach 95% (an unbounded one): no difference is claimed, whichever way.
    {
      rule: 'few-runs',
      fires: variant(processes, { speedup: { ...faster, low: NaN, high: NaN } }),
      silent: variant(processes, { speedup: faster }),
    },
  ];
  assert.deepEqual(cases.map((c) => c.rule).sort(), RULES.map((r) => r.id).sort(), 'every rule has its pair of cases');
  for (const { rule, fires, silent } of cases) {
    assert.equal(judgeEvidence(fires).rule, rule, `${rule} should fire`);
    assert.notEqual(judgeEvidence(silent).rule, rule, `${rule} should stay silent`);
  }
  // Without a shared GIL (a free-threaded build, subinterpreters) no GIL is blamed.
  for (const facts of [{ ...slowThreads, runningAtOnce: 2, cpuUtil: 1.5 }, slowThreads]) {
    assert.ok(
      !['gil-contention', 'gil-turns'].includes(judgeEvidence(variant(threads, { ...facts, oneGil: false })).rule),
    );
  }
  // A single-process server is "under one GIL" only on a GIL build: without one (3.13t, Node.js) only the CPU split is said.
  assert.match(
    judgeEvidence(variant(echo, { speedup: faster }, { server: unbound })).sentence,
    /one process under one GIL: user [\d.]+ \+ system/,
  );
  assert.doesNotMatch(
    judgeEvidence(variant(echo, { speedup: faster, oneGil: false }, { server: unbound })).sentence,
    /GIL/,
  );
  assert.equal(
    judgeEvidence(variant(threads, { speedup: { ...faster, low: 0, high: Infinity, runs: 3 } })).sentence,
    '1.50x serial (too few runs to tell, n = 3): no difference from serial is claimed.',
  );
  assert.equal(
    judgeEvidence(variant(echo, { speedup: { ...slower, low: NaN, high: NaN, runs: 1 } }, { server: unbound })).rule,
    'few-runs',
  );
  // Silent evidence means a more modest sentence, not a wrong one.
  assert.equal(
    judgeEvidence(variant(processes, { speedup: faster, runningAtOnce: undefined, cpuUtil: 1.8 })).rule,
    'faster-unexplained',
  );
});

test('docs/VERDICTS.md lists every rule as the code has it', () => {
  const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'VERDICTS.md'), 'utf8');
  assert.ok(docs.includes(rulesTable()), 'regenerate the table with rulesTable() (bench/analyse/verdicts/index.ts)');
});

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

test('beside a CPU hog, no causal sentence rests on a run measured under it: retried clean, or inconclusive', async () => {
  const hog = spawn(PYTHON, ['-c', 'while True: pass'], { stdio: 'ignore' });
  try {
    const out = tempDir();
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'run',
        '--workloads',
        'countdown',
        '--modes',
        'serial,threads,processes',
        '--workers',
        '2',
        '--param',
        'n=2000000',
        '--repeat',
        '3',
        '--warmup',
        '0',
        '--sample-interval',
        '20',
        '--out',
        out,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const runDir = join(out, readlinkSync(join(out, 'latest')));
    const results = readResults(join(runDir, 'results.json'));
    for (const r of results.runs.filter((r) => r.setAside)) assert.match(r.setAside!, /^busy machine/);
    // Busy as the report judges a cell: the median of its kept runs (one busy run among quiet ones does not make it so).
    const busyCells = new Set(
      summariseCells(results)
        .filter((s) => s.othersCpuPct > BUSY_OTHERS_PCT)
        .map((s) => s.cell.id),
    );
    const report = readFileSync(join(runDir, 'report.md'), 'utf8');
    for (const s of summariseCells(results).filter((s) => s.cell.mode !== 'serial')) {
      const line = report.split('\n').find((l) => new RegExp(`^- ${s.cell.mode}( \\(\\w+\\))? at W=2:`).test(l))!;
      const serial = results.plan.cells.find((c) => c.mode === 'serial')!.id;
      if (busyCells.has(s.cell.id) || busyCells.has(serial))
        assert.doesNotMatch(line, CAUSES, `${line} (a busy run was counted)`);
      if (busyCells.has(s.cell.id)) assert.match(line, /inconclusive/, line);
    }
    console.log(
      `# hog: ${results.runs.filter((r) => r.setAside).length} runs set aside, ${busyCells.size} cells kept busy runs`,
    );
  } finally {
    hog.kill('SIGKILL');
  }
  await new Promise((resolve) => hog.on('exit', resolve));
  assert.equal(alive(hog.pid!), false);
});

test('across interpreters, a step measured on a busy machine is not judged; measured quietly, it is', () => {
  const busy = readResults(join(FIXTURES, 'two-interpreters.json'));
  const lines = (results: typeof busy) =>
    versionComparisons(results, summariseCells(results))
      .map((c) => versionSection(c, []))
      .join('\n');
  assert.match(
    lines(busy),
    /\*\*threads\*\* vs serial: .*the biggest step, 3\.11\.7 → 3\.13\.0, is not judged: 3\.11\.7 and 3\.13\.0 ran on a busy machine/,
  );
  const quiet = readResults(join(FIXTURES, 'two-interpreters.json'));
  for (const run of quiet.runs) if (run.host) run.host.othersCpuPct = 10;
  assert.doesNotMatch(lines(quiet), /not judged/);
  assert.match(
    lines(quiet),
    /\*\*threads\*\* vs serial: .*(the biggest step is|no step between neighbouring versions)/,
  );
});
