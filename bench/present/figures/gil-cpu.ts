import type { CellSummary } from '../../analyse/summary.ts';
import { onBusyMachine } from '../../analyse/summary.ts';
import { type Direction, directionOf } from '../../analyse/verdicts/rule.ts';
import { speedupByVersion } from '../report/charts.ts';
import { speedupWithInterval, times, type VersionComparison, versionComparisons } from '../report/versions.ts';
import { FEWEST, type Figure, type FigureData, type Finding } from './figure.ts';

const EXPERIMENT = 'gil-cpu';

/** Every interpreter's row, also when only one ran (a verdict on the builds without a GIL, say). */
function comparison(data: FigureData): VersionComparison {
  return versionComparisons(data.results(EXPERIMENT), data.summaries(EXPERIMENT), 1)[0]!;
}

/** Where a mode's interval of the speedup lies (the verdict rules' directionOf), unless the machine was busy. */
function side(cell: CellSummary): Direction | 'busy' {
  return onBusyMachine(cell) ? 'busy' : directionOf(cell.speedupInterval ?? { low: NaN, high: NaN });
}

export const gilCpu: Figure = {
  id: 'gil-cpu',
  title: 'GIL, CPU-bound: two countdowns in threads, processes and subinterpreters',
  section: '5.2.5',
  claim:
    'We see that running in parallel with threads took longer. […] If a task is CPU-bound, code written with threads in Python will be inefficient: it will run slower than the same code run sequentially.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['countdown'],
      modes: ['serial', 'threads', 'processes', 'subinterpreters'],
      workers: [2],
      pythons: 'all',
      repeats: { quick: 2, default: 4, full: 7 }[profile],
      warmup: profile === 'quick' ? 0 : 1,
    },
  ],
  draw: (data) => [[speedupByVersion(comparison(data))]],
  caption: (data) => {
    const c = comparison(data);
    return (
      `The lecture's experiment, count(n) twice with n = ${c.rows[0]?.serial?.cell.params.n?.toLocaleString('en-US')}, on every Python found here and every one named (oldest first; a free-threaded build is labelled "no GIL"). ` +
      "Each bar is a mode's speedup over running the two counts one after the other (serial) in the same interpreter; whiskers are 95% intervals; the dashed line is what two cores could give. " +
      "Python 2.7's old GIL makes two threads fight over the lock across cores; since 3.2 threads merely take turns; processes and (3.12+) subinterpreters, each with a GIL of its own, use both cores, and so do threads without a GIL."
    );
  },
  verdict: (data): Finding => {
    const rows = comparison(data).rows.filter((row) => row.byMode.get('threads')?.speedup !== undefined);
    const threads = (row: (typeof rows)[number]) => row.byMode.get('threads')!;
    const best = (mode: string) => Math.max(...rows.map((row) => row.byMode.get(mode)?.speedup ?? 0));
    const measured =
      `threads vs serial at W=2: ${rows.map((row) => `${row.label} ${speedupWithInterval(threads(row))}`).join('; ')}` +
      `. Best processes: ${times(best('processes'))}${best('subinterpreters') ? `, best subinterpreters: ${times(best('subinterpreters'))}` : ''}.`;
    const on = (which: ReturnType<typeof side>) =>
      rows.filter((row) => side(threads(row)) === which).map((row) => row.label);
    const [slower, faster, noise, busy, few] = [on('slower'), on('faster'), on('noise'), on('busy'), on('unknown')];
    if (busy.length === rows.length)
      return {
        measured,
        verdict: 'inconclusive',
        because: "other programs used the machine while every interpreter's threads ran: rerun on a quieter machine.",
      };
    if (few.length + busy.length === rows.length)
      return {
        measured,
        verdict: 'inconclusive',
        because: `too few runs to tell on every interpreter (${FEWEST}): run the default profile.`,
      };
    if (slower.length === rows.length)
      return { measured, verdict: 'holds', because: 'threads were slower than serial on every interpreter found.' };
    const groups = [
      slower.length ? `slower than serial on ${slower.join(', ')}` : '',
      noise.length ? `no different from serial beyond this run's noise on ${noise.join(', ')}` : '',
      faster.length ? `faster than serial on ${faster.join(', ')}` : '',
      busy.length ? `not judged on ${busy.join(', ')} (measured on a busy machine)` : '',
      few.length ? `not judged on ${few.join(', ')} (too few runs to tell)` : '',
    ].filter(Boolean);
    return {
      measured,
      verdict: slower.length ? 'depends' : 'does not hold',
      because: `${slower.length ? 'on the interpreter: ' : ''}threads were ${groups.join('; ')}.`,
    };
  },
};
