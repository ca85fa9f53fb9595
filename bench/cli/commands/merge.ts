import { fail } from '../../core/errors.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import { type Cell, calibratedApart, cellId, type Size, sizeOf } from '../../define/plan.ts';
import { type Results, readResults, writeResults } from '../../store/results.ts';
import { parse } from './args.ts';

export const MERGE_HELP = `Usage: gilbench merge OUT.json IN.json IN.json...

Merges results files from several jobs or machines (a CI matrix over Python versions and OSes)
into one, which "gilbench report" renders as one report and "gilbench compare" reads like any
other. Every input's machine is kept under "sources".

Files from different machines stay apart: an interpreter measured on two hosts becomes two
(cpython-3.11.7@runner-a, cpython-3.11.7@runner-b). On one machine, the runs of a cell that two
files share are added together (more rounds), as pyperf does — but only when the cell ran the same
workload parameters on the same interpreter in both; otherwise merge refuses, naming the cell and
what differs. Files of an older results schema are read as the current one (said on stderr); a
field this gilbench does not know is refused, never dropped.
  -h, --help    show this help`;

/** An interpreter, as far as it decides what was measured: the same executable, version and settings. */
function sameInterpreter(a: Interpreter, b: Interpreter): string | undefined {
  const fields = ['realpath', 'version', 'implementation', 'gilEnabled', 'freeThreadedBuild'] as const;
  const differs = fields.find((field) => a[field] !== b[field]);
  if (differs) return `interpreter ${a.id}: ${differs} is ${a[differs]} in one and ${b[differs]} in the other`;
  return JSON.stringify(a.env) === JSON.stringify(b.env)
    ? undefined
    : `interpreter ${a.id}: its environment differs (${JSON.stringify(a.env)} vs ${JSON.stringify(b.env)})`;
}

/** What must match for two files' runs of one cell to count as one cell's runs. */
function sameCell(a: Cell, b: Cell): string | undefined {
  const names = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])];
  const param = names.find((name) => a.params[name] !== b.params[name]);
  return param === undefined
    ? undefined
    : `parameter ${param} is ${a.params[param] ?? 'unset'} in one and ${b.params[param] ?? 'unset'} in the other`;
}

/** A file from another machine than the first file's keeps its interpreters apart: id@host. */
function apart(results: Results, firstHost: string): Results {
  const host = results.machine.hostname;
  if (host === firstHost) return results;
  const rename = (id: string) => `${id}@${host}`;
  const cells = results.plan.cells.map((cell) => ({ ...cell, interpreter: rename(cell.interpreter) }));
  const ids = new Map(results.plan.cells.map((cell, i) => [cell.id, cellId(cells[i]!)]));
  return {
    ...results,
    interpreters: results.interpreters.map((i) => ({ ...i, id: rename(i.id) })),
    plan: {
      ...results.plan,
      cells: cells.map((cell) => ({ ...cell, id: ids.get(cell.id)! })),
      skipped: results.plan.skipped.map((s) => ({ ...s, interpreter: rename(s.interpreter) })),
      sizes: results.plan.sizes.map((s) => ({ ...s, interpreters: s.interpreters.map(rename) })),
    },
    runs: results.runs.map((run) => ({ ...run, cellId: ids.get(run.cellId)! })),
  };
}

export function mergeResults(inputs: Results[]): Results {
  const firstHost = inputs[0]!.machine.hostname;
  const interpreters = new Map<string, Interpreter>();
  const cells = new Map<string, Cell>();
  const runs: Results['runs'] = [];
  const skipped: Results['plan']['skipped'] = [];
  const sizes: Size[] = [];
  let roundOffset = 0;
  for (const input of inputs) {
    const part = apart(input, firstHost);
    for (const interpreter of part.interpreters) {
      const known = interpreters.get(interpreter.id);
      const differs = known && sameInterpreter(known, interpreter);
      if (differs) fail(`Cannot merge run ${part.runId}: ${differs}.`);
      interpreters.set(interpreter.id, known ?? interpreter);
    }
    for (const cell of part.plan.cells) {
      const known = cells.get(cell.id);
      const calibrated = known && calibratedApart(sizeOf(sizes, known), sizeOf(part.plan.sizes, cell));
      if (calibrated) fail(`Cannot merge run ${part.runId}: in cell ${cell.id}, ${calibrated}.`);
      const differs = known && sameCell(known, cell);
      if (differs) fail(`Cannot merge run ${part.runId}: in cell ${cell.id}, ${differs}.`);
      cells.set(cell.id, known ?? cell);
    }
    // Rounds stay distinct across files: round r of one file did not run beside round r of another.
    runs.push(...part.runs.map((run) => ({ ...run, round: run.round + roundOffset })));
    roundOffset += Math.max(-1, ...part.runs.map((run) => run.round)) + 1;
    skipped.push(...part.plan.skipped.filter((s) => !skipped.some((k) => JSON.stringify(k) === JSON.stringify(s))));
    // One file's probes are not another's: a size is the same when its value and interpreters are.
    const sameSize = (a: Size, b: Size) =>
      a.workload === b.workload &&
      a.value === b.value &&
      a.how === b.how &&
      `${a.interpreters}` === `${b.interpreters}`;
    sizes.push(...part.plan.sizes.filter((s) => !sizes.some((k) => sameSize(k, s))));
  }
  const [first] = inputs;
  const workloads = new Map(inputs.flatMap((p) => p.plan.workloads.map((w) => [w.name, w] as const)));
  return {
    ...first!,
    runId: `merged-${inputs.map((p) => p.runId).join('+')}`.slice(0, 200),
    status: inputs.every((p) => p.status === 'complete') ? 'complete' : 'partial',
    command: ['gilbench', 'merge', ...inputs.map((p) => p.runId)],
    interpreters: [...interpreters.values()],
    plan: { ...first!.plan, workloads: [...workloads.values()], cells: [...cells.values()], skipped, sizes },
    runs,
    // Each input's probe timed its own session; no one of them describes the merged file.
    speedProbe: undefined,
    sources: inputs.flatMap((p) => p.sources ?? [{ runId: p.runId, startedAt: p.startedAt, machine: p.machine }]),
  };
}

export function mergeCommand(args: string[]): number {
  const { values, positionals } = parse(args, { help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    console.log(MERGE_HELP);
    return 0;
  }
  if (positionals.length < 3) fail('gilbench merge takes an output file and at least two results files; see --help.');
  const [out, ...inputs] = positionals;
  // Said once the merged file is written: a refusal, or a write that failed, is then the only thing said.
  const upgraded: string[] = [];
  const merged = mergeResults(
    inputs.map((file) =>
      readResults(file, (from) =>
        upgraded.push(`gilbench: ${file} has results schema version ${from}; read as the current one.`),
      ),
    ),
  );
  writeResults(out!, merged);
  for (const line of upgraded) console.error(line);
  console.error(`gilbench: merged ${inputs.length} results files (${merged.plan.cells.length} cells) into ${out}`);
  return 0;
}
