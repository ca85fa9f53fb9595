import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import { type JudgedCell, judgeCells } from '../../analyse/index.ts';
import { fail } from '../../core/errors.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import { interpreterLabel } from '../../define/interpreters.ts';
import type { Profile } from '../../define/workload.ts';
import { makeFolder } from '../../store/durable.ts';
import { counted } from '../../store/records.ts';
import { type Results, writeAtomic } from '../../store/results.ts';
import { CHARTS, type ChartConfig } from '../report/charts.ts';
import { type LiveChart, renderHtml } from '../report/html.ts';
import { type ChartSize, renderFigure } from '../report/render.ts';
import type { Figure, FigureData, Finding } from './figure.ts';
import { resultsPath } from './figure.ts';

/** A row of one panel fills a 16:9 slide; two share a wider one; rows are stacked. */
const SIZES: Record<number, ChartSize> = { 1: { width: 1200, height: 675 }, 2: { width: 1920, height: 810 } };

/** whole: the data of every interpreter, when `results` holds some of them (restricted); else these. */
function dataOf(results: Map<string, Results>, whole?: FigureData): FigureData {
  const summaries = new Map<string, JudgedCell[]>();
  const get = (experiment: string) => results.get(experiment) ?? fail(`No results for the "${experiment}" experiment.`);
  const summariesOf = (experiment: string) => {
    if (!summaries.has(experiment)) summaries.set(experiment, judgeCells(get(experiment)));
    return summaries.get(experiment)!;
  };
  const data: FigureData = {
    results: get,
    summaries: summariesOf,
    measured: (experiment) => summariesOf(experiment).filter((s) => s.repeats > 0),
    reportChart: (kind, experiment, cells, subject) => {
      const results = get(experiment);
      const info = results.plan.workloads.find((w) => w.name === cells[0]?.cell.workload);
      const interpreter =
        results.interpreters.find((i) => i.id === cells[0]?.cell.interpreter) ?? results.interpreters[0]!;
      const context = {
        caption: `${subject}, ${interpreterLabel(interpreter)}`,
        cores: results.machine.logicalCores,
        taskNoun: info?.taskNoun ?? 'tasks',
        ideal: info?.ideal,
      };
      return CHARTS[kind]!.build(cells, context);
    },
    whole: () => whole ?? data,
  };
  return data;
}

/** The same results with only the interpreters `keep` accepts, and their cells and runs. */
function restricted(results: Map<string, Results>, keep: (interpreter: Interpreter) => boolean): Map<string, Results> {
  return new Map(
    [...results].map(([experiment, r]) => {
      const ids = new Set(r.interpreters.filter(keep).map((i) => i.id));
      const cells = r.plan.cells.filter((c) => ids.has(c.interpreter));
      const cellIds = new Set(cells.map((c) => c.id));
      const plan = { ...r.plan, cells, skipped: r.plan.skipped.filter((skip) => ids.has(skip.interpreter)) };
      return [
        experiment,
        {
          ...r,
          interpreters: r.interpreters.filter(keep),
          plan,
          runs: r.runs.filter((run) => cellIds.has(run.cellId)),
        },
      ];
    }),
  );
}

/** The verdict on these interpreters' data alone, when each of the figure's experiments measured one of them. */
function findingOn(
  figure: Figure,
  profile: Profile,
  results: Map<string, Results>,
  whole: FigureData,
): Finding | undefined {
  const data = dataOf(results, whole);
  const names = figure.experiments(profile).map((e) => e.name);
  return names.every((name) => data.measured(name).length > 0) ? figure.verdict(data) : undefined;
}

/**
 * A figure's two verdicts, as FIGURES.md gives them: on the interpreters with a GIL, and on those
 * without one (free-threaded builds); undefined where they measured none of an experiment.
 */
export function findingsOf(
  figure: Figure,
  results: Map<string, Results>,
  whole = dataOf(results),
): { withGil?: Finding; withoutGil?: Finding } {
  const profile = profileOf(results);
  return {
    withGil: findingOn(
      figure,
      profile,
      restricted(results, (i) => i.gilEnabled),
      whole,
    ),
    withoutGil: findingOn(
      figure,
      profile,
      restricted(results, (i) => !i.gilEnabled),
      whole,
    ),
  };
}

interface Drawn {
  figure: Figure;
  withGil?: Finding;
  withoutGil?: Finding;
  caption: string;
  live: LiveChart;
}

/** The profile the data were measured with, whatever a --render run was given. */
const profileOf = (results: Map<string, Results>) => [...results.values()][0]!.plan.profile as Profile;

/**
 * Draws every figure (PNG and SVG) and writes FIGURES.md and FIGURES.html (live charts) beside
 * them; returns FIGURES.md's path. As a report's report.md, FIGURES.md is removed first and written
 * last: a drawing that stops half-way leaves none beside figures it does not describe.
 */
export function writeFigures(figures: Figure[], results: Map<string, Results>, out: string): string {
  // A figure draws what its experiment measured: one whose every run failed, or that stopped before its first, has nothing to draw.
  const empty = [...results].find(([, r]) => !r.runs.some(counted));
  if (empty)
    fail(
      `The "${empty[0]}" experiment has no measured run to draw (${relative(process.cwd(), resultsPath(out, empty[0]))} holds none that succeeded); measure it again with "gilbench figures".`,
    );
  const path = join(out, 'FIGURES.md');
  makeFolder(out);
  for (const stale of [path, join(out, 'FIGURES.html')]) rmSync(stale, { force: true });
  const data = dataOf(results);
  const drawn = figures.map((figure): Drawn => {
    const rows = figure.draw(data) as ChartConfiguration[][];
    const columns = Math.max(...rows.map((row) => row.length));
    const size = SIZES[columns] ?? { width: 900 * columns, height: 810 };
    const { png, svg } = renderFigure(rows, size);
    writeFileSync(join(out, `${figure.id}.png`), png);
    writeFileSync(join(out, `${figure.id}.svg`), svg);
    const live = {
      file: `${figure.id}.png`,
      panels: rows.flat() as ChartConfig[],
      columns,
      size: { width: size.width, height: size.height * rows.length },
    };
    return {
      figure,
      ...findingsOf(figure, results, data),
      caption: figure.caption(data),
      live,
    };
  });
  const markdown = page(drawn, results, out);
  writeAtomic(
    join(out, 'FIGURES.html'),
    renderHtml(
      markdown,
      drawn.map((d) => d.live),
    ),
  );
  writeAtomic(path, markdown);
  return path;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The verdict first, the numbers it rests on below it: at 1280 px each claim's verdicts are in view without scrolling sideways. */
const verdictCell = (finding: Finding | undefined) =>
  finding ? `**${finding.verdict}**: ${cell(finding.because)}<br>Measured: ${cell(finding.measured)}` : 'not measured';

function page(drawn: Drawn[], results: Map<string, Results>, out: string): string {
  const all = [...results.values()];
  const profile = profileOf(results);
  const m = all[0]!.machine;
  const interpreters = [...new Set(all.flatMap((r) => r.interpreters.map((i) => i.id)))];
  const withoutGil = [
    ...new Set(
      all.flatMap((r) =>
        r.interpreters.filter((i) => !i.gilEnabled).map((i) => interpreterLabel(i).replace(', no GIL', '')),
      ),
    ),
  ];
  const started = all.map((r) => r.startedAt).sort()[0];
  const finished = all
    .map((r) => r.finishedAt ?? r.startedAt)
    .sort()
    .at(-1);
  // Without a free-threaded build measured, the page is about the GIL alone: no empty column.
  const header = [
    '#',
    'the lecture says',
    'verdict, measured here',
    ...(withoutGil.length ? [`without the GIL (${withoutGil.join(', ')})`] : []),
  ];
  const rows = drawn.map(({ figure, withGil, withoutGil: free }, index) => [
    String(index + 1),
    `“${cell(figure.claim)}” (${figure.section}) — [${cell(figure.title)}](${figure.id}.png)`,
    verdictCell(withGil),
    ...(withoutGil.length ? [verdictCell(free)] : []),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const sections = drawn.map(({ figure, caption }, index) => {
    const sources = figure.experiments(profile).map((e) => {
      const r = results.get(e.name)!;
      return `\`${relative(out, resultsPath(out, e.name))}\` (run ${r.runId}, ${r.runs.filter((x) => !x.warmup).length} measured runs on ${r.machine.hostname})`;
    });
    return [
      `## ${index + 1}. ${figure.title}`,
      `![${figure.title}](${figure.id}.png)`,
      caption,
      `*Data: ${sources.join('; ')}. Also as [SVG](${figure.id}.svg).*`,
    ].join('\n\n');
  });
  return `${[
    "# The lecture's claims, measured",
    `Measured on ${m.hostname}: ${m.cpuModel}, ${m.physicalCores} physical / ${m.logicalCores} logical cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, kernel ${m.kernel} (${m.virtualisation}); ` +
      `${interpreters.join(', ')}; profile \`${profile}\`; from ${started} to ${finished}.`,
    'Every number here comes from the results files in `data/` beside this page: `gilbench figures --render --out` with this folder draws the figures and this page again from them alone. ' +
      'A verdict is computed from the numbers: **holds**, **does not hold**, or **depends** (and on what)' +
      (withoutGil.length
        ? `; once from the interpreters with a GIL and once, in the last column, from those without one (${withoutGil.join(', ')}, free-threaded).`
        : '.'),
    [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n'),
    ...sections,
  ].join('\n\n')}\n`;
}
