import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import type { Results } from '../results.ts';
import { writeAtomic } from '../results.ts';
import { summariseCells, type CellSummary } from '../summary.ts';
import type { WorkloadInfo } from '../plan.ts';
import { CHARTS } from './charts.ts';
import { renderMarkdown, type ChartFiles } from './markdown.ts';
import { renderPng } from './render.ts';

/** Renders report.md and its charts into `dir` from results alone; returns the report's path. */
export function writeReport(results: Results, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const summaries = summariseCells(results);
  const charts = groups(summaries).map(([workload, interpreter, cells]) =>
    writeCharts(dir, results.plan.workloads.find((w) => w.name === workload)!, interpreter, cells, results.machine.logicalCores),
  );
  const path = join(dir, 'report.md');
  writeAtomic(path, renderMarkdown(results, summaries, charts));
  return path;
}

function groups(summaries: CellSummary[]): [string, string, CellSummary[]][] {
  const keyed = new Map<string, [string, string, CellSummary[]]>();
  for (const s of summaries) {
    const key = `${s.cell.workload}\0${s.cell.interpreter}`;
    if (!keyed.has(key)) keyed.set(key, [s.cell.workload, s.cell.interpreter, []]);
    keyed.get(key)![2].push(s);
  }
  return [...keyed.values()];
}

function writeCharts(dir: string, info: WorkloadInfo, interpreter: string, cells: CellSummary[], cores: number): ChartFiles {
  const measured = cells.filter((c) => c.repeats > 0);
  if (measured.length === 0) return { workload: info.name, interpreter, files: [] };
  const context = { caption: `${info.name}, ${interpreter}`, cores, taskNoun: info.taskNoun ?? 'tasks', ideal: info.ideal };
  const files = info.charts.flatMap((kind) => {
    const chart = CHARTS[kind];
    if (!chart) return [];
    // Interpreter ids may hold '#' or '@', which a markdown link would take for a fragment or worse.
    const file = `${info.name}-${interpreter}-${kind}.png`.replace(/[^\w.-]/g, '_');
    writeFileSync(join(dir, file), renderPng(chart.build(measured, context) as ChartConfiguration));
    return [{ title: chart.title, file }];
  });
  return { workload: info.name, interpreter, files };
}
