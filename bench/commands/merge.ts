import { fail } from '../errors.ts';
import { cellId, type Cell } from '../plan.ts';
import { readResults, writeResults, type Results } from '../results.ts';
import { parse } from './args.ts';

export const MERGE_HELP = `Usage: gilbench merge OUT.json IN.json IN.json...

Merges results files from several jobs or machines (a CI matrix over Python versions and OSes)
into one, which "gilbench report" renders as one report and "gilbench compare" reads like any
other. Where two files hold the same interpreter, its cells are told apart by host name
(cpython-3.11.7@runner-a), or by run id when the host is the same too. Every input's machine is kept under "sources".
  -h, --help    show this help`;

/** Renames a file's interpreter ids (and its cells and runs with them) so they stay unique. */
function relabel(results: Results, taken: Set<string>): Results {
  const unique = (id: string) =>
    [id, `${id}@${results.machine.hostname}`, `${id}@${results.runId}`].find((candidate) => !taken.has(candidate)) ??
    fail(`Interpreter "${id}" of run ${results.runId} is in the inputs twice.`);
  const rename = new Map(results.interpreters.map((i) => [i.id, unique(i.id)]));
  const newId = (cell: Cell) => cellId(cell.workload, cell.mode, cell.workers, rename.get(cell.interpreter)!);
  const cellIds = new Map(results.plan.cells.map((cell) => [cell.id, newId(cell)]));
  return {
    ...results,
    interpreters: results.interpreters.map((i) => ({ ...i, id: rename.get(i.id)! })),
    plan: { ...results.plan, cells: results.plan.cells.map((cell) => ({ ...cell, id: cellIds.get(cell.id)!, interpreter: rename.get(cell.interpreter)! })) },
    runs: results.runs.map((run) => ({ ...run, cellId: cellIds.get(run.cellId) ?? run.cellId })),
  };
}

export function mergeResults(inputs: Results[]): Results {
  const taken = new Set<string>();
  const parts = inputs.map((results) => {
    const part = relabel(results, taken);
    for (const i of part.interpreters) taken.add(i.id);
    return part;
  });
  const [first] = parts;
  const workloads = new Map(parts.flatMap((p) => p.plan.workloads.map((w) => [w.name, w] as const)));
  return {
    ...first!,
    runId: `merged-${parts.map((p) => p.runId).join('+')}`.slice(0, 200),
    status: parts.every((p) => p.status === 'complete') ? 'complete' : 'partial',
    command: ['gilbench', 'merge', ...parts.map((p) => p.runId)],
    interpreters: parts.flatMap((p) => p.interpreters),
    plan: { ...first!.plan, workloads: [...workloads.values()], cells: parts.flatMap((p) => p.plan.cells) },
    runs: parts.flatMap((p) => p.runs),
    sources: parts.flatMap((p) => p.sources ?? [{ runId: p.runId, startedAt: p.startedAt, machine: p.machine }]),
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
  const merged = mergeResults(inputs.map(readResults));
  writeResults(out!, merged);
  console.error(`gilbench: merged ${inputs.length} results files (${merged.plan.cells.length} cells) into ${out}`);
  return 0;
}
