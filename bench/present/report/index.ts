import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import { analyseResults, type CellGroup } from '../../analyse/index.ts';
import type { CellSummary } from '../../analyse/summary.ts';
import { type Interpreter, runsWithoutGil } from '../../define/interpreters.ts';
import { sweepParts, type WorkloadInfo } from '../../define/plan.ts';
import { makeFolder } from '../../store/durable.ts';
import { type Results, writeAtomic } from '../../store/results.ts';
import { CHARTS, type ChartConfig, serialSpeedByVersion, speedupByVersion } from './charts.ts';
import { renderHtml } from './html.ts';
import { type ChartFiles, renderMarkdown, type VersionSection } from './markdown.ts';
import { renderPng, SLIDE } from './render.ts';
import { type VersionComparison, versionComparisons } from './versions.ts';

type DrawnChart = { title: string; file: string; config: ChartConfig };
/** A section's charts, with the config each PNG was drawn from (report.html draws them again). */
type WithConfigs<T extends { files: unknown }> = Omit<T, 'files'> & { files: DrawnChart[] };

/**
 * Renders report.md, its charts and report.html into `dir` from results alone; returns report.md's
 * path. report.md is what says a report is there: an earlier one is removed before anything is
 * drawn and the new one is written last, so that a render that stops half-way (a full disk, a bug)
 * leaves no report.md beside charts it does not describe.
 */
export function writeReport(results: Results, dir: string): string {
  const path = join(dir, 'report.md');
  makeFolder(dir);
  for (const stale of [path, join(dir, 'report.html')]) rmSync(stale, { force: true });
  const analysis = analyseResults(results);
  const cores = results.machine.logicalCores;
  const infoOf = (name: string) => results.plan.workloads.find((w) => w.name === name)!;
  const charts = analysis.groups.map((group) =>
    writeGroupCharts(dir, infoOf(group.workload), results.interpreters, group, cores),
  );
  const versions =
    results.interpreters.length > 1
      ? versionComparisons(results, analysis.cells).map((comparison) => writeVersionCharts(dir, comparison))
      : [];
  const beside = analysis.beside.map((group) =>
    writeCharts(dir, group.info, undefined, 'side-by-side', group.cells, cores),
  );
  const markdown = renderMarkdown(results, analysis, { charts, versions, beside });
  const live = [...charts, ...versions, ...beside].flatMap((c) =>
    c.files.map(({ file, config }) => ({ file, panels: [config], size: SLIDE })),
  );
  writeAtomic(join(dir, 'report.html'), renderHtml(markdown, live));
  writeAtomic(path, markdown);
  return path;
}

function writeGroupCharts(
  dir: string,
  info: WorkloadInfo,
  interpreters: Interpreter[],
  group: CellGroup,
  cores: number,
): WithConfigs<ChartFiles> {
  return writeCharts(
    dir,
    info,
    interpreters.find((i) => i.id === group.interpreter),
    group.interpreter,
    group.cells,
    cores,
  );
}

function writeCharts(
  dir: string,
  info: WorkloadInfo,
  about: Interpreter | undefined,
  interpreter: string,
  cells: CellSummary[],
  cores: number,
): WithConfigs<ChartFiles> {
  const measured = cells.filter((c) => c.repeats > 0);
  if (measured.length === 0) return { workload: info.name, interpreter, files: [] };
  const context = {
    caption: `${info.name}, ${interpreter}${runsWithoutGil(about) ? ' (GIL disabled)' : ''}`,
    cores,
    taskNoun: info.taskNoun ?? 'tasks',
    ideal: info.ideal,
  };
  const files = info.charts.map((kind) =>
    writeChart(dir, `${info.name}-${interpreter}-${kind}`, CHARTS[kind].title, CHARTS[kind].build(measured, context)),
  );
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
  if (comparison.modes.length)
    files.push(writeChart(dir, `${name}-speedup`, 'Speedup vs serial by interpreter', speedupByVersion(comparison)));
  if (comparison.rows.filter((row) => row.serialVsNewest !== undefined).length > 1) {
    files.push(
      writeChart(
        dir,
        `${name}-serial-speed`,
        'Serial speed relative to the newest interpreter',
        serialSpeedByVersion(comparison),
      ),
    );
  }
  return { comparison, files };
}
