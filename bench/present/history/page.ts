import type { Chart, ChartConfiguration, Plugin } from 'chart.js';
import type { Change, ChangeStatus, HistoryAnalysis, Point, Series } from '../../analyse/history/series.ts';
import { formatValue, METRICS } from '../../core/metrics.ts';
import { sweepParts } from '../../define/plan.ts';
import { pct } from '../report/comparison.ts';
import { escapeHtml, renderHtml } from '../report/html.ts';
import type { ChartSize } from '../report/render.ts';
import { axisTitle, type CheckContext, changesMarkdown, shortCommit } from './summary.ts';

/**
 * history report's page: one self-contained HTML file (no network, like report.html, through the
 * same renderHtml) with a trend chart per series — each commit's median and its interval, the
 * change points marked by status, hover for the commit, zoom along the commits — and filters by
 * workload, mode, interpreter, machine and whether a series has change points.
 */

const TREND: ChartSize = { width: 1200, height: 420 };

const STATUS_STYLE: Record<ChangeStatus, { label: string; colour: string }> = {
  confirmed: { label: 'regression, confirmed by an A/B', colour: '#d62728' },
  inconclusive: { label: 'regression, A/B inconclusive', colour: '#ff7f0e' },
  candidate: { label: 'regression candidate (no A/B yet)', colour: '#ff7f0e' },
  'not confirmed': { label: 'not confirmed by the A/B', colour: '#9c9c9c' },
  improvement: { label: 'improvement candidate (not A/B-tested)', colour: '#2ca02c' },
};

/** A point as the chart gets it: its place, its value, and the text its tooltip shows. */
interface TrendPoint {
  x: number;
  y: number;
  low?: number;
  high?: number;
  title: string;
  text: string;
}

/** The page: index.html's text. */
export function historyPage(analysis: HistoryAnalysis, context: CheckContext, dates: Map<string, string>): string {
  const sections = analysis.series.map((series, i) => section(series, `trend-${i}.png`));
  const markdown = [
    '# gilbench history: performance over time',
    changesMarkdown(analysis, context).replace(/^## .*\n/, ''),
    '## Trends',
    'Each point is one commit: the median of its runs, the whisker its 95% interval (distribution-free; a commit of 2–5 runs reaches less, as its tooltip says, and one of one run has none). Triangles mark the first commit at a new level. Hover for the commit; drag across a chart to zoom into a range of commits, double-click to reset.',
    FILTERS,
    ...sections,
  ].join('\n\n');
  const charts = analysis.series.map((series, i) => ({
    file: `trend-${i}.png`,
    panels: [trendChart(series, analysis.commits, dates)],
    size: TREND,
  }));
  return renderHtml(markdown, charts as never, FILTER_SCRIPT);
}

/** A series' section: data attributes the filters read, a heading, the chart, and its change points in words. */
function section(series: Series, file: string): string {
  const { workload, mode, interpreter } = series.identity;
  const data = {
    workload,
    mode,
    interpreter,
    machine: series.machine,
    changes: series.changes.length ? 'with change points' : 'none',
  };
  const attributes = Object.entries(data)
    .map(([key, value]) => `data-${key}="${escapeHtml(value)}"`)
    .join(' ');
  const changes = series.changes.map(
    (change) =>
      `${STATUS_STYLE[change.status].label} at ${shortCommit(change.commit)}: ${pct(change.effect)}, ${formatValue(series.metric, change.before)} → ${formatValue(series.metric, change.after)}`,
  );
  return [
    `<section class="trend" ${attributes}>`,
    `### ${series.cell}: ${METRICS[series.metric].label}, ${series.machine}`,
    `![${series.cell}, ${METRICS[series.metric].label} per commit](${file})`,
    changes.length ? changes.map((line) => `- ${line}`).join('\n') : 'No change point.',
    '</section>',
  ].join('\n\n');
}

function trendChart(
  series: Series,
  commits: string[],
  dates: Map<string, string>,
): ChartConfiguration<'line', TrendPoint[]> {
  const value = (v: number) => formatValue(series.metric, v);
  const titleOf = (commit: string) =>
    `commit ${shortCommit(commit)}${dates.has(commit) ? `, ${dates.get(commit)}` : ''}`;
  const medians: TrendPoint[] = series.points.map((p) => ({
    x: p.index,
    y: p.median,
    // One run has no interval (medianInterval's confidence 0): no whisker.
    ...(p.runs.length > 1 && { low: p.interval.low, high: p.interval.high }),
    title: titleOf(p.commit),
    text: medianText(p, value),
  }));
  const byStatus = Object.entries(STATUS_STYLE).flatMap(([status, style]) => {
    const changes = series.changes.filter((c) => c.status === status);
    return changes.length ? [changeDataset(series, changes, style, titleOf)] : [];
  });
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: `median per commit, ${METRICS[series.metric].label}`,
          data: medians,
          borderColor: '#4e79a7',
          backgroundColor: '#4e79a7',
          borderWidth: 2,
          pointRadius: 4,
        },
        ...byStatus,
      ],
    },
    options: {
      plugins: {
        title: { display: true, text: `${series.cell}: ${METRICS[series.metric].label}` },
        subtitle: {
          display: true,
          text: `${series.machine}; ${sweepParts(series.identity.sweep).join(', ') || `${series.identity.mode}, W = ${series.identity.workers}`}`,
        },
        tooltip: {
          callbacks: {
            title: (items) => (items[0]?.raw as TrendPoint | undefined)?.title ?? '',
            label: (item) => (item.raw as TrendPoint).text,
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: -0.5,
          max: commits.length - 0.5,
          title: { display: true, text: 'commit (oldest first)' },
          afterBuildTicks: commitTicks,
          ticks: { callback: tickLabel, autoSkip: true, maxRotation: 0 },
        },
        y: {
          title: { display: true, text: axisTitle(series.metric) },
        },
      },
    },
    plugins: [intervals as Plugin<'line', TrendPoint[]>],
  };
}

/** A commit's tooltip: its median and interval, and the interval's coverage where it is under 95% (2–5 runs). */
function medianText(point: Point, value: (v: number) => string): string {
  const { median, interval, runs } = point;
  if (runs.length === 1) return `median ${value(median)} (one run: no interval)`;
  const bracket = `[${value(interval.low)}, ${value(interval.high)}]`;
  return interval.confidence < 0.95
    ? `median ${value(median)} ${bracket}, a ${Math.floor(interval.confidence * 100)}% interval (${runs.length} runs)`
    : `median ${value(median)} ${bracket}, ${runs.length} runs`;
}

/** The change points of one status: a triangle at the first commit at the new level, and a dashed line before it. */
function changeDataset(
  series: Series,
  changes: Change[],
  style: { label: string; colour: string },
  titleOf: (commit: string) => string,
) {
  const data: TrendPoint[] = changes.map((change) => ({
    x: change.index,
    y: change.after,
    title: titleOf(change.commit),
    text: `${style.label}: ${pct(change.effect)} [${pct(change.interval.low)}, ${pct(change.interval.high)}], ${formatValue(series.metric, change.before)} → ${formatValue(series.metric, change.after)}, p ${change.p.toFixed(3)}`,
  }));
  return {
    label: style.label,
    data,
    showLine: false,
    pointStyle: 'triangle' as const,
    pointRadius: 11,
    pointHoverRadius: 13,
    borderColor: style.colour,
    backgroundColor: style.colour,
    changeLine: true,
  };
}

/** A tick at each measured commit in view (a linear axis from −0.5 would put them between commits). Uses only its argument: the page runs it too. */
function commitTicks(axis: { min: number; max: number; ticks: { value: number }[]; chart: Chart }): void {
  const points = axis.chart.data.datasets[0]!.data as unknown as { x: number }[];
  axis.ticks = points.filter((p) => p.x >= axis.min && p.x <= axis.max).map((p) => ({ value: p.x }));
}

/** The commit's short id under its tick (the medians' points carry it in their title). Uses only its arguments: the page runs it too. */
function tickLabel(this: { chart: Chart }, value: number | string): string {
  const point = (this.chart.data.datasets[0]!.data as unknown as { x: number; title: string }[]).find(
    (p) => p.x === value,
  );
  return point ? point.title.replace(/^commit /, '').replace(/,.*$/, '') : '';
}

/** Draws each median's interval as a whisker, and a dashed vertical line before each change point. Uses only its argument: the page runs it too. */
const intervals: Plugin<'line'> = {
  id: 'historyIntervals',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    // A whisker beyond the y axis's range stops at the plot's edge, off the tick labels.
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    chart.data.datasets.forEach((dataset, d) => {
      if (!chart.isDatasetVisible(d)) return;
      for (const point of dataset.data as unknown as { x: number; y: number; low?: number; high?: number }[]) {
        const x = scales.x!.getPixelForValue(point.x);
        if (x < chartArea.left || x > chartArea.right) continue;
        ctx.strokeStyle = dataset.borderColor as string;
        if ((dataset as { changeLine?: boolean }).changeLine) {
          const before = scales.x!.getPixelForValue(point.x - 0.5);
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(before, chartArea.top);
          ctx.lineTo(before, chartArea.bottom);
          ctx.stroke();
          ctx.setLineDash([]);
        } else if (
          point.low !== undefined &&
          point.high !== undefined &&
          Number.isFinite(point.low) &&
          Number.isFinite(point.high)
        ) {
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(x, scales.y!.getPixelForValue(point.low));
          ctx.lineTo(x, scales.y!.getPixelForValue(point.high));
          ctx.stroke();
        }
      }
    });
    ctx.restore();
  },
};

/** The filters' form; the script fills each list from the sections' data attributes. */
const FILTERS = `<form id="filters" style="position: sticky; top: 0; background: #fff; padding: .5rem 0; z-index: 1; border-bottom: 1px solid #ddd">
${['workload', 'mode', 'interpreter', 'machine', 'changes'].map((name) => `<label>${name} <select name="${name}"><option value="">all</option></select></label>`).join('\n')}
<output id="shown"></output>
</form>`;

const FILTER_SCRIPT = `
(() => {
  const sections = [...document.querySelectorAll('section.trend')];
  const selects = [...document.querySelectorAll('#filters select')];
  const apply = () => {
    let shown = 0;
    for (const section of sections) {
      const visible = selects.every((select) => !select.value || section.dataset[select.name] === select.value);
      section.hidden = !visible;
      shown += visible ? 1 : 0;
    }
    document.getElementById('shown').textContent = shown + ' of ' + sections.length + ' series shown';
  };
  for (const select of selects) {
    for (const value of [...new Set(sections.map((section) => section.dataset[select.name]))].sort()) select.add(new Option(value, value));
    select.addEventListener('change', apply);
  }
  apply();
})();
`;
