import { interpreterLabel } from '../define/interpreters.ts';
import type { WorkloadInfo } from '../define/plan.ts';
import type { Results } from '../store/results.ts';
import type { CellSummary } from './summary.ts';

/** Two server workloads measured by one generator in one run, drawn as one: their cells, their modes told apart by runtime. */
export interface BesideGroup {
  /** the workload that declared `beside`, after whose section the group is shown */
  workload: string;
  partner: string;
  /** what the group's table and charts take for a workload: the modes of both */
  info: WorkloadInfo;
  /** both workloads' measured cells, each mode named with what ran it: "epoll (3.11.7)", "cluster (Node.js 20.20.2)" */
  cells: CellSummary[];
}

/** A chart drawn per cell at the largest W is per workload; the others can hold both workloads' modes. */
const PER_WORKLOAD_CHARTS = ['cpu-timeline'];

export function besideGroups(results: Results, summaries: CellSummary[]): BesideGroup[] {
  const infos = new Map(results.plan.workloads.map((info) => [info.name, info]));
  return results.plan.workloads.flatMap((info) => {
    const partner = info.beside === undefined ? undefined : infos.get(info.beside);
    if (!partner || partner.kind !== info.kind) return [];
    const cells = [partner, info].flatMap((which) =>
      summaries.filter((s) => s.cell.workload === which.name && s.repeats > 0).map((s) => ({ which, s })),
    );
    if (!cells.some(({ which }) => which === info) || !cells.some(({ which }) => which === partner)) return [];
    const named = cells.map(({ which, s }) => ({
      ignoresWorkers: which.ignoresWorkers.includes(s.cell.mode),
      s: { ...s, startMethod: undefined, cell: { ...s.cell, mode: modeName(results, s) } },
    }));
    const merged: WorkloadInfo = {
      ...info,
      name: `${partner.name} and ${info.name}`,
      charts: info.charts.filter((kind) => partner.charts.includes(kind) && !PER_WORKLOAD_CHARTS.includes(kind)),
      ignoresWorkers: [...new Set(named.filter(({ ignoresWorkers }) => ignoresWorkers).map(({ s }) => s.cell.mode))],
    };
    // One sweep point's rows together, in the order the partner's cells came.
    const points = [...new Set(named.map(({ s }) => JSON.stringify(s.cell.sweep)))];
    const ordered = named
      .map(({ s }) => s)
      .sort((a, b) => points.indexOf(JSON.stringify(a.cell.sweep)) - points.indexOf(JSON.stringify(b.cell.sweep)));
    return [{ workload: info.name, partner: partner.name, info: merged, cells: ordered }];
  });
}

/** "processes (fork, 3.11.7)", "cluster (Node.js 20.20.2)": a mode named with how and on what it ran. */
function modeName(results: Results, s: CellSummary): string {
  const interpreter = results.interpreters.find((i) => i.id === s.cell.interpreter);
  const started = s.startMethod && s.startMethod !== s.cell.mode ? `${s.startMethod}, ` : '';
  return `${s.cell.mode} (${started}${interpreter ? interpreterLabel(interpreter) : s.cell.interpreter})`;
}
