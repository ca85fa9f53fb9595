import type { Chart, ChartConfiguration, ChartDataset, LegendItem, Plugin } from 'chart.js';
import type { CellSummary } from '../../analyse/summary.ts';
import { fixed } from '../../core/format.ts';
import { METRICS, PRIMARY, speedRatio } from '../../core/metrics.ts';
import { bounded, linearFit } from '../../core/stats.ts';
import { sweepParts } from '../../define/plan.ts';
import type { ChartKind } from '../../define/workload.ts';
import { comparisonTitle, type VersionComparison } from './versions.ts';

/** Chart.js configurations for one workload on one interpreter: one chart, one message. */

export interface ChartContext {
  /** "workload, interpreter", shown under every title */
  caption: string;
  cores: number;
  /** what one task is, e.g. "requests" */
  taskNoun: string;
  /** how the ideal wall time is computed, when the workload has one */
  ideal?: string;
}

const MODE_COLOURS: Record<string, string> = {
  serial: '#4e79a7',
  threads: '#e15759',
  processes: '#59a14f',
  async: '#f28e2b',
  asyncio: '#f28e2b',
  epoll: '#b07aa1',
  subinterpreters: '#76b7b2',
  // Node.js (echo-node)
  'event-loop': '#edc948',
  cluster: '#9c755f',
  // The event loops of 5.4 (echo --modes), each apart from the lecture's five
  generators: '#b6992d',
  'asyncio-protocol': '#ffbe7d',
  uvloop: '#d37295',
  'uvloop-protocol': '#fabfd2',
  gevent: '#499894',
  tornado: '#a0cbe8',
  twisted: '#79706e',
  trio: '#8cd17d',
  // What blocks a loop (blocked-loop)
  coroutine: '#f28e2b',
  executor: '#ff9da7',
  'process-pool': '#59a14f',
  cooperative: '#f1ce63',
};
const SPARE_COLOURS = ['#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A mode's own colour; "epoll (3.11.7)", a mode named with what ran it (side by side), keeps it. */
export function colourOf(mode: string, index: number): string {
  return MODE_COLOURS[mode.replace(/ \(.*\)$/, '')] ?? SPARE_COLOURS[index % SPARE_COLOURS.length]!;
}

type Point = { x: number; y: number };

/** One series of points in a mode's colour, drawn as every line chart here draws them; `style` adds to that. */
export function lineDataset(
  label: string,
  data: Point[],
  colour: string,
  style: Partial<ChartDataset<'line', Point[]>> = {},
): ChartDataset<'line', Point[]> {
  return { label, data, borderColor: colour, backgroundColor: colour, borderWidth: 3, pointRadius: 5, ...style };
}

const REFERENCE_GREY = '#888888';
/** A grey dashed line to read the measured ones against: all cores busy, the ideal. */
export function referenceLine<P>(label: string, data: P[]): ChartDataset<'line', P[]> {
  return {
    label,
    data,
    borderColor: REFERENCE_GREY,
    backgroundColor: REFERENCE_GREY,
    borderDash: [8, 6],
    borderWidth: 2,
    pointRadius: 0,
  };
}

/**
 * A line chart's legend: each entry a short line, dashed as its series is (Chart.js would take a
 * line legend's style from the series' first point, which has no dash). Uses only its argument:
 * report.html runs it too.
 */
export const lineLegend = {
  labels: {
    usePointStyle: true,
    pointStyle: 'line' as const,
    pointStyleWidth: 40,
    generateLabels(chart: Chart): LegendItem[] {
      const items = (chart.constructor as typeof Chart).defaults.plugins.legend.labels.generateLabels(chart);
      return items.map((item) => {
        const dataset = chart.data.datasets[item.datasetIndex!] as ChartDataset<'line'>;
        return {
          ...item,
          lineDash: (dataset.borderDash as number[] | undefined) ?? [],
          lineWidth: dataset.borderWidth as number,
        };
      });
    },
  },
};

interface ErrorBar {
  low: number;
  high: number;
}
type BarWithErrors = ChartDataset<'bar', number[]> & { errorBars?: (ErrorBar | undefined)[] };

/** Draws each bar's interval as a whisker; Chart.js has no error bars of its own. Whiskers stay inside the plot, off the title. */
export const errorBars: Plugin<'bar'> = {
  id: 'errorBars',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    const y = chart.scales.y!;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      const bars = (dataset as BarWithErrors).errorBars;
      if (!bars || !chart.isDatasetVisible(datasetIndex)) return;
      chart.getDatasetMeta(datasetIndex).data.forEach((element, index) => {
        const bar = bars[index];
        if (!bar) return;
        const x = element.x;
        const [top, bottom] = [y.getPixelForValue(bar.high), y.getPixelForValue(bar.low)];
        ctx.save();
        ctx.strokeStyle = '#222222';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - 6, top);
        ctx.lineTo(x + 6, top);
        ctx.moveTo(x - 6, bottom);
        ctx.lineTo(x + 6, bottom);
        ctx.stroke();
        ctx.restore();
      });
    });
    ctx.restore();
  },
};

function modesOf(cells: CellSummary[]): string[] {
  return [...new Set(cells.map((c) => c.cell.mode))];
}

function workersOf(cells: CellSummary[]): number[] {
  return [...new Set(cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
}

function find(cells: CellSummary[], mode: string, workers: number): CellSummary | undefined {
  return cells.find((c) => c.cell.mode === mode && c.cell.workers === workers && c.repeats > 0);
}

/**
 * A chart's title and subtitle as lines no wider than a panel: two panels side by side draw their
 * titles on one row, and a line longer than its half runs into its neighbour's.
 */
export function wrapped(text: string, width = 70): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function title(text: string, subtitle: string) {
  return {
    title: { display: true, text: wrapped(text, 55), font: { size: 24 } },
    subtitle: { display: true, text: wrapped(subtitle), padding: { bottom: 12 } },
  };
}

/** Bars in groups (labels, in order), one colour per mode, optional whiskers. */
function groupedBars(
  cells: CellSummary[],
  labels: string[],
  groupOf: (c: CellSummary) => string,
  value: (c: CellSummary) => number,
  error?: (c: CellSummary) => ErrorBar,
): ChartConfiguration<'bar'> {
  const datasets: BarWithErrors[] = modesOf(cells).map((mode, index) => {
    const found = labels.map((label) =>
      cells.find((c) => c.cell.mode === mode && groupOf(c) === label && c.repeats > 0),
    );
    return {
      label: mode,
      data: found.map((c) => (c ? value(c) : NaN)),
      backgroundColor: colourOf(mode, index),
      errorBars: error ? found.map((c) => (c ? error(c) : undefined)) : undefined,
    };
  });
  return { type: 'bar', data: { labels, datasets }, plugins: [errorBars] };
}

const workersLabel = (workers: number) => `W = ${workers}`;

function barsByWorkers(
  cells: CellSummary[],
  value: (c: CellSummary) => number,
  error?: (c: CellSummary) => ErrorBar,
): ChartConfiguration<'bar'> {
  return groupedBars(cells, workersOf(cells).map(workersLabel), (c) => workersLabel(c.cell.workers), value, error);
}

function wallBars(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'bar'> {
  const config = barsByWorkers(
    cells,
    (c) => c.primary.median,
    (c) => c.primary.interval,
  );
  config.options = {
    plugins: title(
      'Wall time by mode and workers (lower is faster)',
      `${caption}; bars: median, whiskers: confidence interval of the median`,
    ),
    scales: {
      x: { title: { display: true, text: 'workers (W tasks of equal size)' } },
      // Room for the highest whisker, which Chart.js does not know about.
      y: {
        beginAtZero: true,
        suggestedMax: Math.max(...cells.map((c) => c.primary.interval.high)) * 1.05,
        title: { display: true, text: 'wall time (s)' },
      },
    },
  };
  return config;
}

function rssBars(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'bar'> {
  const config = barsByWorkers(cells, (c) => c.peakRssKiB / 1024);
  config.options = {
    plugins: title(
      'Peak memory of the whole process tree',
      `${caption}; RSS summed over every PID (pages shared after fork count in each), highest sample`,
    ),
    scales: {
      x: { title: { display: true, text: 'workers' } },
      y: { beginAtZero: true, title: { display: true, text: 'peak total RSS (MiB)' } },
    },
  };
  return config;
}

/** The top-like timeline: total CPU% of each mode's tree over its typical run, at the largest W. */
function cpuTimeline(cells: CellSummary[], { caption, cores }: ChartContext): ChartConfiguration<'line'> {
  const workers = Math.max(...cells.map((c) => c.cell.workers));
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = modesOf(cells).flatMap((mode, index) => {
    const samples = find(cells, mode, workers)?.typical?.timeline.samples ?? [];
    if (samples.length === 0) return [];
    return [
      lineDataset(
        mode,
        samples.map((s) => ({ x: s.t, y: s.totalCpuPct })),
        colourOf(mode, index),
        { pointRadius: 0, stepped: 'before' },
      ),
    ];
  });
  const end = Math.max(0, ...datasets.flatMap((d) => d.data.map((p) => p.x)));
  datasets.push(
    referenceLine(`all ${cores} cores`, [
      { x: 0, y: cores * 100 },
      { x: end, y: cores * 100 },
    ]),
  );
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        ...title(
          `CPU over time at W = ${workers}, as top sees it`,
          `${caption}; total CPU% of the process tree, 100% = one core`,
        ),
        legend: lineLegend,
      },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'time since start (s)' } },
        y: { beginAtZero: true, suggestedMax: cores * 100 + 20, title: { display: true, text: 'total CPU (%)' } },
      },
    },
  };
}

function lineByWorkers(cells: CellSummary[], value: (c: CellSummary) => number): ChartDataset<'line', Point[]>[] {
  return modesOf(cells).map((mode, index) =>
    lineDataset(
      mode,
      cells.filter((c) => c.cell.mode === mode && c.repeats > 0).map((c) => ({ x: c.cell.workers, y: value(c) })),
      colourOf(mode, index),
    ),
  );
}

/** A mode that runs once because W does not change it (serial fetch, a thread-per-connection server): drawn flat across every W. */
function spreadOnce(datasets: ChartDataset<'line', Point[]>[], workers: number[]): void {
  for (const dataset of datasets.filter((d) => d.data.length === 1 && workers.length > 1)) {
    const [only] = dataset.data as [Point];
    dataset.data = workers.map((x) => ({ x, y: only.y }));
    dataset.pointRadius = workers.map((x) => (x === only.x ? 5 : 0)); // a dot only where it was measured
  }
}

/**
 * Log-axis labels at 1, 2 and 5 times a power of ten only: Chart.js labels every minor tick. An
 * axis spanning less than a decade would keep one label or none: it labels every tick instead.
 */
function oneTwoFive(value: number | string, _index: number, ticks: { value: number }[]): string {
  const v = Number(value);
  const values = ticks.map((tick) => tick.value);
  if (Math.max(...values) / Math.min(...values) < 10) return v.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  const lead = v / 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5].some((d) => Math.abs(lead - d) < 1e-9) ? String(v) : '';
}

const workersAxis = {
  type: 'logarithmic' as const,
  title: { display: true, text: 'workers W (log scale)' },
  ticks: { callback: oneTwoFive },
};
export const logAxis = (text: string) => ({
  type: 'logarithmic' as const,
  title: { display: true, text },
  ticks: { callback: oneTwoFive },
});

function wallVsWorkers(cells: CellSummary[], { caption, ideal }: ChartContext): ChartConfiguration<'line'> {
  const datasets = lineByWorkers(cells, (c) => c.primary.median);
  const workers = workersOf(cells);
  spreadOnce(datasets, workers);
  const idealPoints = workers.flatMap((w) => {
    const cell = cells.find((c) => c.cell.workers === w && c.cell.idealWallS !== undefined);
    return cell ? [{ x: w, y: cell.cell.idealWallS! }] : [];
  });
  if (idealPoints.length) {
    datasets.push(referenceLine('ideal', idealPoints));
  }
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        ...title(
          'Wall time vs workers (lower is faster)',
          `${caption}; median per mode${ideal ? `; ideal = ${ideal}` : ''}`,
        ),
        legend: lineLegend,
      },
      scales: { x: workersAxis, y: logAxis('wall time (s, log scale)') },
    },
  };
}

function throughputVsWorkers(cells: CellSummary[], { caption, taskNoun }: ChartContext): ChartConfiguration<'line'> {
  const datasets = lineByWorkers(cells, (c) => c.tasksPerS);
  spreadOnce(datasets, workersOf(cells));
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        ...title(
          `Throughput vs workers (higher is better)`,
          `${caption}; ${taskNoun} completed per second of wall time, median per mode`,
        ),
        legend: lineLegend,
      },
      scales: { x: workersAxis, y: logAxis(`${taskNoun} per second (log scale)`) },
    },
  };
}

function latencyBars(cells: CellSummary[], { caption, taskNoun }: ChartContext): ChartConfiguration<'bar'> {
  const workers = Math.max(...cells.map((c) => c.cell.workers));
  const shown = modesOf(cells).flatMap((mode) => {
    const cell = find(cells, mode, workers) ?? cells.find((c) => c.cell.mode === mode && c.repeats > 0);
    return cell ? [cell] : [];
  });
  const labels = shown.map((c) => `${c.cell.mode} (W = ${c.cell.workers})`);
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'p50', data: shown.map((c) => c.taskP50S * 1000), backgroundColor: '#4e79a7' },
        { label: 'p99', data: shown.map((c) => c.taskP99S * 1000), backgroundColor: '#e15759' },
      ],
    },
    options: {
      plugins: title(
        `Latency of one of the ${taskNoun}`,
        `${caption}; from the start to the end of each, all measured runs pooled`,
      ),
      scales: {
        x: { title: { display: true, text: 'mode' } },
        y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' } },
      },
    },
  };
}

/** "connections=10": the swept parameters that set a server cell apart; the x groups of its charts. */
function sweepLabel(c: CellSummary): string {
  return sweepParts(c.cell.sweep).join(', ') || 'all';
}

function barsBySweep(
  cells: CellSummary[],
  value: (c: CellSummary) => number,
  error?: (c: CellSummary) => ErrorBar,
): ChartConfiguration<'bar'> {
  return groupedBars(cells, [...new Set(cells.map(sweepLabel))], sweepLabel, value, error);
}

function echoBars(cells: CellSummary[], { caption, taskNoun }: ChartContext): ChartConfiguration<'bar'> {
  const config = barsBySweep(
    cells,
    (c) => c.tasksPerS,
    (c) => c.primary.interval,
  );
  config.options = {
    plugins: title(
      `${taskNoun} per second by server (higher is better)`,
      `${caption}; closed loop, bars: median over runs, whiskers: confidence interval of the median`,
    ),
    scales: {
      y: {
        beginAtZero: true,
        suggestedMax: Math.max(...cells.map((c) => c.primary.interval.high)) * 1.05,
        title: { display: true, text: `${taskNoun} per second` },
      },
    },
  };
  return config;
}

function echoLatency(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'bar'> {
  const config = barsBySweep(
    cells,
    (c) => c.taskP50S * 1000,
    (c) => ({ low: c.taskP50S * 1000, high: c.taskP99S * 1000 }),
  );
  config.options = {
    plugins: title(
      'Latency by server (lower is better)',
      `${caption}; bar: p50, whisker up to p99, median over runs (HdrHistogram)`,
    ),
    // The whiskers are not data to Chart.js: without a suggested top the axis ends at the tallest p50.
    scales: {
      y: {
        ...logAxis('latency (ms, log scale)'),
        suggestedMax: Math.max(...cells.map((c) => c.taskP99S * 1000).filter(Number.isFinite)) * 1.1,
      },
    },
  };
  return config;
}

/** The server's own CPU per answer over the window (user + system), by server and sweep point: what each layer costs. */
function cpuPerAnswer(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'bar'> {
  const perAnswer = (c: CellSummary) =>
    c.server ? c.server.cpuPerAnswerUs.user + c.server.cpuPerAnswerUs.system : NaN;
  const config = barsBySweep(cells, perAnswer);
  config.options = {
    plugins: title(
      'Server CPU per answer (lower is better)',
      `${caption}; user + system CPU of the server's tree over the window, over the answers in it; median over runs`,
    ),
    scales: { y: { beginAtZero: true, title: { display: true, text: 'CPU per answer (µs)' } } },
  };
  return config;
}

/** Server RSS against idle connections held; the least-squares slope is the cost of one connection. */
function rssVsConnections(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'line'> {
  const datasets = modesOf(cells).map((mode, index) => {
    const points = cells
      .filter((c) => c.cell.mode === mode && c.server)
      .map((c) => ({ x: c.cell.params.connections!, y: c.server!.rssKiB / 1024 }));
    const slope = linearFit(
      points.map((p) => p.x),
      points.map((p) => p.y * 1024),
    ).slope;
    return lineDataset(
      points.length > 1 ? `${mode}: ${fixed(slope, 1)} KiB per connection` : mode,
      points,
      colourOf(mode, index),
    );
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        ...title(
          'Server memory vs open connections',
          `${caption}; RSS of the whole server tree with C idle connections held open (prefork: summed over its processes)`,
        ),
        legend: lineLegend,
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'open connections C' } },
        y: { beginAtZero: true, title: { display: true, text: 'server RSS (MiB)' } },
      },
    },
  };
}

/** The lecture says the kernel spreads accepts "evenly" over prefork workers: is it so here? */
function acceptsPerWorker(cells: CellSummary[], { caption }: ChartContext): ChartConfiguration<'bar'> {
  const prefork = cells.filter((c) => c.server && c.server.accepted.length > 1);
  const workers = Math.max(0, ...prefork.map((c) => c.server!.accepted.length));
  const datasets = Array.from({ length: workers }, (_, w) => ({
    label: `worker ${w + 1}`,
    data: prefork.map((c) => c.server!.accepted[w] ?? NaN),
    backgroundColor: SPARE_COLOURS[w % SPARE_COLOURS.length]!,
  }));
  return {
    type: 'bar',
    data: { labels: prefork.map((c) => `${sweepLabel(c)}, W=${c.cell.workers}`), datasets },
    options: {
      plugins: title(
        'Connections accepted per prefork worker',
        `${caption}; one listening socket shared by W processes, the typical run of each cell`,
      ),
      scales: { y: { beginAtZero: true, title: { display: true, text: 'connections accepted' } } },
    },
  };
}

export type ChartConfig = ChartConfiguration<'bar'> | ChartConfiguration<'line'>;

/** Every chart the report can draw, by the name workloads use in their descriptor. */
export const CHARTS: Record<
  ChartKind,
  { title: string; build: (cells: CellSummary[], context: ChartContext) => ChartConfig }
> = {
  'wall-bars': { title: 'Wall time by mode and workers', build: wallBars },
  'cpu-timeline': { title: 'CPU over time at the largest W', build: cpuTimeline },
  'rss-bars': { title: 'Peak RSS by mode', build: rssBars },
  'wall-vs-workers': { title: 'Wall time vs workers, with the ideal', build: wallVsWorkers },
  'throughput-vs-workers': { title: 'Throughput vs workers', build: throughputVsWorkers },
  'latency-bars': { title: 'Latency p50 / p99 by mode', build: latencyBars },
  'echo-bars': { title: 'Throughput by server and connections', build: echoBars },
  'echo-latency': { title: 'Latency p50 / p99 by server and connections', build: echoLatency },
  'rss-vs-connections': { title: 'Server memory vs open connections', build: rssVsConnections },
  'accepts-per-worker': { title: 'Connections accepted per prefork worker', build: acceptsPerWorker },
  'cpu-per-answer': { title: 'Server CPU per answer by server and connections', build: cpuPerAnswer },
};

/** An interval a whisker can draw: none (NaN) where too few runs left it unbounded or absent. */
const whisker = (i: { low: number; high: number } | undefined) => (i && bounded(i) ? i : { low: NaN, high: NaN });

/** Speedup vs serial, one group per interpreter (oldest first), one bar per mode; the ideal as a dashed line. */
export function speedupByVersion(comparison: VersionComparison): ChartConfiguration<'bar'> {
  const cells = comparison.rows.flatMap((row) => [...row.byMode.values()]);
  const labelOf = new Map(
    comparison.rows.flatMap((row) => [...row.byMode.values()].map((c) => [c, row.label] as const)),
  );
  const labels = comparison.rows.map((row) => row.label);
  const config = groupedBars(
    cells,
    labels,
    (c) => labelOf.get(c)!,
    (c) => c.speedup ?? NaN,
    (c) => whisker(c.speedupInterval),
  );
  const ideal = idealSpeedup(comparison);
  if (ideal) {
    (config.data.datasets as ChartDataset[]).push({
      type: 'line',
      ...referenceLine(
        ideal.label,
        labels.map(() => ideal.value),
      ),
    } as ChartDataset);
  }
  const high = Math.max(ideal?.value ?? 0, ...cells.map((c) => whisker(c.speedupInterval).high || (c.speedup ?? 0)));
  config.options = {
    plugins: title(
      `Speedup vs serial by interpreter (${comparisonTitle(comparison)})`,
      `${comparison.workload}; bars: ratio of medians, whiskers: 95% interval; above 1 = faster than serial`,
    ),
    scales: {
      x: { title: { display: true, text: 'interpreter (oldest first)' } },
      y: {
        beginAtZero: true,
        suggestedMax: high * 1.05,
        title: { display: true, text: `speedup vs serial (${METRICS[PRIMARY[comparison.kind]].label} ratio)` },
      },
    },
  };
  return config;
}

/** What a perfect parallel mode would reach: min(W, cores), or the workload's own ideal wall time. */
function idealSpeedup(comparison: VersionComparison): { label: string; value: number } | undefined {
  if (comparison.kind === 'server') return undefined;
  const withIdeal = comparison.rows.flatMap((row) => [...row.byMode.values()]).find((c) => c.cell.idealWallS);
  const serial = comparison.rows.find((row) => row.serial)?.serial;
  if (withIdeal && serial)
    return { label: 'ideal (serial / ideal wall time)', value: serial.primary.median / withIdeal.cell.idealWallS! };
  const value = Math.min(comparison.workers, comparison.cores);
  return { label: `ideal: min(W, cores) = ${value}`, value };
}

/** How fast each interpreter runs the serial mode, relative to the newest (1.0). */
export function serialSpeedByVersion(comparison: VersionComparison): ChartConfiguration<'bar'> {
  const rows = comparison.rows.filter((row) => row.serialVsNewest !== undefined);
  const newest = rows.at(-1)!;
  const unit = (row: (typeof rows)[number]) => (comparison.perUnit ? row.serial!.cell.params[comparison.perUnit]! : 1);
  const errors = rows.map((row) => {
    const [{ metric, interval }, reference] = [row.serial!.primary, newest.serial!.primary.median / unit(newest)];
    // The interval of this serial's median, in the same units as the bar.
    const [a, b] = [
      speedRatio(metric, interval.low / unit(row), reference),
      speedRatio(metric, interval.high / unit(row), reference),
    ];
    return { low: Math.min(a, b), high: Math.max(a, b) };
  });
  const data: BarWithErrors = {
    label: 'serial',
    data: rows.map((row) => row.serialVsNewest!),
    backgroundColor: colourOf('serial', 0),
    errorBars: errors,
  };
  return {
    type: 'bar',
    data: { labels: rows.map((row) => row.label), datasets: [data] },
    plugins: [errorBars],
    options: {
      plugins: {
        ...title(
          `Serial speed${comparison.perUnit ? ` per ${comparison.perUnit}` : ''} relative to ${newest.label} (${comparisonTitle(comparison)})`,
          `${comparison.workload}; higher is faster; whiskers: confidence interval of the serial median`,
        ),
        legend: { display: false },
      },
      scales: {
        x: { title: { display: true, text: 'interpreter (oldest first)' } },
        y: { beginAtZero: true, title: { display: true, text: `speed relative to ${newest.label} (1 = as fast)` } },
      },
    },
  };
}
