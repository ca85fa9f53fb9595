import type { CellSummary } from '../../analyse/summary.ts';
import { onBusyMachine } from '../../analyse/summary.ts';
import { bracket, fixed } from '../../core/format.ts';
import { formatValue, METRICS, PRIMARY, type RunKind, speedRatio } from '../../core/metrics.ts';
import { bounded, median, ratioInterval } from '../../core/stats.ts';
import { byVersion, gilStatus, type Interpreter, interpreterLabel } from '../../define/interpreters.ts';
import { type Skip, sweepParts } from '../../define/plan.ts';
import type { Results } from '../../store/results.ts';

/** One workload (at one sweep point and W) across every interpreter of a run: what changed between versions. */
export interface VersionComparison {
  workload: string;
  sweep: Record<string, number>;
  workers: number;
  /** the modes compared with serial */
  modes: string[];
  /** oldest first */
  rows: VersionRow[];
  /** what some interpreters could not run, and why */
  skipped: Skip[];
  kind: RunKind;
  cores: number;
  /**
   * The size parameter, when the interpreters' serial tasks had different sizes (each its own
   * calibrated n): serial speeds are then compared per unit of it, never by their times.
   */
  perUnit?: string;
}

export interface VersionRow {
  interpreter: Interpreter;
  /** "3.13.0t, no GIL": the interpreter as a chart names it */
  label: string;
  serial?: CellSummary;
  byMode: Map<string, CellSummary>;
  /** serial's speed relative to the newest interpreter's serial (1.0 = as fast) */
  serialVsNewest?: number;
}

/**
 * Compare at the most workers the cores can run at once (W = cores when planned); a workload with
 * an ideal of its own (IO-bound: W waits overlap whatever the cores) at its largest W.
 */
function comparedWorkers(cells: CellSummary[], cores: number, ioBound: boolean): number {
  const workers = [...new Set(cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
  return ioBound ? workers.at(-1)! : (workers.filter((w) => w <= cores).at(-1) ?? workers[0]!);
}

/** A serial cell's runs in its primary metric, per unit of its size when serial tasks differed in size. */
function serialValues(cell: CellSummary, perUnit: string | undefined): number[] {
  const size = perUnit ? cell.cell.params[perUnit]! : 1;
  return cell.primary.values.map((value) => value / size);
}

/** serial's speed relative to another serial, in their primary metric: above 1 is faster. */
function relativeSpeed(cell: CellSummary, reference: CellSummary, perUnit: string | undefined): number {
  return speedRatio(cell.primary.metric, median(serialValues(cell, perUnit)), median(serialValues(reference, perUnit)));
}

/** The size parameter, when the serial cells of a comparison ran different sizes of it. */
function differingSize(results: Results, serials: CellSummary[]): string | undefined {
  const param = results.plan.sizes.find((s) => serials.some((c) => c.cell.workload === s.workload))?.param;
  return param && new Set(serials.map((c) => c.cell.params[param])).size > 1 ? param : undefined;
}

/** One comparison per workload and sweep point (the report draws them when a run had more than one interpreter). */
/**
 * fewest: the interpreters that must have run (or skipped) a workload for it to be compared; the
 * report compares two or more, a figure judging each interpreter on its own needs one.
 */
export function versionComparisons(results: Results, summaries: CellSummary[], fewest = 2): VersionComparison[] {
  const interpreters = [...results.interpreters].sort(byVersion);
  return results.plan.workloads.flatMap((info) => {
    const cells = summaries.filter((s) => s.cell.workload === info.name && s.repeats > 0);
    if (cells.length === 0) return [];
    const skipped = results.plan.skipped.filter((s) => s.workload === info.name);
    // One interpreter ran it, or skipped it, or none: nothing to compare (a Node.js workload runs on Node.js alone).
    if (new Set([...cells, ...skipped].map((c) => ('cell' in c ? c.cell.interpreter : c.interpreter))).size < fewest)
      return [];
    const workers = comparedWorkers(cells, results.machine.logicalCores, info.ideal !== undefined);
    const atWorkers = (c: CellSummary) => c.cell.workers === workers || info.ignoresWorkers.includes(c.cell.mode);
    const sweeps = [...new Map(cells.map((c) => [JSON.stringify(c.cell.sweep), c.cell.sweep])).values()];
    return sweeps.map((sweep) => {
      const here = cells.filter((c) => atWorkers(c) && JSON.stringify(c.cell.sweep) === JSON.stringify(sweep));
      const rows = interpreters.flatMap((interpreter): VersionRow[] => {
        const own = here.filter((c) => c.cell.interpreter === interpreter.id);
        if (own.length === 0) return [];
        const byMode = new Map(own.filter((c) => c.cell.mode !== 'serial').map((c) => [c.cell.mode, c]));
        return [
          {
            interpreter,
            label: interpreterLabel(interpreter),
            serial: own.find((c) => c.cell.mode === 'serial'),
            byMode,
          },
        ];
      });
      const newest = rows.filter((row) => row.serial).at(-1)?.serial;
      const perUnit = differingSize(
        results,
        rows.flatMap((row) => row.serial ?? []),
      );
      for (const row of rows) if (row.serial && newest) row.serialVsNewest = relativeSpeed(row.serial, newest, perUnit);
      const modes = [...new Set(rows.flatMap((row) => [...row.byMode.keys()]))];
      return {
        workload: info.name,
        sweep,
        workers,
        modes,
        rows,
        skipped,
        kind: info.kind,
        cores: results.machine.logicalCores,
        perUnit,
      };
    });
  });
}

export function comparisonTitle(comparison: VersionComparison): string {
  return [`W=${comparison.workers}`, ...sweepParts(comparison.sweep)].join(', ');
}

export const times = (value: number | undefined) => (value === undefined ? '–' : `${fixed(value, 2)}x`);

export function speedupWithInterval(cell: CellSummary | undefined): string {
  if (cell?.speedup === undefined) return '–';
  const interval = cell.speedupInterval;
  return interval ? `${times(cell.speedup)} ${bracket(interval, cell.speedupRuns!)}` : times(cell.speedup);
}

/** Two speedups whose intervals do not overlap differ beyond the noise of this run. */
function apart(a: CellSummary, b: CellSummary): boolean {
  const [x, y] = [a.speedupInterval, b.speedupInterval];
  return !x || !y ? true : x.high < y.low || y.high < x.low;
}

/** "threads: 2.7.18 0.21x · 3.8.18 0.96x …; biggest step 2.7.18 → 3.8.18": one mode across versions, in one line. */
function modeLine(comparison: VersionComparison, mode: string): string {
  const measured = comparison.rows.flatMap((row) => {
    const cell = row.byMode.get(mode);
    return cell?.speedup === undefined ? [] : [{ row, cell }];
  });
  const values = measured.map(({ row, cell }) => `${row.label} ${times(cell.speedup)}`).join(' · ');
  const missing = comparison.skipped.filter((s) => s.mode === mode || !s.mode);
  const notRun = missing.length
    ? ` Not run on ${[...new Set(missing.map((s) => s.interpreter))].join(', ')}: ${missing[0]!.reason.split(':')[0]}.`
    : '';
  if (measured.length < 2) return `- **${mode}** vs serial: ${values || 'not measured'}.${notRun}`;
  let step = { from: measured[0]!, to: measured[1]!, size: -1 };
  for (let i = 1; i < measured.length; i++) {
    const size = Math.abs(measured[i]!.cell.speedup! - measured[i - 1]!.cell.speedup!);
    if (size > step.size) step = { from: measured[i - 1]!, to: measured[i]!, size };
  }
  const ends = [step.from, step.to];
  const busy = ends.filter(({ cell }) => onBusyMachine(cell));
  // One run has no interval and 2–3 runs an unbounded one: they never lie apart, and overlap says nothing.
  const few = ends.some(({ cell }) => cell.speedupInterval && !bounded(cell.speedupInterval));
  const change = busy.length
    ? `the biggest step, ${step.from.row.label} → ${step.to.row.label}, is not judged: ${busy.map(({ row }) => row.label).join(' and ')} ran on a busy machine`
    : few
      ? `the biggest step, ${step.from.row.label} → ${step.to.row.label}, is not judged: too few runs to tell (n = ${Math.min(...ends.map(({ cell }) => cell.speedupRuns!))})`
      : apart(step.from.cell, step.to.cell)
        ? `the biggest step is ${step.from.row.label} → ${step.to.row.label} (${times(step.from.cell.speedup)} → ${times(step.to.cell.speedup)}, intervals apart)`
        : `no step between neighbouring versions is beyond this run's noise (their intervals overlap)`;
  return `- **${mode}** vs serial: ${values}; ${change}.${notRun}`;
}

const SERIAL_SPEED: Record<RunKind, string> = {
  batch: 'single-thread speed (serial)',
  server: 'serial server throughput',
};

function serialLine(comparison: VersionComparison): string {
  const rows = comparison.rows.filter((row) => row.serialVsNewest !== undefined);
  if (rows.length < 2) return '';
  const newest = rows.at(-1)!.label;
  const what = SERIAL_SPEED[comparison.kind];
  const unit = comparison.perUnit
    ? `, per unit of ${comparison.perUnit} (each interpreter ran its own calibrated ${comparison.perUnit})`
    : '';
  return `- **${what}** relative to ${newest}${unit}: ${rows.map((row) => `${row.label} ${times(row.serialVsNewest)}`).join(' · ')}.`;
}

/** Version numbers apart, most significant part first: 3.13.5 is nearer 3.13.0 than 3.12.9. */
function distance(a: string, b: string): number[] {
  const [x, y] = [a, b].map((v) => v.split('.').map((part) => parseInt(part, 10) || 0));
  return [0, 1, 2].map((i) => Math.abs((x![i] ?? 0) - (y![i] ?? 0)));
}

function nearer(a: number[], b: number[]): number {
  return a.map((part, i) => part - b[i]!).find((d) => d !== 0) ?? 0;
}

/** "23.9 → 24.3 MiB (+180 KiB per thread)": peak RSS of serial and of threads at W, and the difference per thread. */
function rssPerThread(row: VersionRow, workers: number): string | undefined {
  const threads = row.byMode.get('threads');
  if (!threads || !row.serial) return undefined;
  const perThread = (threads.peakRssKiB - row.serial.peakRssKiB) / workers;
  const mib = (kib: number) => fixed(kib / 1024, 1);
  return `${row.label} ${mib(row.serial.peakRssKiB)} → ${mib(threads.peakRssKiB)} MiB (${perThread >= 0 ? '+' : '−'}${Math.round(Math.abs(perThread)).toLocaleString('en-US')} KiB per thread)`;
}

/**
 * A free-threaded build against the GIL build of the nearest version: what running without a GIL
 * costs one thread (serial wall time, with its interval), and the memory each thread adds.
 */
function freeThreadedLines(comparison: VersionComparison): string[] {
  if (comparison.kind === 'server') return [];
  const withGil = comparison.rows.filter((row) => row.serial && !row.interpreter.freeThreadedBuild);
  return comparison.rows
    .filter((row) => row.serial && !row.interpreter.gilEnabled)
    .flatMap((free) => {
      const base = [...withGil].sort((a, b) =>
        nearer(
          distance(a.interpreter.version, free.interpreter.version),
          distance(b.interpreter.version, free.interpreter.version),
        ),
      )[0];
      if (!base) return [];
      const [baseValues, freeValues] = [base, free].map((row) => serialValues(row.serial!, comparison.perUnit));
      const ratio = median(freeValues!) / median(baseValues!);
      const interval = ratioInterval(baseValues!, freeValues!);
      const rss = [free, base].map((row) => rssPerThread(row, comparison.workers));
      const memory = rss.every(Boolean)
        ? `; peak RSS, serial → threads at W=${comparison.workers}: ${rss.join(', ')}`
        : '';
      return [
        `- **without the GIL, one thread**: ${free.label} vs ${base.label} (the GIL build of the nearest version): serial wall time${comparison.perUnit ? ` per ${comparison.perUnit}` : ''} ${times(ratio)} ${bracket(interval, Math.min(base.serial!.repeats, free.serial!.repeats))}${memory}.`,
      ];
    });
}

/** The table and the one-line-per-mode summary of a comparison, for report.md. */
export function versionSection(comparison: VersionComparison, images: { title: string; file: string }[]): string {
  const primary = PRIMARY[comparison.kind];
  const header = [
    'interpreter',
    'GIL',
    `serial ${METRICS[primary].label} (median)`,
    comparison.perUnit ? `serial vs newest, per ${comparison.perUnit}` : 'serial vs newest',
    ...comparison.modes.map((m) => `${m} vs serial [95% CI]`),
  ];
  const rows = comparison.rows.map((row) => [
    row.interpreter.id,
    gilStatus(row.interpreter),
    row.serial ? formatValue(primary, row.serial.primary.median) : '–',
    times(row.serialVsNewest),
    ...comparison.modes.map((mode) => speedupWithInterval(row.byMode.get(mode))),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### Across interpreters: ${comparison.workload}, ${comparisonTitle(comparison)}`,
    [
      ...comparison.modes.map((mode) => modeLine(comparison, mode)),
      serialLine(comparison),
      ...freeThreadedLines(comparison),
    ]
      .filter(Boolean)
      .join('\n'),
    [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n'),
    ...images.map((image) => `![${image.title}](${image.file})`),
  ].join('\n\n');
}
