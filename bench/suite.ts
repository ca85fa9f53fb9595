import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Interpreter } from './interpreters.ts';
import { loadAverage, type Machine } from './machine.ts';
import { schedule, type Plan, type ScheduledRun } from './plan.ts';
import { Progress } from './progress.ts';
import { pointLatest, SCHEMA, SCHEMA_VERSION, writeResults, type Results } from './results.ts';
import { runBatch } from './run.ts';
import type { Workload } from './workload.ts';

export interface SuiteRequest {
  plan: Plan;
  interpreters: Interpreter[];
  workloads: Workload[];
  machine: Machine;
  command: string[];
  /** the folder that holds one sub-folder per run, and the `latest` link */
  reportsDir: string;
}

export interface SuiteOutcome {
  results: Results;
  runDir: string;
  resultsPath: string;
  interrupted: boolean;
}

/**
 * Executes a plan in interleaved order, writing results.json after every run so that an
 * interruption at any moment leaves a valid file. SIGINT/SIGTERM stop the current run's tree
 * and end the suite early, marked partial.
 */
export async function runSuite(request: SuiteRequest): Promise<SuiteOutcome> {
  const runDir = newRunDir(request.reportsDir, request.plan.profile);
  const resultsPath = join(runDir, 'results.json');
  const results: Results = {
    schema: SCHEMA,
    version: SCHEMA_VERSION,
    runId: runDir.split('/').at(-1)!,
    status: 'running',
    startedAt: new Date().toISOString(),
    command: request.command,
    machine: request.machine,
    loadBefore: loadAverage(),
    interpreters: request.interpreters,
    plan: request.plan,
    runs: [],
  };
  writeResults(resultsPath, results);
  pointLatest(request.reportsDir, runDir);

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const runs = [...schedule(request.plan)];
    const progress = new Progress(runs, request.plan.warmup, request.plan.repeats);
    for (const run of runs) {
      if (abort.signal.aborted) break;
      progress.started(run);
      const outcome = await runBatch({ ...commandFor(run, request), signal: abort.signal });
      if (abort.signal.aborted) break; // a run cut short by Ctrl+C measured nothing
      results.runs.push({ cellId: run.cell.id, round: run.round, warmup: run.warmup, ...outcome });
      writeResults(resultsPath, results);
      progress.finished(run, outcome.processWallS, outcome.error);
    }
    progress.end();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  results.status = abort.signal.aborted ? 'partial' : 'complete';
  results.finishedAt = new Date().toISOString();
  results.loadAfter = loadAverage();
  writeResults(resultsPath, results);
  return { results, runDir, resultsPath, interrupted: abort.signal.aborted };
}

function commandFor(run: ScheduledRun, request: SuiteRequest) {
  const { cell } = run;
  const workload = request.workloads.find((w) => w.name === cell.workload)!;
  const interpreter = request.interpreters.find((i) => i.id === cell.interpreter)!;
  const params = Object.entries(cell.params).flatMap(([name, value]) => [`--${name}`, String(value)]);
  return {
    executable: interpreter.executable,
    args: [workload.programPath, '--mode', cell.mode, '--workers', String(cell.workers), ...params],
    timeoutS: cell.timeoutS,
    sampleIntervalMs: request.plan.sampleIntervalMs,
  };
}

function newRunDir(reportsDir: string, profile: string): string {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
  let dir = join(reportsDir, `${stamp}-${profile}`);
  for (let n = 2; existsSync(dir); n++) dir = join(reportsDir, `${stamp}-${profile}-${n}`);
  return dir;
}
