import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type CompareOptions, type Comparison, compare, REGRESSIONS } from '../../analyse/compare.ts';
import { fail, writing } from '../../core/errors.ts';
import { METRIC_IDS, type MetricId } from '../../core/metrics.ts';
import {
  comparisonChart,
  comparisonJson,
  comparisonMarkdown,
  comparisonMermaid,
  comparisonText,
  intervalLevel,
} from '../../present/report/comparison.ts';
import { renderPng } from '../../present/report/render.ts';
import { makeFolder } from '../../store/durable.ts';
import { readResults, writeAtomic } from '../../store/results.ts';
import { list, number, parse } from './args.ts';

/** --alpha's default: the significance level, and 1 − alpha the level of each change's interval. */
const DEFAULT_ALPHA = '0.01';

export const COMPARE_HELP = `Usage: gilbench compare BASE.json CAND.json [options]
       gilbench compare RESULTS.json --base-interpreter ID --cand-interpreter ID [options]
       gilbench compare RESULTS.json --base-label base --cand-label head [options]
       gilbench compare RESULTS.json --sides base,head [options]

Matches cells by workload, mode, workers, swept parameters and interpreter — or compares two interpreters, or two
labelled revisions of the workloads (run --workloads-dir DIR=LABEL), of one run: A/B in one
interleaved run, so drift hits both alike. Per cell and metric: the ratio of
medians with a ${intervalLevel(Number(DEFAULT_ALPHA))} interval (1 − alpha) and a p-value — Mann-Whitney U between two runs, the
paired Wilcoxon signed-rank test (round r against round r) between the two sides of one run. "slower" or "faster" needs
both p < alpha and a change beyond the threshold; anything else is "no change".

Options:
  --metrics LIST         wall, throughput, p99, speedup, cpu (default: each cell's headline metrics:
                         a batch workload's wall time and speedup vs serial, a server's answers/s
                         and latency p99). A metric a cell does not have is left out for it.
                         speedup and cpu are ratios within one run, so they compare across
                         machines; wall, throughput and p99 do not
  --threshold PCT        smallest change that counts (default: 5)
  --alpha P              significance level; each change's interval is at 1 − P (default: ${DEFAULT_ALPHA})
  --base-interpreter ID  with --cand-interpreter: compare two interpreters of one results file
  --cand-interpreter ID
  --sides BASE,CAND      the same as --base-interpreter BASE --cand-interpreter CAND, e.g. for
                         interpreters labelled in the run: --python base=PATH,head=PATH
  --base-label LABEL     with --cand-label: compare two revisions of the workloads in one file
  --cand-label LABEL
  --markdown FILE        also write a markdown summary, its chart a PNG beside it (for a report folder)
  --summary FILE         also write the markdown table with the chart as Mermaid, no image: what a
                         GitHub job summary shows (cat FILE >> "$GITHUB_STEP_SUMMARY")
  --json FILE            also write every comparison as JSON
  --fail-on-regression   exit 1 when any cell is slower, or missing from the candidate (its runs failed)
  -h, --help             show this help

Exit codes: 0 compared, 1 a regression with --fail-on-regression, 2 bad input.`;

/** --sides base,head is shorthand for --base-interpreter base --cand-interpreter head. */
function interpreterSides(sides: string | undefined, base: string | undefined, cand: string | undefined) {
  if (sides === undefined) return { baseInterpreter: base, candInterpreter: cand };
  const names = sides.split(',').map((name) => name.trim());
  if (names.length !== 2 || names.some((name) => !name))
    fail(`--sides takes two interpreters, BASE,CAND, e.g. --sides base,head; got "${sides}".`);
  if (base !== undefined || cand !== undefined)
    fail('--sides names both interpreters; leave out --base-interpreter and --cand-interpreter.');
  return { baseInterpreter: names[0], candInterpreter: names[1] };
}

export function compareCommand(args: string[]): number {
  const { values, positionals } = parse(
    args,
    {
      metrics: { type: 'string', multiple: true },
      threshold: { type: 'string', default: '5' },
      alpha: { type: 'string', default: DEFAULT_ALPHA },
      'base-interpreter': { type: 'string' },
      'cand-interpreter': { type: 'string' },
      'base-label': { type: 'string' },
      'cand-label': { type: 'string' },
      sides: { type: 'string' },
      markdown: { type: 'string' },
      summary: { type: 'string' },
      json: { type: 'string' },
      'fail-on-regression': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
  if (positionals.length < 1 || positionals.length > 2)
    fail('gilbench compare takes one or two results files; see --help.');
  const metrics = list(values.metrics)?.map((m) =>
    (METRIC_IDS as readonly string[]).includes(m)
      ? (m as MetricId)
      : fail(`Unknown metric "${m}"; the metrics are ${METRIC_IDS.join(', ')}.`),
  );
  const options: CompareOptions = {
    metrics,
    threshold: number('--threshold', values.threshold, 0, 1000)! / 100,
    alpha: number('--alpha', values.alpha, 1e-9, 0.5)!,
    ...interpreterSides(values.sides, values['base-interpreter'], values['cand-interpreter']),
    baseLabel: values['base-label'],
    candLabel: values['cand-label'],
  };
  const base = readResults(positionals[0]!);
  const cand = positionals[1] ? readResults(positionals[1]) : base;
  const bothInterpreters = options.baseInterpreter !== undefined && options.candInterpreter !== undefined;
  const bothLabels = options.baseLabel !== undefined && options.candLabel !== undefined;
  if (!positionals[1] && !bothInterpreters && !bothLabels) {
    fail(
      'With one results file, name the two sides: --sides BASE,CAND (interpreters), --base-interpreter and --cand-interpreter, or --base-label and --cand-label.',
    );
  }
  const comparisons = compare(base, cand, options);
  console.log(comparisonText(comparisons, options));
  const sides = options.baseLabel
    ? `${options.baseLabel} → ${options.candLabel}`
    : `${options.baseInterpreter} → ${options.candInterpreter}`;
  const title = positionals[1] ? `${base.runId} → ${cand.runId}` : `${sides} (${base.runId})`;
  writeOutputs(comparisons, options, title, values);
  return values['fail-on-regression'] && comparisons.some((c) => REGRESSIONS.includes(c.verdict)) ? 1 : 0;
}

/** --markdown (with its chart beside it), --summary (a Mermaid chart, for a job summary) and --json. */
function writeOutputs(
  comparisons: Comparison[],
  options: CompareOptions,
  title: string,
  to: { markdown?: string; summary?: string; json?: string },
): void {
  const { markdown } = to;
  if (markdown) {
    const chart = `${basename(markdown).replace(/\.md$/, '')}.png`;
    writing(`the comparison's chart beside ${markdown}`, () => {
      makeFolder(dirname(markdown));
      writeFileSync(join(dirname(markdown), chart), renderPng(comparisonChart(comparisons, options) as never));
    });
    writeAtomic(markdown, comparisonMarkdown(comparisons, options, title, `![change per cell](${chart})`));
  }
  if (to.summary)
    writeAtomic(to.summary, comparisonMarkdown(comparisons, options, title, comparisonMermaid(comparisons, options)));
  if (to.json) writeAtomic(to.json, comparisonJson(comparisons, options));
}
