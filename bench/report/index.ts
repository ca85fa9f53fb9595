import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import type { Results } from '../results.ts';
import { writeAtomic } from '../results.ts';
import { summariseCells, type CellSummary } from '../summary.ts';
import { cpuTimelineChart, peakRssChart, wallTimeChart } from './charts.ts';
import { renderMarkdown, type ChartFiles } from './markdown.ts';
import { renderPng } from './render.ts';

/** Renders report.md and its charts into `dir` from results alone; returns the report's path. */
export function writeReport(results: Results, dir: string): string {
  const summaries = summariseCells(results);
  const charts = groups(summaries).map(([workload, interpreter, cells]) =>
    writeCharts(dir, workload, interpreter, cells, results.machine.logicalCores),
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

function writeCharts(dir: string, workload: string, interpreter: string, cells: CellSummary[], cores: number): ChartFiles {
  const measured = cells.filter((c) => c.repeats > 0);
  if (measured.length === 0) return { workload, interpreter, files: [] };
  const caption = `${workload}, ${interpreter}`;
  const maxWorkers = Math.max(...measured.map((c) => c.cell.workers));
  const charts: [string, string, ChartConfiguration<'bar'> | ChartConfiguration<'line'>][] = [
    ['wall', 'Wall time by mode and workers', wallTimeChart(measured, caption)],
    ['cpu', `CPU over time at W = ${maxWorkers}`, cpuTimelineChart(measured, maxWorkers, cores, caption)],
    ['rss', 'Peak RSS by mode', peakRssChart(measured, caption)],
  ];
  const files = charts.map(([name, title, config]) => {
    const file = `${workload}-${interpreter}-${name}.png`;
    writeFileSync(join(dir, file), renderPng(config as ChartConfiguration));
    return { title, file };
  });
  return { workload, interpreter, files };
}
