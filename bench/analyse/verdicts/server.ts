import { latency } from '../../core/format.ts';
import { BUSY_THREAD } from '../../define/load.ts';
import { type CellSummary, onBusyMachine } from '../summary.ts';
import type { Evidence } from './evidence.ts';
import { direction, pct, type Rule, ratio } from './rule.ts';

const perS = (value: number) => Math.round(value).toLocaleString('en-US');
const connections = (e: Evidence) => e.summary.cell.params.connections ?? 0;
const timeouts = (e: Evidence) => e.summary.server?.errors.timeout ?? 0;
const generatorBound = (s: CellSummary) => (s.server?.busiestThread ?? 0) >= BUSY_THREAD;

/** How the server's CPU was spread, from per-process CPU and the user/system split; never from tree CPU% alone. */
function spread(e: Evidence): string {
  const split =
    e.userCores === undefined ? '' : `user ${e.userCores.toFixed(2)} + system ${e.systemCores!.toFixed(2)} cores`;
  if (e.processes > 1 && (e.busyProcessesAtOnce ?? 0) >= 2) {
    return `${e.busyProcessesAtOnce} of its processes were each busy at the same sampled moment (${split}; accepts per worker ${e.summary.server!.accepted.join(' / ')}) — in parallel`;
  }
  // Only a GIL build's single process is held to one core of Python, and only user time within a core shows it was.
  if (e.processes === 1 && e.oneGil === true && (e.userCores ?? Infinity) <= 1) {
    return `one process under one GIL: ${split} (CPU beyond the user share is the kernel's send and receive, not Python code on a second core)`;
  }
  return split;
}

/** A server cell: answers/s and p99 against serial, what starved, what limited the measurement, how its CPU was spread. */
export const SERVER_RULES: Rule[] = [
  {
    id: 'one-at-a-time',
    kinds: ['server'],
    needs: "the load generator's timeouts and the connections still open at the window's end",
    says: 'served one client at a time: N of C connections got no answer within the timeout.',
    holds: (e) => timeouts(e) > 0 && (e.summary.server?.openAtEnd ?? 0) < connections(e),
    sentence: (e) =>
      `served one client at a time: ${connections(e) - e.summary.server!.openAtEnd} of ${connections(e)} connections got no answer within the timeout ` +
      `(${timeouts(e)} timeouts over the runs); its ${perS(e.summary.primary.median)} answers/s came from the clients it was serving.`,
  },
  {
    id: 'generator-bound',
    kinds: ['server'],
    needs: "the load generator's busiest thread's event-loop utilisation (≥ 90% of the window)",
    says: 'at least N answers/s — the load generator was the limit; the server may be faster.',
    holds: (e) => generatorBound(e.summary),
    sentence: (e) => {
      const { busiestThread, engine, ceilingPerS } = e.summary.server!;
      const ceiling = ceilingPerS === undefined ? '' : `, its ceiling here about ${perS(ceilingPerS)}/s`;
      return (
        `at least ${perS(e.summary.primary.median)} answers/s (p99 ${latency(e.summary.taskP99S)}) — the load generator was the limit ` +
        `(${engine} engine, busy ${pct(busiestThread * 100)} of the window${ceiling}), so the server may be faster and no comparison is drawn.`
      );
    },
  },
  {
    id: 'server-noise',
    kinds: ['server'],
    needs: "the speedup's 95% interval in answers/s (reaching 1)",
    says: "N answers/s: no difference from serial beyond this run's noise; how its CPU was spread.",
    holds: (e) => direction(e) === 'noise',
    sentence: (e) =>
      `${perS(e.summary.primary.median)} answers/s (p99 ${latency(e.summary.taskP99S)}): no difference from serial beyond this run's noise (${ratio(e)}); ${spread(e)}.`,
  },
  {
    id: 'server-differs',
    kinds: ['server'],
    needs:
      "the speedup's interval in answers/s (not reaching 1); per-process CPU in the samples; user/system CPU in the window",
    says: 'X serial in answers/s (N/s, p99 P); how its CPU was spread.',
    holds: (e) => direction(e) === 'faster' || direction(e) === 'slower',
    sentence: (e) =>
      `${ratio(e)} in answers/s (${perS(e.summary.primary.median)}/s, p99 ${latency(e.summary.taskP99S)}); ${spread(e)}.`,
  },
];

/** Fewer measured runs than this in either of two cells, and no order is claimed between them. */
export const RANK_RUNS = 3;

/**
 * One line per sweep point comparing the servers with each other by answers/s: ">" where the
 * intervals of two neighbours' medians are apart (both with RANK_RUNS runs or more), "≈" where they
 * overlap, "·" where either had too few runs to tell, "≥" where the generator was the limit. Idle
 * connections answer nothing: they are not ranked; nor is a line whose every server ran on a busy machine.
 */
export function serverRanking(cells: CellSummary[], label: string): string {
  const ranked = cells
    .filter((c) => c.repeats > 0 && !c.server?.idle)
    .sort((a, b) => b.primary.median - a.primary.median);
  if (ranked.length < 2) return '';
  const modes = ranked.map((c) => c.cell.mode);
  // Two cells of one mode in a line (prefork at two W) are told apart by their W.
  const name = (c: CellSummary) =>
    modes.filter((m) => m === c.cell.mode).length > 1 ? `${c.cell.mode} (W=${c.cell.workers})` : c.cell.mode;
  const busy = ranked.every(onBusyMachine);
  const parts = ranked.map((c, i) => {
    const next = ranked[i + 1];
    const enough = next && !busy && Math.min(c.repeats, next.repeats) >= RANK_RUNS;
    const gap = !next ? '' : !enough ? ' ·' : c.primary.interval.low > next.primary.interval.high ? ' >' : ' ≈';
    return `${name(c)} ${generatorBound(c) ? '≥ ' : ''}${perS(c.primary.median)}/s (p99 ${latency(c.taskP99S)})${gap}`;
  });
  const legend = busy
    ? `inconclusive: every server here ran on a busy machine, so no order is drawn ("·")`
    : `">" where the intervals of the medians are apart, "≈" where they overlap, "·" too few runs to tell (fewer than ${RANK_RUNS} each), "≥" a lower bound (the load generator was the limit)`;
  return `at ${label}: ${parts.join(' ')} — ${legend}.`;
}
