import type { ChartConfiguration, ChartDataset, Plugin } from 'chart.js';
import type { CellSummary } from '../summary.ts';

/** Chart.js configurations for one workload on one interpreter: one chart, one message. */

const MODE_COLOURS: Record<string, string> = {
  serial: '#4e79a7',
  threads: '#e15759',
  processes: '#59a14f',
  async: '#f28e2b',
};
const SPARE_COLOURS = ['#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function colourOf(mode: string, index: number): string {
  return MODE_COLOURS[mode] ?? SPARE_COLOURS[index % SPARE_COLOURS.length]!;
}

interface ErrorBar {
  low: number;
  high: number;
}
type BarWithErrors = ChartDataset<'bar', number[]> & { errorBars?: (ErrorBar | undefined)[] };

/** Draws each bar's interval as a whisker; Chart.js has no error bars of its own. */
const errorBars: Plugin<'bar'> = {
  id: 'errorBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const y = chart.scales['y']!;
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

function title(text: string, subtitle: string) {
  return {
    title: { display: true, text, font: { size: 24 } },
    subtitle: { display: true, text: subtitle, padding: { bottom: 12 } },
  };
}

function barsByWorkers(
  cells: CellSummary[],
  value: (c: CellSummary) => number,
  error?: (c: CellSummary) => ErrorBar,
): ChartConfiguration<'bar'> {
  const workers = workersOf(cells);
  const datasets: BarWithErrors[] = modesOf(cells).map((mode, index) => {
    const found = workers.map((w) => find(cells, mode, w));
    return {
      label: mode,
      data: found.map((c) => (c ? value(c) : NaN)),
      backgroundColor: colourOf(mode, index),
      errorBars: error ? found.map((c) => (c ? error(c) : undefined)) : undefined,
    };
  });
  return { type: 'bar', data: { labels: workers.map((w) => `W = ${w}`), datasets }, plugins: [errorBars] };
}

export function wallTimeChart(cells: CellSummary[], caption: string): ChartConfiguration<'bar'> {
  const config = barsByWorkers(cells, (c) => c.medianWallS, (c) => c.interval);
  config.options = {
    plugins: title('Wall time by mode and workers (lower is faster)', `${caption}; bars: median, whiskers: confidence interval of the median`),
    scales: {
      x: { title: { display: true, text: 'workers (W tasks of equal size)' } },
      // Room for the highest whisker, which Chart.js does not know about.
      y: { beginAtZero: true, suggestedMax: Math.max(...cells.map((c) => c.interval.high)) * 1.05, title: { display: true, text: 'wall time (s)' } },
    },
  };
  return config;
}

export function peakRssChart(cells: CellSummary[], caption: string): ChartConfiguration<'bar'> {
  const config = barsByWorkers(cells, (c) => c.peakRssKiB / 1024);
  config.options = {
    plugins: title('Peak memory of the whole process tree', `${caption}; RSS summed over every PID (pages shared after fork count in each), highest sample`),
    scales: {
      x: { title: { display: true, text: 'workers' } },
      y: { beginAtZero: true, title: { display: true, text: 'peak total RSS (MiB)' } },
    },
  };
  return config;
}

/** The top-like timeline: total CPU% of each mode's tree over its typical run, at one worker count. */
export function cpuTimelineChart(cells: CellSummary[], workers: number, cores: number, caption: string): ChartConfiguration<'line'> {
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = modesOf(cells).flatMap((mode, index) => {
    const samples = find(cells, mode, workers)?.typical?.timeline.samples ?? [];
    if (samples.length === 0) return [];
    return [{
      label: mode,
      data: samples.map((s) => ({ x: s.t, y: s.totalCpuPct })),
      borderColor: colourOf(mode, index),
      backgroundColor: colourOf(mode, index),
      pointRadius: 0,
      borderWidth: 3,
      stepped: 'before' as const,
    }];
  });
  const end = Math.max(0, ...datasets.flatMap((d) => d.data.map((p) => p.x)));
  datasets.push({
    label: `all ${cores} cores`,
    data: [{ x: 0, y: cores * 100 }, { x: end, y: cores * 100 }],
    borderColor: '#888888',
    backgroundColor: '#888888',
    borderDash: [8, 6],
    pointRadius: 0,
    borderWidth: 2,
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: title(`CPU over time at W = ${workers}, as top sees it`, `${caption}; total CPU% of the process tree, 100% = one core`),
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'time since start (s)' } },
        y: { beginAtZero: true, suggestedMax: cores * 100 + 20, title: { display: true, text: 'total CPU (%)' } },
      },
    },
  };
}
