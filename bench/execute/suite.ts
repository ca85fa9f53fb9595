import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { WriteError } from '../core/errors.ts';
import { Journal, JOURNAL_FILE, journalBeside, markPartialInPlace } from '../store/journal.ts';
import type { Interpreter } from '../define/interpreters.ts';
import { loadAverage, type Machine } from '../define/machine.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { schedule, totalRuns, type AutoRepeat, type BusyPolicy, type Cell, type Plan, type ScheduledRun } from '../define/plan.ts';
import { BUSY_OTHERS_PCT, busyMachine } from '../analyse/summary.ts';
import { median, medianInterval } from '../core/stats.ts';
import { Progress } from './progress.ts';
import { pointLatest, SCHEMA, SCHEMA_VERSION, writeResults, type Results } from '../store/results.ts';
import { FIXTURES, type Fixture } from './fixtures/index.ts';
import { onInterrupt } from './interrupt.ts';
import { notRun, runBatch, type RunOutcome } from './batch.ts';
import { PRIMARY, valueOf } from '../core/metrics.ts';
import type { Pin } from './loadgen/placement.ts';
import { runServer } from './server.ts';
import { PROBE_N, timeCount } from './speed-probe.ts';
import type { Workload } from '../define/workload.ts';

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
 * that an interruption at any moment leaves a valid folder (see journal.ts). SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT or the end of the job that started the harness stop the current run's tree and end the
 * suite early, marked partial.
 */
export async function runSuite(request: SuiteRequest): Promise<SuiteOutcome> {
  const runDir = request.runDir ?? newRunDir(request.reportsDir, request.plan.profile);
  const resultsPath = join(runDir, 'results.json');
  const results: Results = {
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
  // From the first write on, Ctrl+C must end with a valid file marked partial; a second one at once.
  const abort = new AbortController();
  const stopListening = onInterrupt(
    () => abort.abort(),
    () => writeResults(resultsPath, { ...results, status: 'partial' }),
  );
  writeResults(resultsPath, results);
  const journal = Journal.create(journalBeside(resultsPath));
  const fixtures = await startFixtures(request.plan);
  const busy = new BusyRetries(request.plan.busy, totalRuns(request.plan));
  let writeFailed: WriteError | undefined;
  try {
    const planned = [...schedule(request.plan)];
    const progress = new Progress([...planned]);
    const execute = async (runs: ScheduledRun[]) => {
      for (const [index, run] of runs.entries()) {
        if (runs[index - 1]?.round !== run.round && !abort.signal.aborted) await probeSpeed(results, request.interpreters[0]);
        for (;;) {
          if (abort.signal.aborted) return;
          progress.started(run);
          // Unguessable, so that no other local process can count itself into a run's requests.
          const outcome = await runOne(run, randomUUID(), request, fixtures, abort.signal);
          if (abort.signal.aborted) return; // a run cut short by Ctrl+C measured nothing
          const setAside = run.warmup ? undefined : busy.setAside(outcome.host);
          const record = { cellId: run.cell.id, round: run.round, warmup: run.warmup, ...outcome, ...(setAside && { setAside }) };
          results.runs.push(record);
          journal.append(record);
          if (journal.count === 1 && !request.runDir) pointLatest(request.reportsDir, runDir);
          progress.finished(run, outcome.processWallS, outcome.error, setAside);
          if (busy.stopped) return abort.abort();
          if (!setAside) break;
          progress.extend([run]);
          await sleep(BUSY_PAUSE_MS, undefined, { signal: abort.signal }).catch(() => undefined);
        }
        // At the end of a round, what was measured so far is made to survive a crash.
        if (runs[index + 1]?.round !== run.round) journal.sync();
      }
    };
    await execute(planned);
    const auto = request.plan.autoRepeat;
    const started = performance.now();
    // --repeat auto: one more interleaved round of the cells whose interval is still too wide.
    for (let round = maxRound(results) + 1; auto && !abort.signal.aborted; round++) {
      const wide = request.plan.cells.filter((cell) => !narrowEnough(results, cell, auto));
      if (wide.length === 0 || (performance.now() - started) / 1000 > auto.budgetS) break;
      const extra = wide.map((cell) => ({ cell, round, warmup: false }));
      progress.extend(extra);
      await execute(extra);
    }
    progress.end();
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
  return { results, runDir, resultsPath, interrupted: abort.signal.aborted && !busy.stopped, busyStop: busy.reason };
}

/** Times the probe loop on the first interpreter before a round; a probe that fails adds nothing. */
async function probeSpeed(results: Results, interpreter: Interpreter | undefined): Promise<void> {
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
  if (failed) throw new WriteError(`${failed.message}; the ${results.runs.length} runs measured are kept in ${resultsPath} (marked partial); ${render}`);
}

/** How long to wait for the machine to quieten before making a busy run again. */
const BUSY_PAUSE_MS = 1000;
/** --busy retry makes at most this share of the planned runs again. */
const RETRY_SHARE = 0.5;

/** Decides, run by run, whether a run measured on a busy machine is set aside (and made again), kept, or stops the suite. */
class BusyRetries {
  private left: number;
  private readonly policy: BusyPolicy;
  /** why the suite stopped (--busy fail) */
  reason?: string;

  constructor(policy: BusyPolicy, plannedRuns: number) {
    this.policy = policy;
    this.left = Math.ceil(plannedRuns * RETRY_SHARE);
  }

  get stopped(): boolean {
    return this.reason !== undefined;
  }

  /** The reason to set this run aside, or undefined to count it. */
  setAside(host: RunOutcome['host']): string | undefined {
    const why = busyBecause(host);
    if (!why || this.policy === 'keep') return undefined;
    if (this.policy === 'fail') {
      this.reason = why;
      return why;
    }
    if (this.left === 0) return undefined; // the budget is spent: counted, and the cell says it was busy
    this.left--;
    return why;
  }
}

function busyBecause(host: RunOutcome['host']): string | undefined {
  if (!host || !busyMachine(host)) return undefined;
  return host.othersCpuPct > BUSY_OTHERS_PCT ? `busy machine: others used ${Math.round(host.othersCpuPct)}% of a core` : `busy machine: CPU steal ${host.stealPct.toFixed(1)}%`;
}

function maxRound(results: Results): number {
  return results.runs.reduce((max, run) => Math.max(max, run.round), 0);
}

/** A cell is done when the median of its primary metric has an interval within ±target, or it has run as often as allowed. */
export function narrowEnough(results: Results, cell: Cell, auto: AutoRepeat): boolean {
  const runs = results.runs.filter((run) => run.cellId === cell.id && !run.warmup && !run.setAside);
  if (runs.length >= auto.maxRepeats) return true;
  if (runs.some((run) => !run.ok)) return true; // a failing cell will not converge by repeating it
  const values = runs.map((run) => valueOf(run, PRIMARY[run.kind])!);
  const { low, high } = medianInterval(values);
  return (high - low) / 2 / median(values) <= auto.targetPct / 100;
}

/** Starts each fixture the plan's workloads need; one that cannot start fails only its cells. */
async function startFixtures(plan: Plan): Promise<Fixtures> {
  const names = [...new Set(plan.workloads.flatMap((w) => (w.fixture ? [w.fixture] : [])))];
  const started = await Promise.all(names.map((name) => FIXTURES[name]!.start().catch((error: Error) => error)));
  return new Map(names.map((name, i) => [name, started[i]!]));
}

/** One run: pointed at its fixture if it has one, and failed if the fixture finds it incomplete. */
async function runOne(run: ScheduledRun, token: string, request: SuiteRequest, fixtures: Fixtures, signal: AbortSignal): Promise<RunOutcome> {
  const { cell } = run;
  const workload = request.workloads.find((w) => w.name === cell.workload)!;
  const fixture = workload.fixture ? fixtures.get(workload.fixture) : undefined;
  if (fixture instanceof Error) return { kind: workload.server ? 'server' : 'batch', ...notRun(fixture.message, request.plan.sampleIntervalMs) };
  const interpreter = request.interpreters.find((i) => i.id === cell.interpreter)!;
  const programParams = Object.entries(cell.params).filter(([name]) => !workload.server || workload.server.programParams.includes(name));
  const command = {
    executable: interpreter.executable,
    env: interpreter.env,
    args: [
      workload.programPath,
      ...(workload.programArgs ?? []),
      ...['--mode', cell.mode, '--workers', String(cell.workers)],
      ...programParams.flatMap(([name, value]) => [`--${name}`, String(value)]),
      ...(fixture?.argsFor(token, cell.params) ?? []),
    ],
    timeoutS: cell.timeoutS,
    sampleIntervalMs: request.plan.sampleIntervalMs,
    signal,
  };
  const outcome = workload.server ? await runServer({ ...command, load: workload.server.load(cell.params, cell.mode), pin: request.pin }) : await runBatch(command);
  // Fixtures serve batch programs (a server workload is the server itself).
  if (!outcome.ok || !fixture || outcome.kind !== 'batch') return outcome;
  const { incomplete, facts } = await fixture.verify(token, cell.params, outcome.measurement!);
  return { ...outcome, ok: !incomplete, error: incomplete, fixtureFacts: facts };
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
}

function newRunDir(reportsDir: string, profile: string): string {
  const stamp = timestamp();
  let dir = join(reportsDir, `${stamp}-${profile}`);
  for (let n = 2; existsSync(dir); n++) dir = join(reportsDir, `${stamp}-${profile}-${n}`);
  return dir;
}
