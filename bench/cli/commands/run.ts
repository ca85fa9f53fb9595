import { relative, resolve } from 'node:path';
import { BUSY_EXIT, BUSY_HELP, BUSY_POLICIES, type BusyPolicy } from '../../core/busy.ts';
import { fail, writing } from '../../core/errors.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import { describeMachine } from '../../define/machine.ts';
import { type Plan, type PlanRequest, totalRuns } from '../../define/plan.ts';
import { interpretersForRun } from '../../define/runtimes.ts';
import {
  checkTask,
  parseTask,
  parseTaskParams,
  type TaskSpec,
  taskSizeGiven,
  taskWorkload,
} from '../../define/task.ts';
import {
  loadWorkloads,
  PROFILE_TARGETS,
  PROFILES,
  type Profile,
  pickWorkloads,
  type Workload,
} from '../../define/workload.ts';
import { plannedWithSizes } from '../../execute/calibrate.ts';
import { chooseInterpreters, type Discovery } from '../../execute/discover.ts';
import { stillRunning } from '../../execute/kill.ts';
import { PIN_CHOICES, type Pin } from '../../execute/loadgen/placement.ts';
import { formatDuration } from '../../execute/progress.ts';
import { runSuite, type SuiteOutcome } from '../../execute/suite.ts';
import { EXPORT_HELP, EXPORT_OPTIONS, exportTargets, writeExports } from '../../present/export/index.ts';
import { writeReport } from '../../present/report/index.ts';
import { helpText, interpreterNames, list, number, parse, wholeNumber, wholeNumbers, writableDir } from './args.ts';

/** --repeat auto starts from enough rounds for an interval with real coverage, and stops somewhere. */
const AUTO_MIN_REPEATS = 5;
const AUTO_MAX_REPEATS = 50;

/**
 * The largest value of each count and duration, checked before anything runs: beyond them a Node
 * timer (at most 2^31-1 ms) would fire at once, or a run could not hold its own record.
 */
const MOST = {
  workers: 100_000,
  repeat: 1_000,
  warmup: 100,
  sampleIntervalMs: 60_000,
  timeoutS: 86_400,
  budgetS: 86_400,
} as const;

export const RUN_HELP = `Usage: gilbench run [options]

Runs every cell (workload x mode x workers x interpreter) after warm-up, R times, in
interleaved rounds, sampling each run's process tree like top; then writes the report.

Options:
  --task FILE:FUNC      your own code: FUNC(i, **params) of FILE is one task, run W times in every
                        mode (an optional setup(**params) in FILE runs once per worker, untimed);
                        may be repeated. Without --workloads, only the tasks run
  --task-size NAME      the --task's keyword argument that sets how much work one task does, in
                        proportion (e.g. n): calibrated on each interpreter so that one serial task
                        takes the profile's time, unless --task-param NAME=N gives it
  --task-param NAME=VALUE
                        a keyword argument for every --task's FUNC and setup (a number, or else a
                        string), e.g. --task-param n=100000; may be repeated
  --workloads LIST      workloads to run (default: all of them: {{workloads}})
  --modes LIST          modes to run (default: every mode of each workload), e.g. serial,threads
  --workers LIST        worker counts W, at most 100000 (default: the profile's), e.g. 1,2,4
  --repeat N|auto       measured rounds per cell, at most 1000 (default: the profile's). auto: after at least
                        5 rounds, keep adding rounds to the cells whose median's 95% interval is
                        wider than ±--target % until all are narrow or --budget seconds are spent
  --target PCT          with --repeat auto: the interval to reach (default: 2)
  --budget S            with --repeat auto: the most time spent on extra rounds, at most 86400
                        (default: 300)
  --warmup N            warm-up rounds, not counted, at most 100 (default: the profile's)
  --python LIST         interpreters: names on PATH or paths (default: python3), or LABEL=PATH, e.g.
                        base=.venv-a/bin/python,head=.venv-b/bin/python: a labelled interpreter
                        is named by its label and never merged with another; "all" runs every
                        Python found on PATH, under pyenv and uv (see "gilbench doctor"); may be
                        repeated. A cell an interpreter cannot run (e.g. subinterpreters before
                        3.12, anything but the countdown on 2.7) is skipped, and the report says why
  --gil LIST            on free-threaded builds (3.13t+): run each with PYTHON_GIL=0 and/or =1,
                        e.g. --gil 0,1 (default: the build's own default); other builds ignore it
  --profile NAME        quick | default | full: sizes, workers and repeats (default: default). A
                        sized workload's task (the countdown's n) is calibrated on each interpreter
                        before the first round so that one serial task takes the profile's time:
${helpText(
  `${Object.entries(PROFILE_TARGETS)
    .map(([name, t]) => `${name} ${t.taskS} s`)
    .join(', ')}; a size given with --param is used as given`,
)}
  --param [WORKLOAD:]NAME=VALUE[,VALUE…]
                        override a workload parameter, e.g. --param n=50000000, or for one
                        workload only, e.g. --param countdown@head:n=5500000; several values
                        sweep it, e.g. --param connections=1,10,100; may be repeated. Each
                        parameter has a smallest and a largest value (e.g. delay_ms at most 60000)
  --busy retry|keep|fail
${helpText(BUSY_HELP)}
  --sample-interval MS  how often the process tree is sampled, at most 60000 (default: the profile's,
${helpText(
  `${Object.entries(PROFILE_TARGETS)
    .map(([name, t]) => `${name} ${t.sampleIntervalMs}`)
    .join(', ')}; 0 turns sampling off)`,
)}
  --timeout S           kill a single run after S seconds, at most 86400 (default: the workload's,
                        per profile)
  --pin auto|off        servers: run the server and the load generator on disjoint CPUs when the
                        machine has 4 or more (auto, the default), or let them share (off)
  --out DIR             where run folders and the "latest" link go, checked before anything runs
                        (default: reports)
  --workloads-dir DIR[=LABEL]
                        load workloads from DIR instead of workloads/ (yours, anywhere: what a
                        workload's program receives and prints is docs/WORKLOADS.md); may be repeated. With
                        labels, two revisions run interleaved in one run (countdown@base,
                        countdown@head) for "gilbench compare --base-label base --cand-label head"
${EXPORT_HELP}
  -h, --help            show this help

Exit codes: 0 every run succeeded, 1 some runs failed (the report says why), 2 bad input,
3 results or report could not be written (disk full, read-only: what was written is kept, marked
partial), ${BUSY_EXIT} stopped by --busy fail, 130 interrupted (results.json is kept, marked partial).

Examples:
  gilbench run --profile quick
  gilbench run --workers 2 --python python3.11,python3.13 --repeat 10
  gilbench run --workloads countdown --workers 2 --python all
  gilbench run --task tasks.py:work --task-param n=100000 --workers 1,2`;

/**
 * --param NAME=VALUE sets a parameter for every chosen workload that has it; --param
 * WORKLOAD:NAME=VALUE for one workload only (e.g. one side of an A/B run: countdown@head:n=…);
 * NAME=A,B,C sweeps it (one cell per value). Returns the values per workload name.
 */
function parseParams(values: string[] | undefined, workloads: Workload[]): Record<string, Record<string, number[]>> {
  const perWorkload: Record<string, Record<string, number[]>> = Object.fromEntries(workloads.map((w) => [w.name, {}]));
  for (const text of values ?? []) {
    const match = /^(?:([^:=\s]+):)?([a-z_][a-z0-9_]*)=(-?[\d_.]+(?:e-?\d+)?(?:,-?[\d_.]+(?:e-?\d+)?)*)$/i.exec(text);
    const numbers = match ? match[3]!.split(',').map((v) => Number(v.replaceAll('_', ''))) : [NaN];
    if (!match || !numbers.every(Number.isFinite))
      fail(`--param takes [WORKLOAD:]NAME=NUMBER[,NUMBER…], e.g. --param n=1000000; got "${text}".`);
    const [, scope, name] = match as unknown as [string, string | undefined, string];
    if (scope !== undefined && !(scope in perWorkload)) fail(`--param ${text}: "${scope}" is not a chosen workload.`);
    const targets = workloads.filter((w) => (scope === undefined || w.name === scope) && name in w.params);
    if (targets.length === 0) {
      const known = [...new Set(workloads.flatMap((w) => Object.keys(w.params)))];
      fail(`No chosen workload has a parameter "${name}"; known: ${known.join(', ')}.`);
    }
    for (const workload of targets) {
      const spec = workload.params[name]!;
      for (const value of numbers) {
        if (value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
          fail(
            `--param ${name} takes ${spec.integer ? 'whole numbers' : 'numbers'} from ${spec.min} to ${spec.max}; got "${match[3]}".`,
          );
        }
      }
      perWorkload[workload.name]![name] = [...new Set(numbers)];
    }
  }
  return perWorkload;
}

/** The workloads of every --workloads-dir (DIR or DIR=LABEL), or of workloads/. */
async function workloadsFrom(dirs: string[] | undefined): Promise<Map<string, Workload>> {
  if (!dirs?.length) return loadWorkloads();
  const all = new Map<string, Workload>();
  for (const spec of dirs) {
    const [dir, label] = spec.split('=', 2);
    for (const [name, workload] of await loadWorkloads(resolve(dir!), label)) {
      if (all.has(name)) fail(`Workload "${name}" is loaded twice; give each --workloads-dir its own =LABEL.`);
      all.set(name, workload);
    }
  }
  return all;
}

function describeDiscovery({ found, unusable }: Discovery): string {
  const lines = [`gilbench: --python all found ${found.length} interpreters: ${found.map((i) => i.id).join(', ')}`];
  for (const candidate of unusable) lines.push(`  not used: ${candidate.reason}`);
  return lines.join('\n');
}

const RUN_OPTIONS = {
  workloads: { type: 'string', multiple: true },
  modes: { type: 'string', multiple: true },
  workers: { type: 'string', multiple: true },
  repeat: { type: 'string' },
  target: { type: 'string', default: '2' },
  budget: { type: 'string', default: '300' },
  warmup: { type: 'string' },
  python: { type: 'string', multiple: true },
  gil: { type: 'string', multiple: true },
  profile: { type: 'string', default: 'default' },
  param: { type: 'string', multiple: true },
  'sample-interval': { type: 'string' },
  timeout: { type: 'string' },
  pin: { type: 'string', default: 'auto' },
  out: { type: 'string', default: 'reports' },
  'workloads-dir': { type: 'string', multiple: true },
  task: { type: 'string', multiple: true },
  'task-param': { type: 'string', multiple: true },
  'task-size': { type: 'string' },
  busy: { type: 'string', default: 'retry' },
  ...EXPORT_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

type RunValues = ReturnType<typeof parse<typeof RUN_OPTIONS>>['values'];

export async function runCommand(args: string[]): Promise<number> {
  const flags = await runFlags(args);
  if ('help' in flags) {
    console.log(flags.help);
    return 0;
  }
  const { values, python, workloads, tasks, gil, params, options } = flags;
  const { interpreters: pythons, discovery, merged } = await chooseInterpreters(python, gil);
  for (const task of tasks) checkTask(task, pythons[0]!.executable);
  const interpreters = interpretersForRun(workloads, pythons);
  if (gil.length && !interpreters.some((i) => i.freeThreadedBuild))
    console.error('gilbench: --gil ignored: none of the chosen interpreters is a free-threaded build.');
  const plan = await plannedWithSizes({ workloads, interpreters, params, ...options }, (line) =>
    console.error(`gilbench: ${line}`),
  );
  if (discovery) console.error(describeDiscovery(discovery));
  for (const names of merged) console.error(`gilbench: merged: ${names.join(', ')} (one interpreter)`);
  console.error(describePlan(plan, interpreters));
  const machine = await describeMachine();
  const started = performance.now();
  const pin = values.pin as Pin;
  const outcome = await runSuite({
    plan,
    interpreters,
    workloads,
    machine,
    command: ['gilbench', 'run', ...args],
    reportsDir: flags.reportsDir,
    pin,
  });
  return finish(outcome, values, started);
}

/**
 * Every flag of run, checked against its bounds before an interpreter is probed or anything runs:
 * a mistake costs one sentence, not a wait. Only what needs an interpreter (--python, whether a
 * --task's file defines its function) is left for later.
 */
export async function runFlags(args: string[]) {
  const { values } = parse(args, RUN_OPTIONS);
  const all = await workloadsFrom(values['workloads-dir']);
  if (values.help) return { help: RUN_HELP.replace('{{workloads}}', [...all.keys()].join(', ')) };
  const reportsDir = writableDir('--out', values.out);
  const { workloads, tasks, sizesGiven } = chooseWorkloads(values, all);
  const gil = gilSettings(values.gil);
  const params = { ...parseParams(values.param, workloads), ...sizesGiven };
  return {
    values,
    reportsDir,
    python: interpreterNames(values.python, 'python3'),
    workloads,
    tasks,
    gil,
    params,
    options: planOptions(values),
  };
}

/** The workloads named (every one, without --workloads or --task) and the --task ones, each once. */
function chooseWorkloads(
  values: RunValues,
  all: Map<string, Workload>,
): { workloads: Workload[]; tasks: TaskSpec[]; sizesGiven: Record<string, Record<string, number[]>> } {
  const tasks = (values.task ?? []).map(parseTask);
  const taskParams = parseTaskParams(values['task-param']);
  if (values['task-param'] && !tasks.length) fail('--task-param needs a --task.');
  const named = list(values.workloads) ?? (tasks.length ? [] : [...all.keys()]);
  const size = values['task-size'];
  if (size !== undefined && (!tasks.length || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(size)))
    fail(
      `--task-size takes the name of a --task's keyword argument; got "${size}"${tasks.length ? '' : ' without a --task'}.`,
    );
  const workloads = [...pickWorkloads(all, named), ...tasks.map((task) => taskWorkload(task, taskParams, size))];
  const twice = workloads.find((w, i) => workloads.findIndex((other) => other.name === w.name) !== i);
  if (twice) fail(`Workload "${twice.name}" is chosen twice; give each --task a file name or function of its own.`);
  const given = taskSizeGiven(size, taskParams);
  const sizesGiven = Object.fromEntries(
    given ? workloads.filter((w) => w.size === size && w.programArgs).map((w) => [w.name, { [size!]: given }]) : [],
  );
  return { workloads, tasks, sizesGiven };
}

/** --gil: the PYTHON_GIL values to run free-threaded builds with. */
function gilSettings(values: string[] | undefined): string[] {
  const gil = list(values) ?? [];
  const bad = gil.find((value) => value !== '0' && value !== '1');
  if (bad !== undefined) fail(`--gil takes 0, 1 or 0,1 (PYTHON_GIL's values); got "${bad}".`);
  return gil;
}

/** Every choice of the plan the flags make, each checked against its bounds. */
function planOptions(values: RunValues): Omit<PlanRequest, 'workloads' | 'interpreters' | 'params'> {
  const profile = values.profile as Profile;
  if (!PROFILES.includes(profile)) fail(`--profile must be one of ${PROFILES.join(', ')}; got "${values.profile}".`);
  if (!PIN_CHOICES.includes(values.pin as Pin))
    fail(`--pin must be one of ${PIN_CHOICES.join(', ')}; got "${values.pin}".`);
  const busy = values.busy as BusyPolicy;
  if (!BUSY_POLICIES.includes(busy)) fail(`--busy must be one of ${BUSY_POLICIES.join(', ')}; got "${values.busy}".`);
  const auto = values.repeat === 'auto';
  return {
    profile,
    busy,
    modes: list(values.modes),
    workers: wholeNumbers('--workers', values.workers, 1, MOST.workers),
    repeats: auto ? AUTO_MIN_REPEATS : wholeNumber('--repeat', values.repeat, 1, MOST.repeat),
    autoRepeat: auto
      ? {
          targetPct: number('--target', values.target, 0.01, 100)!,
          budgetS: number('--budget', values.budget, 1, MOST.budgetS)!,
          maxRepeats: AUTO_MAX_REPEATS,
        }
      : undefined,
    warmup: wholeNumber('--warmup', values.warmup, 0, MOST.warmup),
    sampleIntervalMs:
      wholeNumber('--sample-interval', values['sample-interval'], 0, MOST.sampleIntervalMs) ??
      PROFILE_TARGETS[profile].sampleIntervalMs,
    timeoutS: wholeNumber('--timeout', values.timeout, 1, MOST.timeoutS),
  };
}

function describePlan(plan: Plan, interpreters: Interpreter[]): string {
  const skipped = plan.skipped.map((s) => `${s.workload}${s.mode ? `/${s.mode}` : ''} on ${s.interpreter}`);
  return (
    `gilbench: ${plan.cells.length} cells, ${totalRuns(plan)} runs (warm-up included) on ` +
    interpreters.map((i) => `${i.id} (${i.executable})`).join(', ') +
    (skipped.length ? `; skipped, the report says why: ${skipped.join(', ')}` : '')
  );
}

/** The suite has ended: say how, write the report and exports of a finished one, and choose the exit code. */
function finish(outcome: SuiteOutcome, values: RunValues, started: number): number {
  const shown = relative(process.cwd(), outcome.resultsPath);
  const kept = `${shown} holds what was measured (marked partial); render it with: gilbench report ${shown}`;
  if (outcome.interrupted) {
    const left = stillRunning();
    const stopped = left.length
      ? `${left.length} processes could not be stopped (PIDs ${left.join(', ')}). `
      : 'every child was stopped. ';
    console.error(`gilbench: interrupted after ${outcome.results.runs.length} runs; ${stopped}${kept}`);
    return 130;
  }
  if (outcome.busyStop) {
    console.error(`gilbench: stopped (--busy fail): ${outcome.busyStop}. ${kept}`);
    return BUSY_EXIT;
  }
  const report = writing(`the report in ${outcome.runDir}`, () => writeReport(outcome.results, outcome.runDir));
  writing('the exports', () => writeExports(outcome.results, exportTargets(values)));
  const failed = outcome.results.runs.filter((r) => !r.ok && !r.warmup).length;
  console.error(
    `gilbench: done in ${formatDuration((performance.now() - started) / 1000)}; ${failed ? `${failed} runs FAILED (see the report); ` : ''}` +
      `report: ${relative(process.cwd(), report)}`,
  );
  // A failed cell is reported, and the run went on; but a CI job must not go green on it.
  return failed ? 1 : 0;
}
