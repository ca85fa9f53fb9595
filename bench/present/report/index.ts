import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import type { Results } from '../../store/results.ts';
import { writeAtomic } from '../../store/results.ts';
import { summariseCells, type CellSummary } from '../../analyse/summary.ts';
import type { WorkloadInfo } from '../../define/plan.ts';
import { runsWithoutGil, type Interpreter } from '../../define/interpreters.ts';
import { CHARTS, serialSpeedByVersion, speedupByVersion, type ChartConfig } from './charts.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown, type ChartFiles, type VersionSection } from './markdown.ts';
import { renderPng, SLIDE } from './render.ts';
import { FIXTURES } from '../../execute/fixtures/index.ts';
import { sweepParts } from '../../define/plan.ts';
import { besideGroups } from './beside.ts';
import { versionComparisons, type VersionComparison } from './versions.ts';

type DrawnChart = { title: string; file: string; config: ChartConfig };
/** A section's charts, with the config each PNG was drawn from (report.html draws them again). */
type WithConfigs<T extends { files: unknown }> = Omit<T, 'files'> & { files: DrawnChart[] };

/** Renders report.md, its charts and report.html into `dir` from results alone; returns report.md's path. */
export function writeReport(results: Results, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const summaries = summariseCells(results);
  const charts = groups(summaries).map(([workload, interpreter, cells]) =>
    writeCharts(dir, results.plan.workloads.find((w) => w.name === workload)!, results.interpreters.find((i) => i.id === interpreter), interpreter, cells, results.machine.logicalCores),
  );
  const versions = results.interpreters.length > 1 ? versionComparisons(results, summaries).map((comparison) => writeVersionCharts(dir, comparison)) : [];
  const beside = besideGroups(results, summaries).map((group) => ({ group, charts: writeCharts(dir, group.info, undefined, 'side-by-side', group.cells, results.machine.logicalCores) }));
  const path = join(dir, 'report.md');
  const fixtureNotes = Object.fromEntries(Object.entries(FIXTURES).map(([name, fixture]) => [name, fixture.note]));
  const markdown = renderMarkdown(results, summaries, charts, versions, fixtureNotes, beside);
  writeAtomic(path, markdown);
  const live = [...charts, ...versions, ...beside.map((b) => b.charts)].flatMap((c) => c.files.map(({ file, config }) => ({ file, panels: [config], size: SLIDE })));
  writeAtomic(join(dir, 'report.html'), renderHtml(markdown, live));
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

function writeCharts(dir: string, info: WorkloadInfo, about: Interpreter | undefined, interpreter: string, cells: CellSummary[], cores: number): WithConfigs<ChartFiles> {
  const measured = cells.filter((c) => c.repeats > 0);
  if (measured.length === 0) return { workload: info.name, interpreter, files: [] };
  const context = { caption: `${info.name}, ${interpreter}${runsWithoutGil(about) ? ' (GIL disabled)' : ''}`, cores, taskNoun: info.taskNoun ?? 'tasks', ideal: info.ideal };
  const files = info.charts.flatMap((kind) => {
    const chart = CHARTS[kind];
    if (!chart) return [];
    return [writeChart(dir, `${info.name}-${interpreter}-${kind}`, chart.title, chart.build(measured, context))];
  });
  return { workload: info.name, interpreter, files };
}

function writeChart(dir: string, name: string, title: string, config: ChartConfig): DrawnChart {
  // Interpreter ids may hold '#' or '@', which a markdown link would take for a fragment or worse.
  const file = `${name}.png`.replace(/[^\w.-]/g, '_');
  writeFileSync(join(dir, file), renderPng(config as ChartConfiguration));
  return { title, file, config };
}

function writeVersionCharts(dir: string, comparison: VersionComparison): WithConfigs<VersionSection> {
  const name = [comparison.workload, 'versions', `w${comparison.workers}`, ...sweepParts(comparison.sweep)].join('-');
  const files: DrawnChart[] = [];
  if (comparison.modes.length) files.push(writeChart(dir, `${name}-speedup`, 'Speedup vs serial by interpreter', speedupByVersion(comparison)));
  if (comparison.rows.filter((row) => row.serialVsNewest !== undefined).length > 1) {
    files.push(writeChart(dir, `${name}-serial-speed`, 'Serial speed relative to the newest interpreter', serialSpeedByVersion(comparison)));
  }
  return { comparison, files };
}
