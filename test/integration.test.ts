import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { summariseCells } from '../bench/analyse/summary.ts';
import { listTree, readCommand } from '../bench/execute/proc.ts';
import { measurementOf } from '../bench/store/records.ts';
import { readResults } from '../bench/store/results.ts';
import { alive, tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', CLI, ...args]] as const;

test('a real countdown run: tree facts per mode, a valid results file, a report with every cell', () => {
  const out = tempDir();
  const args = [
    'run',
    '--workloads',
    'countdown',
    '--profile',
    'quick',
    '--workers',
    '1,4',
    '--repeat',
    '2',
    '--warmup',
    '0',
    '--param',
    'n=4000000',
    '--sample-interval',
    '50',
    '--out',
    out,
  ];
  const result = spawnSync(...node(args), { encoding: 'utf8', timeout: 180_000 });
  assert.equal(result.status, 0, result.stderr);

  const runDir = join(out, readlinkSync(join(out, 'latest')));
  const results = readResults(join(runDir, 'results.json'));
  assert.equal(results.status, 'complete');
  assert.equal(results.plan.cells.length, 4 * 2);
  assert.equal(
    results.runs.filter((run) => !run.setAside).length,
    results.plan.cells.length * 2,
    'runs set aside on a busy machine were made again',
  );
  assert.ok(
    results.runs.every((run) => run.ok),
    'every run succeeded',
  );
  assert.ok(results.machine.logicalCores >= 1 && results.loadAfter);
  // Before each of the 2 rounds, the probe timed count(n) 3 times on the run's interpreter.
  assert.equal(results.speedProbe?.interpreter, results.interpreters[0]!.id);
  assert.equal(results.speedProbe.seconds.length, 2 * 3);
  assert.ok(
    results.speedProbe.seconds.every((s) => s > 0 && s < 10),
    `count(n) timings: ${results.speedProbe.seconds}`,
  );

  const byId = new Map(summariseCells(results).map((s) => [s.cell.id, s]));
  const cell = (mode: string, w: number) => byId.get(`countdown/${mode}/w${w}/${results.interpreters[0]!.id}`)!;
  for (const s of byId.values()) assert.ok(s.peakRssKiB > 0, `${s.cell.id} RSS`);

  const threads = cell('threads', 4);
  assert.equal(threads.maxPids, 1, 'threads mode runs in one process');
  assert.ok(threads.maxThreads >= 5, `threads mode: main + 4 threads, saw ${threads.maxThreads}`);
  assert.ok(threads.peakCpuPct < 150, `the GIL keeps threads near one core, saw ${threads.peakCpuPct}%`);

  const processes = cell('processes', 4);
  assert.ok(processes.maxPids >= 5, `processes mode: parent + 4 children, saw ${processes.maxPids}`);
  // Running or runnable (R) at one moment: parallel however busy the machine is, which CPU util is not.
  const running = processes.typical!.timeline.samples.map(
    (sample) => sample.processes.filter((p) => p.state === 'R').length,
  );
  assert.ok(
    Math.max(...running) >= 2,
    `processes run at the same time: processes running per sample ${running.join('')}`,
  );

  const measurement = measurementOf(results.runs.find((r) => r.cellId === processes.cell.id)!);
  assert.equal(new Set(measurement.tasks.map((t) => t.pid)).size, 4, 'each task ran in a process of its own');

  const report = readFileSync(join(runDir, 'report.md'), 'utf8');
  for (const s of byId.values()) {
    // A processes row names its start method: "processes (fork)".
    const mode = s.startMethod ? `${s.cell.mode} (${s.startMethod})` : s.cell.mode;
    assert.ok(
      report.includes(`| ${mode} | ${s.cell.workers} | ${s.primary.median.toFixed(3)} |`),
      `report row for ${s.cell.id}`,
    );
  }
  assert.match(report, /threads at W=4: .*x serial/);
  assert.match(
    report,
    /Python speed during the run: count\(200,000\) on cpython-[\d.]+t?, timed 3 times before every round, took [\d.]+ ms \(median\), [\d.]+–[\d.]+ ms, CV \d+% over 6 timings/,
  );
  for (const chart of ['wall-bars', 'cpu-timeline', 'rss-bars']) {
    const png = join(runDir, `countdown-${results.interpreters[0]!.id}-${chart}.png`);
    assert.ok(readFileSync(png).subarray(1, 4).toString() === 'PNG', `${chart} chart is a PNG`);
  }

  // Re-rendering from results alone gives the same report.
  const again = tempDir();
  const rerun = spawnSync(...node(['report', join(runDir, 'results.json'), '--out', again]), { encoding: 'utf8' });
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.equal(readFileSync(join(again, 'report.md'), 'utf8'), report);
});

test('Ctrl+C stops every child within 2 s and leaves a valid partial results file', async () => {
  const out = tempDir();
  const child = spawn(
    ...node([
      'run',
      '--workloads',
      'countdown',
      '--profile',
      'quick',
      '--modes',
      'processes,threads',
      '--workers',
      '4',
      '--param',
      'n=300000000',
      '--out',
      out,
    ]),
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // Wait until the workload's processes are up: harness -> countdown.py -> 4 workers.
  const workers = () => listTree(child.pid!).filter((pid) => readCommand(pid).includes('countdown.py'));
  let tree: number[] = [];
  for (let i = 0; i < 300 && tree.length < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    tree = workers();
  }
  assert.ok(tree.length >= 5, `the run started its workers: ${tree.length} processes`);

  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  assert.ok(Date.now() - interruptedAt < 2000, 'the harness stopped within 2 s');
  assert.equal(code, 130, stderr);
  for (const pid of tree) assert.equal(alive(pid), false, `pid ${pid} was left behind`);

  // Stopped in its first run, nothing was written yet: latest was not pointed at it.
  const resultsPath = join(out, readdirSync(out).find((name) => name !== 'latest')!, 'results.json');
  assert.ok(existsSync(resultsPath));
  const results = readResults(resultsPath);
  assert.equal(results.status, 'partial');
  assert.match(stderr, /interrupted.*gilbench report .*results\.json/s);
});
