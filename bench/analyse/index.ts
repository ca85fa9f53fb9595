/**
 * The analysis stage's output: every cell of a results file summarised and judged, and the servers
 * of each group ranked. Renderers (report, figures, exports) print what this says and compute none of it.
 */
import type { Interpreter } from '../define/interpreters.ts';
import { sweepParts } from '../define/plan.ts';
import type { Results } from '../store/results.ts';
import { type BesideGroup, besideGroups } from './beside.ts';
import { type CellSummary, summariseCells } from './summary.ts';
import { judge, serverRanking, type Verdict } from './verdicts/index.ts';

/** A cell's summary with the verdict its evidence supports. */
export interface JudgedCell extends CellSummary {
  verdict: Verdict;
}

/** The cells of one workload on one interpreter, as a report section shows them. */
export interface CellGroup {
  workload: string;
  interpreter: string;
  cells: JudgedCell[];
  /** server workloads: the servers against each other, one line per sweep point */
  rankings: string[];
}

export interface Analysis {
  cells: JudgedCell[];
  groups: CellGroup[];
  beside: (BesideGroup & { rankings: string[] })[];
}

export function analyseResults(results: Results): Analysis {
  const cells = judgeCells(results);
  const server = new Set(results.plan.workloads.filter((w) => w.kind === 'server').map((w) => w.name));
  const groups = groupCells(cells).map((group) => ({
    ...group,
    rankings: server.has(group.workload) ? rankings(group.cells) : [],
  }));
  const beside = besideGroups(results, cells).map((group) => ({
    ...group,
    rankings: group.info.kind === 'server' ? rankings(group.cells) : [],
  }));
  return { cells, groups, beside };
}

/** Every cell summarised and judged on what it ran on: the machine's cores and its interpreter's GIL. */
export function judgeCells(results: Results): JudgedCell[] {
  const interpreters = new Map<string, Interpreter>(results.interpreters.map((i) => [i.id, i]));
  return summariseCells(results).map((summary) => ({
    ...summary,
    verdict: judge(summary, {
      cores: results.machine.logicalCores,
      gilEnabled: interpreters.get(summary.cell.interpreter)?.gilEnabled,
    }),
  }));
}

/** Cells by workload and interpreter, in the order they were planned. */
function groupCells(cells: JudgedCell[]): Omit<CellGroup, 'rankings'>[] {
  const keyed = new Map<string, Omit<CellGroup, 'rankings'>>();
  for (const cell of cells) {
    const key = `${cell.cell.workload}\0${cell.cell.interpreter}`;
    if (!keyed.has(key))
      keyed.set(key, { workload: cell.cell.workload, interpreter: cell.cell.interpreter, cells: [] });
    keyed.get(key)!.cells.push(cell);
  }
  return [...keyed.values()];
}

/** One ranking line per sweep point of a group of server cells. */
function rankings(cells: CellSummary[]): string[] {
  const points = new Map<string, CellSummary[]>();
  for (const c of cells) {
    const label = sweepParts(c.cell.sweep).join(', ') || 'one load';
    points.set(label, [...(points.get(label) ?? []), c]);
  }
  return [...points.entries()].flatMap(([label, here]) => serverRanking(here, label) || []);
}
