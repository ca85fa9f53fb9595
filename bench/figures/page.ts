import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import { fail } from '../errors.ts';
import { CHARTS } from '../report/charts.ts';
import { renderHtml, type LiveChart } from '../report/html.ts';
import { renderFigure, type ChartSize } from '../report/render.ts';
import { writeAtomic, type Results } from '../results.ts';
import { summariseCells, type CellSummary } from '../summary.ts';
import type { Figure, FigureData, Finding } from './figure.ts';
import { resultsPath } from './run.ts';
import type { Profile } from '../workload.ts';

/** One panel fills a 16:9 slide; two share a wider one. */
const SIZES: Record<number, ChartSize> = { 1: { width: 1200, height: 675 }, 2: { width: 1920, height: 810 } };

function dataOf(results: Map<string, Results>): FigureData {
  const summaries = new Map<string, CellSummary[]>();
  const get = (experiment: string) => results.get(experiment) ?? fail(`No results for the "${experiment}" experiment.`);
  const summariesOf = (experiment: string) => {
    if (!summaries.has(experiment)) summaries.set(experiment, summariseCells(get(experiment)));
    return summaries.get(experiment)!;
  };
  return {
    results: get,
    summaries: summariesOf,
    measured: (experiment) => summariesOf(experiment).filter((s) => s.repeats > 0),
    reportChart: (kind, experiment, cells, subject) => {
      const results = get(experiment);
      const info = results.plan.workloads.find((w) => w.name === cells[0]?.cell.workload);
      const context = { caption: `${subject}, ${results.interpreters[0]!.id}`, cores: results.machine.logicalCores, taskNoun: info?.taskNoun ?? 'tasks', ideal: info?.ideal };
      return CHARTS[kind]!.build(cells, context);
    },
  };
}

interface Drawn {
  figure: Figure;
  finding: Finding;
  caption: string;
  live: LiveChart;
}

/** Draws every figure (PNG and SVG) and writes FIGURES.md and FIGURES.html (live charts) beside them; returns FIGURES.md's path. */
export function writeFigures(figures: Figure[], results: Map<string, Results>, out: string): string {
  mkdirSync(out, { recursive: true });
  const data = dataOf(results);
  const drawn = figures.map((figure): Drawn => {
    const configs = figure.draw(data);
    const size = SIZES[configs.length] ?? { width: 900 * configs.length, height: 810 };
    const { png, svg } = renderFigure(configs as ChartConfiguration[], size);
    writeFileSync(join(out, `${figure.id}.png`), png);
    writeFileSync(join(out, `${figure.id}.svg`), svg);
    return { figure, finding: figure.verdict(data), caption: figure.caption(data), live: { file: `${figure.id}.png`, panels: configs, size } };
  });
  const path = join(out, 'FIGURES.md');
  const markdown = page(drawn, results, out);
  writeAtomic(path, markdown);
  writeAtomic(join(out, 'FIGURES.html'), renderHtml(markdown, drawn.map((d) => d.live)));
  return path;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function page(drawn: Drawn[], results: Map<string, Results>, out: string): string {
  const all = [...results.values()];
  // The profile the data were measured with, whatever a --render run was given.
  const profile = all[0]!.plan.profile as Profile;
  const m = all[0]!.machine;
  const interpreters = [...new Set(all.flatMap((r) => r.interpreters.map((i) => i.id)))];
  const started = all.map((r) => r.startedAt).sort()[0];
  const finished = all.map((r) => r.finishedAt ?? r.startedAt).sort().at(-1);
  const rows = drawn.map(({ figure, finding }, index) => [
    String(index + 1),
    `“${cell(figure.claim)}” (${figure.section})`,
    `[${cell(figure.title)}](${figure.id}.png)`,
    cell(finding.measured),
    `**${finding.verdict}**: ${cell(finding.because)}`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const sections = drawn.map(({ figure, caption }, index) => {
    const sources = figure.experiments(profile).map((e) => {
      const r = results.get(e.name)!;
      return `\`${relative(out, resultsPath(out, e.name))}\` (run ${r.runId}, ${r.runs.filter((x) => !x.warmup).length} measured runs on ${r.machine.hostname})`;
    });
    return [`## ${index + 1}. ${figure.title}`, `![${figure.title}](${figure.id}.png)`, caption, `*Data: ${sources.join('; ')}. Also as [SVG](${figure.id}.svg).*`].join('\n\n');
  });
  return [
    "# The lecture's claims, measured",
    `Measured on ${m.hostname}: ${m.cpuModel}, ${m.physicalCores} physical / ${m.logicalCores} logical cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, kernel ${m.kernel} (${m.virtualisation}); ` +
      `${interpreters.join(', ')}; profile \`${profile}\`; from ${started} to ${finished}.`,
    'Every number here comes from the results files in `data/` beside this page: `gilbench figures --render --out` with this folder draws the figures and this page again from them alone. ' +
      'A verdict is computed from the numbers: **holds**, **does not hold**, or **depends** (and on what).',
    [line(['#', 'the lecture says', 'figure', 'measured here', 'verdict']), line(['---', '---', '---', '---', '---']), ...rows.map(line)].join('\n'),
    ...sections,
  ].join('\n\n') + '\n';
}
