import { fail } from '../../core/errors.ts';
import type { Machine } from '../../define/machine.ts';
import { sizeOf } from '../../define/plan.ts';
import {
  CONFIRMATION_SCHEMA,
  type Confirmation,
  ENTRY_SCHEMA,
  type Entry,
  HISTORY_VERSION,
  type MachineIdentity,
} from '../../store/history.ts';
import type { Results } from '../../store/results.ts';
import { type CompareOptions, type Comparison, headlineRuns } from '../compare.ts';

/** What the history store keeps of a results file, and of an A/B of two commits. */

export interface EntryContext {
  commit: string;
  date: string;
  branch?: string;
  runner: string;
}

/**
 * How an interleaved A/B of two revisions is judged, wherever one confirms a change (history
 * confirm, bench:ci's claims against its baseline) and in the workflow's A/B gate: a change beyond
 * ±5% at p < 0.01 (the paired signed-rank test, round by round).
 */
export const AB_JUDGEMENT: Pick<CompareOptions, 'threshold' | 'alpha'> = { threshold: 0.05, alpha: 0.01 };

/** What an A/B that confirms nothing ruled out, in AB_JUDGEMENT's terms: "beyond 5% at p < 0.01". */
export const AB_BAR = `beyond ${Number((AB_JUDGEMENT.threshold * 100).toFixed(1))}% at p < ${AB_JUDGEMENT.alpha}`;

function machineIdentity(machine: Machine, runner: string): MachineIdentity {
  return { runner, cpuModel: machine.cpuModel, logicalCores: machine.logicalCores, kernel: machine.kernel };
}

/** A results file as a store entry: each cell's identity, its size, and every measured run of its headline metrics. */
export function entryFromResults(
  results: Results,
  source: string,
  { commit, date, branch, runner }: EntryContext,
): Entry {
  // A merged file holds several machines' runs under one machine: absolute times would mix.
  if (results.sources?.length)
    fail(
      `"${source}" is a merge of ${results.sources.length} runs; add each run's own results file, so that each is filed under its machine.`,
    );
  if (results.status === 'running')
    fail(`"${source}" is still being written (status running); add it once its run has ended.`);
  const cells = headlineRuns(results)
    .filter(({ runs }) => Object.keys(runs).length > 0)
    .map(({ cell, kind, runs }) => {
      const size = sizeOf(results.plan.sizes, cell);
      const { id, workload, mode, workers, interpreter, sweep } = cell;
      return {
        id,
        workload,
        mode,
        workers,
        interpreter,
        sweep,
        kind,
        ...(size && { size: { param: size.param, value: size.value, how: size.how } }),
        runs,
      };
    });
  if (cells.length === 0) fail(`"${source}" has no cell with a successful measured run: nothing to record.`);
  return {
    schema: ENTRY_SCHEMA,
    version: HISTORY_VERSION,
    commit,
    run: results.runId,
    date,
    ...(branch !== undefined && { branch }),
    measuredAt: results.startedAt,
    machine: machineIdentity(results.machine, runner),
    command: results.command,
    cells,
  };
}

/** An interleaved A/B of commits `from` and `to` (base and candidate), as compare judged it, for the store. */
export function confirmationFrom(
  ab: Results,
  comparisons: Comparison[],
  { from, to, runner, across }: { from: string; to: string; runner: string; across: Confirmation['across'] },
): Confirmation {
  const orNull = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    schema: CONFIRMATION_SCHEMA,
    version: HISTORY_VERSION,
    from,
    to,
    measuredAt: ab.startedAt,
    machine: machineIdentity(ab.machine, runner),
    run: ab.runId,
    across,
    cells: comparisons.map((c) => ({
      key: c.key,
      metric: c.metric,
      ratio: orNull(c.ratio),
      low: orNull(c.interval.low),
      high: orNull(c.interval.high),
      p: orNull(c.p),
      verdict: c.verdict,
    })),
  };
}
