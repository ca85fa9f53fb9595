import type { ChartConfiguration, Plugin } from 'chart.js';
import type { CompareOptions, Comparison } from '../../analyse/compare.ts';
import { bracket, pct } from '../../core/format.ts';
import { METRICS } from '../../core/metrics.ts';
import { bounded } from '../../core/stats.ts';
import { errorBars } from './charts.ts';

/** How a comparison is shown: a terminal table, markdown for a CI job summary, JSON, and a chart. */

/** history's summary takes it from here. */
export { pct };

const num = (value: number) =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(3) : value.toPrecision(3);
const MARK: Record<Comparison['verdict'], string> = {
  faster: '✅ faster',
  slower: '❌ slower',
  differs: 'differs',
  'no change': 'no change',
  'too few runs': '⚠ too few runs',
  missing: '❌ missing (no successful run)',
  new: 'new',
};

function rows(comparisons: Comparison[]): string[][] {
  return comparisons.map((c) => [
    c.key + (c.paramsDiffer ? ' *' : ''),
    METRICS[c.metric].label,
    c.base.length ? `${num(c.baseMedian)} (n=${c.base.length})` : '–',
    c.cand.length ? `${num(c.candMedian)} (n=${c.cand.length})` : '–',
    Number.isNaN(c.ratio)
      ? '–'
      : `${pct(c.ratio)} ${bounded(c.interval) ? `[${pct(c.interval.low)}, ${pct(c.interval.high)}]` : bracket(c.interval, Math.min(c.base.length, c.cand.length))}`,
    Number.isNaN(c.p)
      ? '–'
      : `${c.p < 0.0001 ? '<0.0001' : c.p.toFixed(4)}${c.test === 'signed-rank' ? ' (paired)' : ''}`,
    MARK[c.verdict],
  ]);
}

/**
 * The interval's level as compare computes it (analyse/compare.ts: ratioInterval at 1 − alpha):
 * "99%" at the default alpha of 0.01.
 */
export const intervalLevel = (alpha: number) => `${+(100 * (1 - alpha)).toPrecision(12)}%`;

const header = (options: Pick<CompareOptions, 'alpha'>) => [
  'cell',
  'metric',
  'base median',
  'candidate median',
  `change [${intervalLevel(options.alpha)} CI]`,
  'p',
  'verdict',
];

export function summaryLine(comparisons: Comparison[], options: CompareOptions): string {
  const count = (v: Comparison['verdict']) => comparisons.filter((c) => c.verdict === v).length;
  return (
    `${count('slower')} slower, ${count('faster')} faster, ${count('no change')} no change` +
    (count('missing') ? `, ${count('missing')} MISSING from the candidate` : '') +
    (count('new') ? `, ${count('new')} new` : '') +
    (count('differs') ? `, ${count('differs')} differ (CPU utilisation: reported, not judged)` : '') +
    (count('too few runs') ? `, ${count('too few runs')} with too few runs` : '') +
    ` (a change counts when p < ${options.alpha} and it exceeds ±${(options.threshold * 100).toFixed(0)}%; ` +
    `p from Mann-Whitney U, or from the paired signed-rank test when both sides ran interleaved in one run)`
  );
}

/** A table for the terminal: columns padded to their widest cell, the header underlined. */
export function textTable(header: string[], body: string[][]): string {
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A markdown table (cells must not hold "|"). */
export function markdownTable(header: string[], body: string[][]): string {
  const md = (row: string[]) => `| ${row.join(' | ')} |`;
  return [md(header), md(header.map(() => '---')), ...body.map(md)].join('\n');
}

export function comparisonText(comparisons: Comparison[], options: CompareOptions): string {
  const footnote = comparisons.some((c) => c.paramsDiffer)
    ? ['* the two sides ran with different workload parameters']
    : [];
  return [textTable(header(options), rows(comparisons)), '', summaryLine(comparisons, options), ...footnote].join('\n');
}

/** figure: markdown under the table, e.g. an image beside the file, or comparisonMermaid's chart. */
export function comparisonMarkdown(
  comparisons: Comparison[],
  options: CompareOptions,
  title: string,
  figure?: string,
): string {
  return `${[
    `## gilbench compare: ${title}`,
    `**${summaryLine(comparisons, options)}**`,
    markdownTable(header(options), rows(comparisons)),
    ...(figure ? [figure] : []),
  ].join('\n\n')}\n`;
}

/** What a chart of the change per cell shows: each measured cell once, in its first metric. */
function charted(comparisons: Comparison[]): Comparison[] {
  const measured = comparisons.filter((c) => !Number.isNaN(c.ratio));
  return measured.filter((c) => measured.find((first) => first.key === c.key) === c);
}

/**
 * The change per cell as a Mermaid xychart in a fenced block: GitHub renders it in a job summary,
 * where an image beside the file cannot be shown. Bars are the candidate's median as a percentage
 * of the base's (100 = no change), so they rise from zero; the two lines mark the ±threshold.
 */
export function comparisonMermaid(comparisons: Comparison[], options: CompareOptions): string {
  const shown = charted(comparisons);
  if (shown.length === 0) return '';
  const percent = shown.map((c) => Number((c.ratio * 100).toFixed(1)));
  const band = [100 - options.threshold * 100, 100 + options.threshold * 100];
  const top = Math.ceil(Math.max(band[1]!, ...percent) / 10) * 10;
  const quoted = (text: string) => `"${text.replaceAll('"', "'")}"`;
  const metrics = [...new Set(shown.map((c) => METRICS[c.metric].label))].join(' / ');
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${quoted(`Candidate vs base per cell, ${metrics} (100 = no change; lines: ±${(options.threshold * 100).toFixed(0)}%)`)}`,
    `  x-axis [${distinctParts(shown.map((c) => c.key))
      .map(quoted)
      .join(', ')}]`,
    `  y-axis ${quoted('candidate median, % of base')} 0 --> ${top}`,
    `  bar [${percent.join(', ')}]`,
    ...band.map((edge) => `  line [${shown.map(() => edge).join(', ')}]`),
    '```',
  ].join('\n');
}

/** "threads/connections=10" for "echo/threads/w2/connections=10/cpython-3.11.7": what every key shares, left out (an axis has little room). */
function distinctParts(keys: string[]): string[] {
  const split = keys.map((key) => key.split('/'));
  if (keys.length < 2 || split.some((parts) => parts.length !== split[0]!.length)) return keys;
  const shared = split[0]!.map((part, i) => split.every((parts) => parts[i] === part));
  return split.map((parts) => parts.filter((_, i) => !shared[i]).join('/'));
}

/** Shades the changes too small to count, options.plugins.thresholdBand = { low, high }, behind the bars. */
const thresholdBand: Plugin<'bar', { low?: number; high?: number }> = {
  id: 'thresholdBand',
  beforeDatasetsDraw(chart, _args, band) {
    if (band.low === undefined || band.high === undefined) return;
    const { ctx, chartArea } = chart;
    const y = chart.scales.y!;
    const [top, bottom] = [y.getPixelForValue(band.high), y.getPixelForValue(band.low)];
    ctx.save();
    ctx.fillStyle = 'rgba(120, 120, 120, 0.18)';
    ctx.fillRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
    ctx.restore();
  },
};

/** Change per cell in its first metric (a batch cell's wall time, a server's answers/s), with the interval and the ±threshold band drawn. */
export function comparisonChart(comparisons: Comparison[], options: CompareOptions): ChartConfiguration<'bar'> {
  const shown = charted(comparisons);
  const metrics = [...new Set(shown.map((c) => METRICS[c.metric].label))].join(' / ');
  const threshold = options.threshold * 100;
  const intervals = shown.map((c) => ({ low: (c.interval.low - 1) * 100, high: (c.interval.high - 1) * 100 }));
  // The axis spans every whisker and the band (Chart.js knows only the bars).
  const [low, high] = [
    Math.min(-threshold, ...intervals.map((i) => i.low)),
    Math.max(threshold, ...intervals.map((i) => i.high)),
  ];
  const margin = (high - low) * 0.05;
  const colour = {
    slower: '#e15759',
    faster: '#59a14f',
    differs: '#76b7b2',
    'no change': '#9c9c9c',
    'too few runs': '#edc948',
    missing: '#e15759',
    new: '#9c9c9c',
  };
  return {
    type: 'bar',
    data: {
      labels: shown.map((c) => `${c.key} (${c.metric})`),
      datasets: [
        {
          label: `change in ${metrics} (candidate vs base)`,
          data: shown.map((c) => (c.ratio - 1) * 100),
          backgroundColor: shown.map((c) => colour[c.verdict]),
          errorBars: intervals,
        } as never,
      ],
    },
    options: {
      indexAxis: 'x',
      plugins: {
        title: { display: true, text: `Change per cell, ${metrics}`, font: { size: 24 } },
        subtitle: {
          display: true,
          text: `bars: ratio of medians − 1; whiskers: ${intervalLevel(options.alpha)} interval; grey band: within the ±${threshold.toFixed(0)}% threshold`,
          padding: { bottom: 12 },
        },
        legend: { display: false },
        thresholdBand: { low: -threshold, high: threshold },
      } as never,
      scales: {
        y: { suggestedMin: low - margin, suggestedMax: high + margin, title: { display: true, text: 'change (%)' } },
        x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 30 } },
      },
    },
    plugins: [thresholdBand as Plugin<'bar'>, errorBars],
  };
}

export function comparisonJson(comparisons: Comparison[], options: CompareOptions): string {
  return JSON.stringify({ options, comparisons }, null, 2);
}
