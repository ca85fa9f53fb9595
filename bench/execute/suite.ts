import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUSY_PAUSE_MS, BusyRetries } from '../core/busy.ts';
import { WriteError } from '../core/errors.ts';
import { PRIMARY } from '../core/metrics.ts';
import { median, medianInterval } from '../core/stats.ts';
import type { Interpreter } from '../define/interpreters.ts';
import { loadAverage, type Machine, PROBE_N } from '../define/machine.ts';
import { type AutoRepeat, type Cell, type Plan, type ScheduledRun, schedule, totalRuns } from '../define/plan.ts';
import type { Workload } from '../define/workload.ts';
import { JOURNAL_FILE, Journal, journalBeside, markPartialInPlace } from '../store/journal.ts';
import { type RunRecord, runValue } from '../store/records.ts';
import { pointLatest, type Results, SCHEMA, SCHEMA_VERSION, writeResults } from '../store/results.ts';
import { runBatch } from './batch.ts';
import { FIXTURES, type Fixture } from './fixtures/index.ts';
import { onInterrupt } from './interrupt.ts';
import type { Pin } from './loadgen/placement.ts';
import { notRun, programCommand, type RunOutcome } from './outcome.ts';
import { Progress } from './progress.ts';
import { runServer } from './server.ts';
import { timeCount } from './speed-probe.ts';

export interface SuiteRequest {
  plan: Plan;
  interpreters: Interpreter[];
  workloads: Workload[];
  machine: Machine;
  command: string[];
  /** the folder that holds one sub-folder per run, and the `latest` link */
  reportsDir: string;
  /** write into exactly this folder instead of a new dated one under reportsDir (no `latest` link) */
  runDir?: string;
  /** servers: the server and the load generator on CPUs of their own when there are enough */
  pin?: Pin;
}

export interface SuiteOutcome {
  results: Results;
  runDir: string;
  resultsPath: string;
  interrupted: boolean;
  /** --busy fail stopped the suite: why */
  busyStop?: string;
}

/**
 * Executes a plan in interleaved order, appending each run to a journal beside results.json so
 * that an interruption at any moment leaves a valid folder (see store/journal.ts). SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT or the end of the job that started the harness stop the current run's tree and
 * end the suite early, marked partial.
 */
export async function runSuite(request: SuiteRequest): Promise<SuiteOutcome> {
  const runDir = request.runDir ?? newRunDir(request.reportsDir, request.plan.profile);
  const resultsPath = join(runDir, 'results.json');
  const results = header(request, runDir);
  // From the first write on, Ctrl+C must end with a valid file marked partial; a second one at once.
  const abort = new AbortController();
  const stopListening = onInterrupt(
    () => abort.abort(),
    () => writeResults(resultsPath, { ...results, status: 'partial' }),
  );
  writeResults(resultsPath, results);
  const journal = Journal.create(journalBeside(resultsPath));
  const fixtures = await startFixtures(request.plan);
  const execution = new Execution({ request, results, journal, fixtures, abort, runDir });
  let writeFailed: WriteError | undefined;
  try {
    await execution.planned();
    await execution.autoRepeat();
    execution.progress.end();
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    writeFailed = error; // the suite stops: what it could not write is said below
  } finally {
    stopListening();
    await Promise.all([...fixtures.values()].map((f) => (f instanceof Error ? undefined : f.close())));
  }
  results.status = abort.signal.aborted || writeFailed ? 'partial' : 'complete';
  results.finishedAt = new Date().toISOString();
  results.loadAfter = loadAverage();
  foldJournal(resultsPath, results, journal, writeFailed);
  const { busy } = execution;
  return { results, runDir, resultsPath, interrupted: abort.signal.aborted && !busy.stopped, busyStop: busy.reason };
}

/** results.json as it is first written: the plan, the machine, no runs yet. */
function header(request: SuiteRequest, runDir: string): Results {
  return {
    schema: SCHEMA,
    version: SCHEMA_VERSION,
    runId: request.runDir ? `${timestamp()}-${basename(runDir)}` : basename(runDir),
    status: 'running',
    startedAt: new Date().toISOString(),
    command: request.command,
    machine: request.machine,
    loadBefore: loadAverage(),
    interpreters: request.interpreters,
    plan: request.plan,
    runs: [],
  };
}

/** What one suite's runs are made into and with. */
interface Context {
  request: SuiteRequest;
  results: Results;
  journal: Journal;
  fixtures: Fixtures;
  abort: AbortController;
  runDir: string;
}

/** One suite's runs being made: each run measured, recorded, and made again while the machine is busy. */
class Execution {
  readonly busy: BusyRetries;
  readonly progress: Progress;
  private readonly context: Context;
  private readonly signal: AbortSignal;

  constructor(context: Context) {
    this.context = context;
    this.signal = context.abort.signal;
    this.busy = new BusyRetries(context.request.plan.busy, totalRuns(context.request.plan));
    this.progress = new Progress([...schedule(context.request.plan)]);
  }

  planned(): Promise<void> {
    return this.execute([...schedule(this.context.request.plan)]);
  }

  /** --repeat auto: one more interleaved round of the cells whose interval is still too wide, until none is or the budget is spent. */
  async autoRepeat(): Promise<void> {
    const auto = this.context.request.plan.autoRepeat;
    const started = performance.now();
    for (let round = maxRound(this.context.results) + 1; auto && !this.signal.aborted; round++) {
      const wide = this.context.request.plan.cells.filter((cell) => !narrowEnough(this.context.results, cell, auto));
      if (wide.length === 0 || (performance.now() - started) / 1000 > auto.budgetS) return;
      const extra = wide.map((cell) => ({ cell, round, warmup: false }));
      this.progress.extend(extra);
      await this.execute(extra);
    }
  }

  /** Runs in order: the speed probe before each round, and the journal synced at each round's end. */
  private async execute(runs: ScheduledRun[]): Promise<void> {
    for (const [index, run] of runs.entries()) {
      if (runs[index - 1]?.round !== run.round && !this.signal.aborted)
        await probeSpeed(this.context.results, this.context.request.interpreters);
      await this.measure(run);
      if (this.signal.aborted) return;
      // At the end of a round, what was measured so far is made to survive a crash.
      if (runs[index + 1]?.round !== run.round) this.context.journal.sync();
    }
  }

  /** One run, made again after a pause for as long as the busy policy sets it aside. */
  private async measure(run: ScheduledRun): Promise<void> {
    for (;;) {
      if (this.signal.aborted) return;
      this.progress.started(run);
      // Unguessable, so that no other local process can count itself into a run's requests.
      const outcome = await runOne(run, randomUUID(), this.context.request, this.context.fixtures, this.signal);
      if (this.signal.aborted) return; // a run cut short by Ctrl+C measured nothing
      const setAside = run.warmup ? undefined : this.busy.setAside(outcome.host);
      this.record({
        cellId: run.cell.id,
        round: run.round,
        warmup: run.warmup,
        ...outcome,
        ...(setAside && { setAside }),
      });
      this.progress.finished(run, outcome.processWallS, outcome.error, setAside);
      if (this.busy.stopped) return this.context.abort.abort();
      if (!setAside) return;
      this.progress.extend([run]);
      await sleep(BUSY_PAUSE_MS, undefined, { signal: this.signal }).catch(() => undefined);
    }
  }

  private record(record: RunRecord): void {
    this.context.results.runs.push(record);
    this.context.journal.append(record);
    if (this.context.journal.count === 1 && !this.context.request.runDir)
      pointLatest(this.context.request.reportsDir, this.context.runDir);
  }
}

/**
 * Times the probe loop before a round on the first CPython of the run (a JIT's timings of one
 * short loop say how far it has warmed, not how steady the machine is); a probe that fails adds nothing.
 */
async function probeSpeed(results: Results, interpreters: Interpreter[]): Promise<void> {
  const interpreter = interpreters.find((i) => i.implementation === 'CPython') ?? interpreters[0];
  if (!interpreter) return;
  const seconds = await timeCount(interpreter.executable, interpreter.env);
  results.speedProbe ??= { interpreter: interpreter.id, n: PROBE_N, seconds: [] };
  results.speedProbe.seconds.push(...seconds);
}

type Fixtures = Map<string, Fixture | Error>;

/**
 * Writes the whole results.json and drops the journal. When that fails too, results.json keeps
 * its header, marked partial in place, and the journal beside it keeps every run it received.
 * After any write failure the suite ends with a WriteError that says what is kept where.
 */
function foldJournal(resultsPath: string, results: Results, journal: Journal, failed?: WriteError): void {
  const render = `render them with: gilbench report ${resultsPath}`;
  try {
    writeResults(resultsPath, results);
    journal.close(true);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    journal.close(false);
    const marked = markPartialInPlace(resultsPath) ? 'marked partial' : 'still marked running';
    const lost = results.runs.length - journal.count;
    throw new WriteError(
      `${(failed ?? error).message}; ${journal.count} runs are kept in ${resultsPath} and ${JOURNAL_FILE} beside it (${marked})` +
        `${lost ? `, ${lost} measured could not be written` : ''}; ${render}`,
    );
  }
  if (failed)
    throw new WriteError(
      `${failed.message}; the ${results.runs.length} runs measured are kept in ${resultsPath} (marked partial); ${render}`,
    );
}

function maxRound(results: Results): number {
  return results.runs.reduce((max, run) => Math.max(max, run.round), 0);
}

/** A cell is done when the median of its primary metric has an interval within ±target, or it has run as often as allowed. */
export function narrowEnough(results: Results, cell: Cell, auto: AutoRepeat): boolean {
  const runs = results.runs.filter((run) => run.cellId === cell.id && !run.warmup && !run.setAside);
  if (runs.length >= auto.maxRepeats) return true;
  if (runs.some((run) => !run.ok)) return true; // a failing cell will not converge by repeating it
  const values = runs.map((run) => runValue(run, PRIMARY[run.kind])!);
  const { low, high } = medianInterval(values);
  return (high - low) / 2 / median(values) <= auto.targetPct / 100;
}

/** Starts each fixture the plan's workloads need; one that cannot start fails only its cells. */
async function startFixtures(plan: Plan): Promise<Fixtures> {
  const names = [...new Set(plan.workloads.flatMap((w) => (w.fixture ? [w.fixture] : [])))];
  const started = await Promise.all(names.map((name) => FIXTURES[name]().catch((error: Error) => error)));
  return new Map(names.map((name, i) => [name, started[i]!]));
}

/** One run: pointed at its fixture if it has one, and failed if the fixture finds it incomplete. */
async function runOne(
  run: ScheduledRun,
  token: string,
  request: SuiteRequest,
  fixtures: Fixtures,
  signal: AbortSignal,
): Promise<RunOutcome> {
  const { cell } = run;
  const workload = request.workloads.find((w) => w.name === cell.workload)!;
  const fixture = workload.fixture ? fixtures.get(workload.fixture) : undefined;
  if (fixture instanceof Error)
    return { kind: workload.server ? 'server' : 'batch', ...notRun(fixture.message, request.plan.sampleIntervalMs) };
  const interpreter = request.interpreters.find((i) => i.id === cell.interpreter)!;
  const program = programCommand(workload, interpreter, cell);
  const command = {
    ...program,
    args: [...program.args, ...(fixture?.argsFor(token, cell.params) ?? [])],
    timeoutS: cell.timeoutS,
    sampleIntervalMs: request.plan.sampleIntervalMs,
    signal,
  };
  const outcome = workload.server
    ? await runServer({ ...command, load: workload.server.load(cell.params, cell.mode), pin: request.pin })
    : await runBatch(command);
  // Fixtures serve batch programs (a server workload is the server itself).
  if (!outcome.ok || !fixture || outcome.kind !== 'batch') return outcome;
  const { incomplete, facts } = await fixture.verify(token, cell.params, outcome.measurement!);
  return { ...outcome, ok: !incomplete, error: incomplete, fixtureFacts: facts };
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[:T]/g, '-');
}

function newRunDir(reportsDir: string, profile: string): string {
  const stamp = timestamp();
  let dir = join(reportsDir, `${stamp}-${profile}`);
  for (let n = 2; existsSync(dir); n++) dir = join(reportsDir, `${stamp}-${profile}-${n}`);
  return dir;
}
