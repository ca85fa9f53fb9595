/**
 * That a results file agrees with itself. The schema checks each field's shape; a file edited by
 * hand, damaged, or written by a buggy tool can have every field well shaped and still contradict
 * itself: a cell of a workload the plan does not describe, a run of a server workload recorded as a
 * batch run, a wall time longer than its process lived. Every reader goes through here (parseResults),
 * so the report, compare, merge, the CI gate, figures and history can rely on what it checks
 * instead of guarding against it one renderer at a time.
 */
import { fail } from '../core/errors.ts';
import type { Interpreter } from '../define/interpreters.ts';
import type { Machine } from '../define/machine.ts';
import { type Cell, cellId, type Plan, type WorkloadInfo } from '../define/plan.ts';
import type { RunRecord } from './records.ts';

/** What the checks read of a results file (results.ts, which calls them, holds the whole of it). */
interface Results {
  machine: Machine;
  interpreters: Interpreter[];
  plan: Plan;
  runs: RunRecord[];
  speedProbe?: { seconds: number[] };
  sources?: unknown[];
}

/** What the checks look things up in: the plan's workloads, interpreters and cells by name. */
interface Index {
  workloads: Map<string, WorkloadInfo>;
  interpreters: Set<string>;
  cells: Map<string, Cell>;
}

/** One contradiction, as "<field path>: <what contradicts what>", or undefined. */
type Check = (results: Results, index: Index) => string | undefined;

/** Refuses a file that contradicts itself, with one sentence naming the field and the contradiction. */
export function checkConsistency(results: Results, source: string): void {
  const index: Index = {
    workloads: new Map(results.plan.workloads.map((w) => [w.name, w])),
    interpreters: new Set(results.interpreters.map((i) => i.id)),
    cells: new Map(results.plan.cells.map((c) => [c.id, c])),
  };
  for (const check of CHECKS) {
    const contradiction = check(results, index);
    if (contradiction) fail(`"${source}" is inconsistent: ${contradiction}.`);
  }
}

/** Names that identify things: each once, or the runs, cells and sizes that name them are ambiguous. */
function uniqueNames(results: Results): string | undefined {
  return (
    twice(
      results.interpreters.map((i) => i.id),
      (i, id) => `interpreters.${i}.id: interpreter "${id}" is listed twice`,
    ) ??
    twice(
      results.plan.workloads.map((w) => w.name),
      (i, name) => `plan.workloads.${i}.name: workload "${name}" is described twice`,
    ) ??
    twice(
      results.plan.cells.map((c) => c.id),
      (i, id) => `plan.cells.${i}.id: the plan holds cell "${id}" twice; its runs cannot be told apart`,
    )
  );
}

function twice(names: string[], say: (index: number, name: string) => string): string | undefined {
  const seen = new Set<string>();
  const index = names.findIndex((name) => {
    if (seen.has(name)) return true;
    seen.add(name);
    return false;
  });
  return index < 0 ? undefined : say(index, names[index]!);
}

/** A plan plans something: every run of gilbench has at least one cell (an empty plan is refused before it runs). */
function somethingPlanned(results: Results): string | undefined {
  return results.plan.cells.length === 0
    ? 'plan.cells: the plan holds no cell, and every run plans at least one'
    : undefined;
}

/** Each cell names a workload the plan describes and an interpreter the file lists, and its id is built from what it is. */
function cellsAgree(results: Results, index: Index): string | undefined {
  for (const [i, cell] of results.plan.cells.entries()) {
    const at = `plan.cells.${i}`;
    if (!index.workloads.has(cell.workload)) return notAWorkload(`${at}.workload`, cell.workload, index);
    if (!index.interpreters.has(cell.interpreter))
      return notAnInterpreter(`${at}.interpreter`, cell.interpreter, index);
    const swept = Object.entries(cell.sweep).find(([name, value]) => cell.params[name] !== value);
    if (swept)
      return `${at}.sweep.${swept[0]}: ${swept[1]}, but the cell's params say ${cell.params[swept[0]] ?? 'nothing'}`;
    if (cell.id !== cellId(cell))
      return `${at}.id: "${cell.id}" is not the id of the cell's workload, mode, workers, sweep and interpreter ("${cellId(cell)}")`;
  }
  return undefined;
}

/** A reference to a workload the plan does not describe, and the ones it does. */
function notAWorkload(field: string, name: string, index: Index): string {
  return `${field}: "${name}" is not a workload of plan.workloads (${listed(index.workloads.keys())})`;
}

/** A reference to an interpreter the file does not list, and the ones it does. */
function notAnInterpreter(field: string, id: string, index: Index): string {
  return `${field}: "${id}" is not one of interpreters (${listed(index.interpreters)})`;
}

function listed(names: Iterable<string>): string {
  const all = [...names];
  return all.length ? all.map((name) => `"${name}"`).join(', ') : 'there are none';
}

/** A workload shown beside another names another workload, and, when that one ran, one of its kind. */
function besideAgrees(results: Results, index: Index): string | undefined {
  for (const [i, info] of results.plan.workloads.entries()) {
    if (info.beside === undefined) continue;
    if (info.beside === info.name) return `plan.workloads.${i}.beside: workload "${info.name}" is shown beside itself`;
    const partner = index.workloads.get(info.beside);
    if (partner && partner.kind !== info.kind)
      return `plan.workloads.${i}.beside: ${info.kind} workload "${info.name}" is shown beside ${partner.kind} workload "${partner.name}"`;
  }
  return undefined;
}

/** Skipped cells are of workloads and interpreters the file knows. */
function skipsAgree(results: Results, index: Index): string | undefined {
  for (const [i, skip] of results.plan.skipped.entries()) {
    if (!index.workloads.has(skip.workload)) return notAWorkload(`plan.skipped.${i}.workload`, skip.workload, index);
    if (!index.interpreters.has(skip.interpreter))
      return notAnInterpreter(`plan.skipped.${i}.interpreter`, skip.interpreter, index);
  }
  return undefined;
}

/** A size is of a workload and interpreters the file knows, and its cells ran at it (unless they swept it). */
function sizesAgree(results: Results, index: Index): string | undefined {
  for (const [i, size] of results.plan.sizes.entries()) {
    const at = `plan.sizes.${i}`;
    if (!index.workloads.has(size.workload)) return notAWorkload(`${at}.workload`, size.workload, index);
    const unknown = size.interpreters.findIndex((id) => !index.interpreters.has(id));
    if (unknown >= 0) return notAnInterpreter(`${at}.interpreters.${unknown}`, size.interpreters[unknown]!, index);
    const cell = results.plan.cells.find(
      (c) =>
        c.workload === size.workload &&
        size.interpreters.includes(c.interpreter) &&
        !(size.param in c.sweep) &&
        c.params[size.param] !== size.value,
    );
    if (cell)
      return `${at}.value: ${size.param} = ${size.value}, but cell "${cell.id}" ran with ${size.param} = ${cell.params[size.param] ?? 'nothing'}`;
  }
  return undefined;
}

/** Each run is of a cell of the plan, recorded as its workload's kind of run. */
function runsAgree(results: Results, index: Index): string | undefined {
  for (const [i, run] of results.runs.entries()) {
    const cell = index.cells.get(run.cellId);
    if (!cell) return `runs.${i}.cellId: runs of cell "${run.cellId}", which its plan does not hold`;
    const kind = index.workloads.get(cell.workload)!.kind;
    if (run.kind !== kind)
      return `runs.${i}.kind: a ${run.kind} run of cell "${cell.id}", whose workload ${cell.workload} is a ${kind} workload`;
    const outcome = outcomeAgrees(run);
    if (outcome) return `runs.${i}.${outcome}`;
  }
  return undefined;
}

/** A run that failed says why; one that succeeded does not, and holds what was measured. */
function outcomeAgrees(run: RunRecord): string | undefined {
  if (!run.ok) return run.error === undefined ? 'error: a run that failed, without why' : undefined;
  if (run.error !== undefined) return `error: "${run.error.slice(0, 60)}", of a run that succeeded (ok)`;
  if (run.kind === 'batch' && !run.measurement)
    return 'measurement: a batch run that succeeded, without what its program measured';
  if (run.kind === 'server' && !(run.load && run.server))
    return `${run.load ? 'server' : 'load'}: a server run that succeeded, without what ${run.load ? 'its server did' : 'the load generator measured'}`;
  return undefined;
}

/**
 * Rounds: a cell counts at most one run per round (a run set aside on a busy machine is made
 * again in its round, and only the new one counts). In a file of one run, not a merge (whose
 * rounds follow each other file by file), warm-up runs are in the warm-up rounds, measured ones
 * after them, and no run is beyond the rounds the plan made room for: the planned ones, and with
 * --repeat auto at most maxRepeats more.
 */
function roundsAgree(results: Results, index: Index): string | undefined {
  const counted = new Set<string>();
  const lastPlanned = Math.max(...results.plan.cells.map((c) => c.warmup + c.repeats)) - 1;
  for (const [i, run] of results.runs.entries()) {
    const cell = index.cells.get(run.cellId)!;
    if (!results.sources) {
      const wrong = roundOutsidePlan(
        run,
        cell,
        results.plan.autoRepeat ? lastPlanned + results.plan.autoRepeat.maxRepeats : cell.warmup + cell.repeats - 1,
      );
      if (wrong) return `runs.${i}.round: ${wrong}`;
    }
    if (run.warmup || run.setAside) continue;
    const key = `${run.cellId}\0${run.round}`;
    if (counted.has(key)) return `runs.${i}.round: cell "${cell.id}" already has a counted run in round ${run.round}`;
    counted.add(key);
  }
  return undefined;
}

function roundOutsidePlan(run: RunRecord, cell: Cell, last: number): string | undefined {
  const rounds = `cell "${cell.id}" plans ${cell.warmup} warm-up and ${cell.repeats} measured rounds`;
  if (run.warmup && run.round >= cell.warmup) return `a warm-up run in round ${run.round}, but ${rounds}`;
  if (!run.warmup && run.round < cell.warmup) return `a measured run in warm-up round ${run.round} (${rounds})`;
  if (run.round > last) return `round ${run.round}, beyond the last round there was room for (${last}): ${rounds}`;
  return undefined;
}

/**
 * Every number of a results file is a duration, a count, a size or a share measured on a real
 * machine: never negative, and never beyond 2^53, where whole numbers stop being exact (sums and
 * means of such numbers stay finite). What a program printed of its own (its parameters, its
 * Python, its tasks' return values) is its business; a parameter may be negative in a workload
 * of one's own, and a fixture's own measurement of what it added may be below zero.
 */
const FREE_FORM = [
  'runs.*.measurement.params',
  'runs.*.measurement.python',
  'runs.*.measurement.tasks.*.result',
  'runs.*.server.done.params',
  'runs.*.server.done.python',
];
const SIGNED = ['plan.cells.*.params.*', 'plan.cells.*.sweep.*', 'plan.sizes.*.value', 'runs.*.fixtureFacts.*'];
const LARGEST = 2 ** 53;

function numbersInRange(results: Results): string | undefined {
  // A results file holds millions of numbers: the path of one is spelled out only when it is wrong.
  const path: (string | number)[] = [];
  const visit = (value: unknown): string | undefined => {
    if (typeof value === 'number') return outOfRange(value, path);
    if (value === null || typeof value !== 'object') return undefined;
    // only a path ending in a free-form part's last key is spelled out to be looked up
    if (FREE_FORM_KEYS.has(String(path.at(-1))) && FREE_FORM.includes(fieldOf(path))) return undefined;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : Object.entries(value);
    for (const [key, item] of entries) {
      path.push(key);
      const wrong = visit(item);
      path.pop();
      if (wrong) return wrong;
    }
    return undefined;
  };
  return visit(results);
}

function outOfRange(value: number, path: (string | number)[]): string | undefined {
  if (Math.abs(value) > LARGEST) return `${path.join('.')}: ${value} is beyond any duration, count or size (2^53)`;
  if (value < 0 && !SIGNED.includes(fieldOf(path)))
    return `${path.join('.')}: ${value} is negative, which no duration, count or size is`;
  return undefined;
}

/** The last keys a free-form part can end in: other objects are not looked up at all. */
const FREE_FORM_KEYS = new Set(FREE_FORM.map((field) => field.split('.').at(-1)!));

/** "runs.*.processWallS" of runs.3.processWallS. */
function fieldOf(path: (string | number)[]): string {
  return path.map((key) => (typeof key === 'number' ? '*' : key)).join('.');
}

/** Quantities that cannot be zero: a machine has a core, a program's work and a load's window take time, a probe's loop too. */
function positiveQuantities(results: Results): string | undefined {
  const { logicalCores, physicalCores } = results.machine;
  if (!Number.isInteger(logicalCores) || logicalCores < 1)
    return `machine.logicalCores: ${logicalCores}, but a machine has a whole number of cores, at least one`;
  if (!Number.isInteger(physicalCores))
    return `machine.physicalCores: ${physicalCores}, but a machine has a whole number of cores`;
  const probe = results.speedProbe?.seconds.findIndex((s) => s <= 0) ?? -1;
  if (probe >= 0)
    return `speedProbe.seconds.${probe}: ${results.speedProbe!.seconds[probe]} s, but timing a loop takes time`;
  for (const [i, run] of results.runs.entries()) {
    if (run.kind === 'batch' && run.measurement && run.measurement.wall_s <= 0)
      return `runs.${i}.measurement.wall_s: ${run.measurement.wall_s} s, but a program's work takes time`;
    if (run.kind === 'server' && run.load && run.load.windowS <= 0)
      return `runs.${i}.load.windowS: ${run.load.windowS} s, but a load's window takes time`;
  }
  return undefined;
}

/**
 * How long past its timeout a run may have lived. Stopping a run's tree takes a second or so
 * (SIGTERM, a grace of half a second, SIGKILL), but the time is measured on a wall clock, and a
 * machine can stall every process for minutes (a VM paused, memory being reclaimed: this one once
 * stopped for several): a tight bound would refuse a file gilbench wrote itself. An hour past the
 * timeout is beyond any stall seen, and still refuses a wall time no run had (days, a typo's 1e6 s).
 */
const STOP_SLACK_S = 3600;

/** Within one run, what happened inside something else lasted no longer than it, and percentiles go up. */
function runsInOrder(results: Results, index: Index): string | undefined {
  for (const [i, run] of results.runs.entries()) {
    const wrong = runInOrder(run, index.cells.get(run.cellId)!);
    if (wrong) return `runs.${i}.${wrong}`;
  }
  return undefined;
}

function runInOrder(run: RunRecord, cell: Cell): string | undefined {
  if (run.processWallS > cell.timeoutS + STOP_SLACK_S)
    return `processWallS: ${run.processWallS} s, but cell "${cell.id}" stops a run after ${cell.timeoutS} s`;
  const samples = run.timeline.samples;
  const late = samples.findIndex((s, j) => s.t > run.processWallS + 1 || (j > 0 && s.t < samples[j - 1]!.t));
  if (late >= 0)
    return `timeline.samples.${late}.t: ${samples[late]!.t} s, out of order or after the run ended (${run.processWallS} s)`;
  const { meanCpuPct, peakCpuPct } = run.timeline.summary;
  // a mean of equal samples can come out a rounding above them: (0.1 + 0.1 + 0.1) / 3 > 0.1
  if (meanCpuPct > peakCpuPct * (1 + 1e-9))
    return `timeline.summary.meanCpuPct: ${meanCpuPct}%, above its peak (${peakCpuPct}%)`;
  return run.kind === 'batch' ? batchInOrder(run) : serverInOrder(run);
}

/** How far a task's end may be timed after its program's wall time ends: they are read from one clock, one after the other. */
const CLOCK_SLACK_S = 0.001;

/** A program's wall time lies within its process's life, and holds its tasks, each ending after it started. */
function batchInOrder(run: Extract<RunRecord, { kind: 'batch' }>): string | undefined {
  const m = run.measurement;
  if (!m) return undefined;
  if (m.wall_s > run.processWallS)
    return `measurement.wall_s: ${m.wall_s} s, longer than the process that measured it lived (${run.processWallS} s)`;
  if (m.tasks.length === 0) return 'measurement.tasks: none, but a program does one task or more';
  const backwards = m.tasks.findIndex((t) => t.end_s < t.start_s);
  if (backwards >= 0)
    return `measurement.tasks.${backwards}.end_s: ${m.tasks[backwards]!.end_s} s, before the task started (${m.tasks[backwards]!.start_s} s)`;
  const late = m.tasks.findIndex((t) => t.end_s > m.wall_s + CLOCK_SLACK_S);
  return late < 0
    ? undefined
    : `measurement.tasks.${late}.end_s: ${m.tasks[late]!.end_s} s, after the program's own wall time ended (${m.wall_s} s)`;
}

const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
/**
 * A percentile is read off a histogram bucket kept to 3 significant digits (both load engines), the
 * max exactly: a real run's p999 can lie up to one bucket, 0.1%, above its max (41.255 against 41.232 ms).
 */
const BUCKET = 1e-3;

function serverInOrder(run: Extract<RunRecord, { kind: 'server' }>): string | undefined {
  const load = run.load;
  if (!load) return undefined;
  if (load.windowS > run.processWallS)
    return `load.windowS: ${load.windowS} s, longer than the server it measured lived (${run.processWallS} s)`;
  if (load.placement && !load.placement.pinned && load.placement.why === undefined)
    return 'load.placement.why: the server and the load generator shared CPUs, and it does not say why';
  for (const name of ['latencyMs', 'serviceMs'] as const) {
    const latency = load[name];
    if (!latency) continue;
    const k = PERCENTILES.findIndex((p, k) => k > 0 && latency[p] < latency[PERCENTILES[k - 1]!] * (1 - BUCKET));
    if (k > 0)
      return `load.${name}.${PERCENTILES[k]}: ${latency[PERCENTILES[k]]} ms, below its ${PERCENTILES[k - 1]} (${latency[PERCENTILES[k - 1]!]} ms)`;
  }
  return undefined;
}

/** In order: names before the references to them, references before the numbers read through them. */
const CHECKS: Check[] = [
  uniqueNames,
  somethingPlanned,
  cellsAgree,
  besideAgrees,
  skipsAgree,
  sizesAgree,
  runsAgree,
  roundsAgree,
  numbersInRange,
  positiveQuantities,
  runsInOrder,
];
