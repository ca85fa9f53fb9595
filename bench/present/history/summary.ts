import { AB_BAR, AB_JUDGEMENT } from '../../analyse/history/record.ts';
import {
  BLOCKING,
  type Change,
  type ChangeStatus,
  type Finding,
  type HistoryAnalysis,
  type Series,
} from '../../analyse/history/series.ts';
import { METRICS, type MetricId } from '../../core/metrics.ts';
import { markdownTable, pct, textTable } from '../report/comparison.ts';

/** What history check and history report say: the change points, as a terminal table and as markdown for a job summary. */

export interface CheckContext {
  /** how the commits were ordered */
  ordered: 'git' | 'date';
  /** --since's commit */
  since?: string;
  /** why a candidate's two commits could not be measured again, by "from..to" */
  unconfirmable?: Map<string, string>;
}

/** A full SHA as its first 7 characters; any other id (c1, v1.2) as it is. */
export const shortCommit = (id: string) => (/^[0-9a-f]{40}$/.test(id) ? id.slice(0, 7) : id);

const MARK: Record<ChangeStatus, string> = {
  confirmed: '❌ confirmed',
  candidate: '❌ candidate, not confirmed',
  inconclusive: '❌ A/B inconclusive',
  'not confirmed': 'ℹ not confirmed by the A/B',
  improvement: '✅ improvement candidate (not A/B-tested)',
};

const HEADER = [
  'status',
  'cell',
  'metric',
  'machine',
  'change [95% CI]',
  'began at (range)',
  'p',
  'A/B of the two commits',
];

/** "c4→c5: +49.8%, slower (99% CI [+41.2%, +58.0%], p 0.0020)", or why there is none. */
function abText(change: Change, unconfirmable?: Map<string, string>): string {
  const ab = change.confirmation;
  if (ab) {
    // compare's interval of the ratio is at 1 − alpha (ratioInterval); none when too few runs bound it.
    const details = [
      ...(ab.low === null || ab.high === null
        ? []
        : [`${Math.round((1 - AB_JUDGEMENT.alpha) * 100)}% CI [${pct(ab.low)}, ${pct(ab.high)}]`]),
      ...(ab.p === null ? [] : [`p ${ab.p.toFixed(4)}`]),
    ];
    return `${shortCommit(ab.from)}→${shortCommit(ab.to)}: ${ab.ratio === null ? '–' : pct(ab.ratio)}, ${ab.verdict}${details.length ? ` (${details.join(', ')})` : ''}`;
  }
  if (change.status === 'improvement') return '–';
  return (
    unconfirmable?.get(`${change.from}..${change.to}`) ??
    `none recorded of ${shortCommit(change.from)} and ${shortCommit(change.to)}`
  );
}

function row({ series, change }: Finding, context: CheckContext): string[] {
  // A sharp step is its commit; a drift, or a step in noise, may lie anywhere in a range of commits.
  const sharp = change.fromIndex === change.index - 1 && change.toIndex === change.index;
  const range = sharp ? '' : ` (${shortCommit(change.from)}..${shortCommit(change.to)})`;
  return [
    MARK[change.status],
    series.cell,
    METRICS[series.metric].label,
    series.machine,
    `${pct(change.effect)} [${pct(change.interval.low)}, ${pct(change.interval.high)}]`,
    `${shortCommit(change.commit)}${range}`,
    change.p.toFixed(3),
    abText(change, context.unconfirmable),
  ];
}

/** One sentence: how many regressions hold at the newest commit, and what decides the exit code. */
function checkLine(findings: Finding[], analysis: HistoryAnalysis, context: CheckContext): string {
  const count = (status: ChangeStatus) => findings.filter((f) => f.change.status === status).length;
  const blocking = findings.filter((f) => BLOCKING.includes(f.change.status)).length;
  const newest = analysis.commits.at(-1);
  return (
    `${blocking ? `FAIL: ${blocking}` : 'OK: no'} regression${blocking === 1 ? '' : 's'} in effect at ${newest ? shortCommit(newest) : 'no commit'}` +
    `${context.since ? ` since ${shortCommit(context.since)}` : ''} that an A/B confirmed (${count('confirmed')}) or could not rule out ` +
    `(${count('candidate')} candidates without an A/B, ${count('inconclusive')} inconclusive); ${count('not confirmed')} not confirmed by an A/B ` +
    `(it found no change for the worse ${AB_BAR}). ${analysis.commits.length} commits ordered by ${context.ordered === 'git' ? "git's commit order" : 'date'}, ` +
    `${analysis.series.length} series.`
  );
}

export function checkText(findings: Finding[], analysis: HistoryAnalysis, context: CheckContext): string {
  const table = findings.length
    ? [
        textTable(
          HEADER,
          findings.map((f) => row(f, context)),
        ),
        '',
      ]
    : [];
  return [...table, checkLine(findings, analysis, context)].join('\n');
}

/** For a CI job summary: the sentence, the table, and each failing series as a Mermaid line chart (a job summary shows no images). */
export function checkMarkdown(findings: Finding[], analysis: HistoryAnalysis, context: CheckContext): string {
  const blocking = findings.filter((f) => BLOCKING.includes(f.change.status));
  return `${[
    '## gilbench history check',
    `**${checkLine(findings, analysis, context)}**`,
    ...(findings.length
      ? [
          markdownTable(
            HEADER,
            findings.map((f) => row(f, context)),
          ),
        ]
      : []),
    ...blocking.slice(0, 5).map((f) => seriesMermaid(f.series)),
  ].join('\n\n')}\n`;
}

/** Every change point of every series, newest first: history report's summary.md. */
export function changesMarkdown(analysis: HistoryAnalysis, context: CheckContext): string {
  const all = analysis.series
    .flatMap((series) => series.changes.map((change) => ({ series, change })))
    .sort((a, b) => b.change.index - a.change.index);
  const inEffect = all.filter((f) => f.change.inEffect);
  return `${[
    '## gilbench history: change points',
    `**${checkLine(inEffect, analysis, context)}**`,
    all.length
      ? markdownTable(
          HEADER,
          all.map((f) => row(f, context)),
        )
      : 'No change point in any series.',
    'A change point found in a series from a shared machine is a *candidate* until an interleaved A/B of the commit before it and the commit after it confirms it (`gilbench history confirm`).',
  ].join('\n\n')}\n`;
}

/** A metric's axis title: its label, and its unit in brackets (a ratio's "x" left out). */
export function axisTitle(metric: MetricId): string {
  const { label, unit } = METRICS[metric];
  return `${label}${unit && unit !== 'x' ? ` (${unit})` : ''}`;
}

/** The series' medians per commit (the newest 30) as a Mermaid xychart. */
function seriesMermaid(series: Series): string {
  const points = series.points.slice(-30);
  const quoted = (text: string) => `"${text.replaceAll('"', "'")}"`;
  const { label } = METRICS[series.metric];
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${quoted(`${series.cell}: ${label} per commit (median), ${series.machine}`)}`,
    `  x-axis [${points.map((p) => quoted(shortCommit(p.commit))).join(', ')}]`,
    `  y-axis ${quoted(axisTitle(series.metric))}`,
    `  line [${points.map((p) => Number(p.median.toPrecision(4))).join(', ')}]`,
    '```',
  ].join('\n');
}
