import { join } from 'node:path';
import type { JudgedCell } from '../../analyse/index.ts';
import type { CellSummary } from '../../analyse/summary.ts';
import { type RatioInterval, ratioInterval } from '../../core/stats.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import type { ChartKind, Profile } from '../../define/workload.ts';
import type { Results } from '../../store/results.ts';
import type { ChartConfig } from '../report/charts.ts';

/**
 * A lecture figure: a claim the lecture makes, the experiments that test it, how to draw the
 * answer, and how to read a verdict off the numbers. Figures name workloads; the runner does not.
 */
export interface Figure {
  /** file name and --only name, e.g. "gil-cpu" */
  id: string;
  title: string;
  /** the lecture's section(s), e.g. "5.2.5" */
  section: string;
  /** what the lecture says, in English */
  claim: string;
  experiments(profile: Profile): Experiment[];
  /** rows of charts (one row per interpreter where they differ), each row's drawn side by side */
  draw(data: FigureData): ChartConfig[][];
  /** what the figure shows and how to read it, for under the image */
  caption(data: FigureData): string;
  /**
   * What the numbers say about the claim; the page asks it twice, of the interpreters with a GIL
   * and of those without one (free-threaded builds), each time with only their data.
   */
  verdict(data: FigureData): Finding;
}

/** Where an experiment's results are kept in the figures' folder. */
export function resultsPath(out: string, experiment: string): string {
  return join(out, 'data', experiment, 'results.json');
}

/** One gilbench run a figure needs; figures that need the same experiment share its results. */
export interface Experiment {
  /** unique among all figures' experiments: its results are data/<name>/results.json */
  name: string;
  workloads: string[];
  modes?: string[];
  workers?: number[];
  /** parameter values per workload; several values sweep */
  params?: Record<string, Record<string, number[]>>;
  /**
   * every interpreter found plus every one named (--python all,LIST); the named ones (python3, or
   * --python); the named ones and every free-threaded build found, to measure without the GIL too;
   * or the named ones and every interpreter found that imports all the event-loop frameworks
   */
  pythons: 'all' | 'default' | 'default+free-threaded' | 'default+frameworks';
  repeats: number;
  warmup: number;
  /** finer than the default 100 ms where a figure draws the timeline */
  sampleIntervalMs?: number;
}

/** inconclusive: the cells that decide were measured on a busy machine (the report's busy-machine rule). */
export type Verdict = 'holds' | 'does not hold' | 'depends' | 'inconclusive';

export interface Finding {
  /** the number(s) that decide, as FIGURES.md prints them */
  measured: string;
  verdict: Verdict;
  /** why, in one sentence: what it depends on, or the condition under which it holds */
  because: string;
}

export interface FigureData {
  results(experiment: string): Results;
  /** the experiment's cells, summarised and judged (analyse/index.ts) */
  summaries(experiment: string): JudgedCell[];
  /** the cells with at least one successful measured run */
  measured(experiment: string): JudgedCell[];
  /** one of the report's own charts over these cells, captioned "subject, interpreter" */
  reportChart(kind: ChartKind, experiment: string, cells: CellSummary[], subject: string): ChartConfig;
  /**
   * Every interpreter's data, where these are the page's part of it (those with a GIL, or those
   * without one): a verdict on the GIL's part names the GIL as a cause only where the same
   * experiment without it does not show the same step.
   */
  whole(): FigureData;
}

/** An experiment's measured cells per interpreter, in the results' order (oldest first). */
export function byInterpreter(
  data: FigureData,
  experiment: string,
): { interpreter: Interpreter; cells: JudgedCell[] }[] {
  const cells = data.measured(experiment);
  return data
    .results(experiment)
    .interpreters.map((interpreter) => ({
      interpreter,
      cells: cells.filter((c) => c.cell.interpreter === interpreter.id),
    }))
    .filter((row) => row.cells.length > 0);
}

/** The cells of the first interpreter measured: a claim about one server or one pool is judged on one Python. */
export function firstInterpreter(data: FigureData, experiment: string): JudgedCell[] {
  return byInterpreter(data, experiment)[0]?.cells ?? [];
}

/** The cell's interpreter ran with a GIL: only then may a figure name the GIL as a cause. */
export function underGil(data: FigureData, experiment: string, cell: CellSummary | undefined): boolean {
  return data.results(experiment).interpreters.find((i) => i.id === cell?.cell.interpreter)?.gilEnabled === true;
}

/** An interpreter without a GIL measured this experiment: a caption may promise its row. */
export function measuredWithoutGil(data: FigureData, experiment: string): boolean {
  return byInterpreter(data, experiment).some(({ interpreter }) => !interpreter.gilEnabled);
}

/** One cell's number over another's, b's over a's, with the interval of that ratio over their runs. */
export interface RatioStep {
  /** b's point value over a's (their medians) */
  ratio: number;
  interval: RatioInterval;
  /** the runs the interval rests on: the fewer of the two cells' */
  runs: number;
}

/** b over a: point(b) / point(a), and the interval of b's runs' values over a's (stats.ts ratioInterval). */
export function ratioStep(
  a: JudgedCell,
  b: JudgedCell,
  point: (cell: JudgedCell) => number,
  values: (cell: JudgedCell) => number[],
): RatioStep {
  return {
    ratio: point(b) / point(a),
    interval: ratioInterval(values(a), values(b)),
    runs: Math.min(a.repeats, b.repeats),
  };
}

/** The fewest runs a side whose 95% interval of a ratio can exclude 1: 3 against 3 cannot (stats.ts ratioInterval). */
export const FEWEST_RUNS = 4;
/** Why too few runs tell nothing, as the figures say it. */
export const FEWEST = `${FEWEST_RUNS} a side are the fewest that can show a difference`;

/** An inconclusive verdict's reason when the intervals that decide are missing or unbounded, n the fewest runs a side. */
export const tooFewRuns = (n: number) => `too few runs to tell (n = ${n}): ${FEWEST}.`;
