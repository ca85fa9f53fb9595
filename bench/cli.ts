import { parseArgs, type ParseArgsConfig } from 'node:util';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail, UsageError } from './errors.ts';
import { resolveInterpreters } from './interpreters.ts';
import { describeMachine } from './machine.ts';
import { buildPlan, totalRuns } from './plan.ts';
import { formatDuration } from './progress.ts';
import { writeReport } from './report/index.ts';
import { readResults } from './results.ts';
import { runSuite } from './suite.ts';
import { loadWorkloads, pickWorkloads, PROFILES, type Profile, type Workload } from './workload.ts';

const MAIN_HELP = `gilbench: see how Python's concurrency models behave on this machine.

Usage:
  gilbench run [options]      run a benchmark suite and write reports/<run-id>/{results.json,report.md,*.png}
  gilbench report FILE        re-render report.md and the charts from a results.json, without running anything
  gilbench help [COMMAND]     show help

Run "gilbench run --help" for the run options.`;

const RUN_HELP = `Usage: gilbench run [options]

Runs every cell (workload x mode x workers x interpreter) after warm-up, R times, in
interleaved rounds, sampling each run's process tree like top; then writes the report.

Options:
  --workloads LIST      workloads to run (default: all of them: {{workloads}})
  --modes LIST          modes to run (default: every mode of each workload), e.g. serial,threads
  --workers LIST        worker counts W (default: the profile's), e.g. 1,2,4
  --repeat N            measured rounds per cell (default: the profile's)
  --warmup N            warm-up rounds, not counted (default: the profile's)
  --python LIST         interpreters: names on PATH or paths (default: python3); may be repeated
  --profile NAME        quick | default | full: sizes, workers and repeats (default: default)
  --param NAME=VALUE    override a workload parameter, e.g. --param n=50000000; may be repeated
  --sample-interval MS  how often the process tree is sampled (default: 100; 0 turns sampling off)
  --timeout S           kill a single run after S seconds (default: the workload's, per profile)
  --out DIR             where run folders and the "latest" link go (default: reports)
  -h, --help            show this help

Examples:
  gilbench run --profile quick
  gilbench run --workers 2 --python python3.11,python3.13 --repeat 10`;

const REPORT_HELP = `Usage: gilbench report FILE [--out DIR]

Renders report.md and the charts from a results.json alone (also a partial one).
  --out DIR     where to write them (default: the folder that holds FILE)
  -h, --help    show this help`;

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]!.replace(/\.$/, '')}; see --help.`);
  }
}

function list(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function positiveInts(flag: string, values: string[] | undefined, allowZero = false): number[] | undefined {
  return list(values)?.map((text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || (!allowZero && value === 0)) {
      fail(`${flag} takes ${allowZero ? 'whole numbers' : 'positive whole numbers'}, e.g. ${flag} ${allowZero ? '0' : '4'}; got "${text}".`);
    }
    return value;
  });
}

function single(flag: string, value: string | undefined, allowZero = false): number | undefined {
  return positiveInts(flag, value === undefined ? undefined : [value], allowZero)?.[0];
}

function parseParams(values: string[] | undefined, workloads: Workload[]): Record<string, number> {
  const known = new Set(workloads.flatMap((w) => Object.keys(w.params)));
  return Object.fromEntries(
    (values ?? []).map((text) => {
      const match = /^([a-z_][a-z0-9_]*)=(-?[\d_.e]+)$/i.exec(text);
      const value = match ? Number(match[2]!.replaceAll('_', '')) : NaN;
      if (!match || !Number.isFinite(value)) fail(`--param takes NAME=NUMBER, e.g. --param n=1000000; got "${text}".`);
      if (!known.has(match[1]!)) fail(`No chosen workload has a parameter "${match[1]}"; known: ${[...known].join(', ')}.`);
      return [match[1]!, value];
    }),
  );
}

async function runCommand(args: string[]): Promise<number> {
  const all = await loadWorkloads();
  const { values } = parse(args, {
    workloads: { type: 'string', multiple: true },
    modes: { type: 'string', multiple: true },
    workers: { type: 'string', multiple: true },
    repeat: { type: 'string' },
    warmup: { type: 'string' },
    python: { type: 'string', multiple: true },
    profile: { type: 'string', default: 'default' },
    param: { type: 'string', multiple: true },
    'sample-interval': { type: 'string', default: '100' },
    timeout: { type: 'string' },
    out: { type: 'string', default: 'reports' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(RUN_HELP.replace('{{workloads}}', [...all.keys()].join(', ')));
    return 0;
  }
  const profile = values.profile as Profile;
  if (!PROFILES.includes(profile)) fail(`--profile must be one of ${PROFILES.join(', ')}; got "${values.profile}".`);
  const workloads = pickWorkloads(all, list(values.workloads) ?? [...all.keys()]);
  const params = parseParams(values.param, workloads);
  const repeats = single('--repeat', values.repeat);
  const warmup = single('--warmup', values.warmup, true);
  const sampleIntervalMs = single('--sample-interval', values['sample-interval'], true)!;
  const timeoutS = single('--timeout', values.timeout);
  const workers = positiveInts('--workers', values.workers);
  const modes = list(values.modes);

  const interpreters = await resolveInterpreters(list(values.python) ?? ['python3']);
  const plan = buildPlan({ workloads, interpreters, profile, modes, workers, repeats, warmup, sampleIntervalMs, params, timeoutS });

  console.error(
    `gilbench: ${plan.cells.length} cells, ${totalRuns(plan)} runs (warm-up included) on ` +
      interpreters.map((i) => `${i.id} (${i.executable})`).join(', '),
  );
  const machine = await describeMachine();
  const started = performance.now();
  const outcome = await runSuite({ plan, interpreters, workloads, machine, command: ['gilbench', 'run', ...args], reportsDir: resolve(values.out) });
  const shown = relative(process.cwd(), outcome.resultsPath);
  if (outcome.interrupted) {
    console.error(
      `gilbench: interrupted after ${outcome.results.runs.length} runs; every child was stopped. ` +
        `${shown} holds what was measured (marked partial); render it with: gilbench report ${shown}`,
    );
    return 130;
  }
  const report = writeReport(outcome.results, outcome.runDir);
  const failed = outcome.results.runs.filter((r) => !r.ok).length;
  console.error(
    `gilbench: done in ${formatDuration((performance.now() - started) / 1000)}; ${failed ? `${failed} runs FAILED (see the report); ` : ''}` +
      `report: ${relative(process.cwd(), report)}`,
  );
  return 0;
}

function reportCommand(args: string[]): number {
  const { values, positionals } = parse(args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) fail('gilbench report takes exactly one results.json file; see --help.');
  const file = positionals[0]!;
  const results = readResults(file);
  const path = writeReport(results, resolve(values.out ?? dirname(file)));
  console.error(`gilbench: report: ${relative(process.cwd(), path)}${results.status === 'complete' ? '' : ` (from ${results.status} results)`}`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'report':
        return reportCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(rest[0] === 'run' ? RUN_HELP : rest[0] === 'report' ? REPORT_HELP : MAIN_HELP);
        return 0;
      default:
        fail(`Unknown command "${command}"; the commands are run, report and help.`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`gilbench: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
