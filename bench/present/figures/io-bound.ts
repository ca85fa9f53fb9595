import type { JudgedCell } from '../../analyse/index.ts';
import { fixed } from '../../core/format.ts';
import { bounded } from '../../core/stats.ts';
import {
  byInterpreter,
  type Figure,
  type FigureData,
  type Finding,
  firstInterpreter,
  tooFewRuns,
  underGil,
} from './figure.ts';

const EXPERIMENT = 'io-bound';

const measured = (data: FigureData) => firstInterpreter(data, EXPERIMENT);

/** A mode at the most workers it ran with. */
function widest(cells: JudgedCell[], mode: string): JudgedCell | undefined {
  return cells.filter((c) => c.cell.mode === mode).sort((a, b) => b.cell.workers - a.cell.workers)[0];
}

export const ioBound: Figure = {
  id: 'io-bound',
  title: 'IO-bound: fetching over W workers, per mode, with the ideal',
  section: '5.2.5, 5.4.5',
  claim:
    'If we replace the code of our function with a task that needs input/output, we will notice a large gain in total time when comparing serial and threaded execution.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['fetch'],
      workers: { quick: [1, 4, 16], default: [1, 4, 16, 64], full: [1, 2, 4, 8, 16, 32, 64] }[profile],
      // The figure's own delay, whatever the suite's default: 50 ms makes the waiting dominate, as in the lecture.
      params: { fetch: { delay_ms: [{ quick: 20, default: 50, full: 50 }[profile]] } },
      pythons: 'default+free-threaded',
      repeats: { quick: 4, default: 4, full: 5 }[profile],
      warmup: 0,
    },
  ],
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ cells }) => [
      data.reportChart('wall-vs-workers', EXPERIMENT, cells, 'fetch'),
    ]),
  caption: (data) => {
    const p = measured(data)[0]!.cell.params;
    return (
      `${p.requests} HTTP requests to a local server that answers after ${p.delay_ms} ms, over W workers: serial does them one by one; threads (ThreadPoolExecutor), asyncio tasks and processes (multiprocessing.Pool) overlap the waiting. ` +
      'The dashed line is the ideal, ⌈K/W⌉ rounds of the delay. The GIL is released while a thread waits on its socket, so threads follow the ideal until starting and switching between them costs more than the wait they hide.'
    );
  },
  verdict: (data): Finding => {
    const cells = measured(data);
    const [threads, asyncio] = [widest(cells, 'threads'), widest(cells, 'async')];
    const describe = (c: JudgedCell | undefined, name: string) =>
      c
        ? `${name} ${fixed(c.speedup, 1)}x serial at W=${c.cell.workers} (CPU util ${fixed(c.cpuUtilisation, 2)}${c.cell.idealWallS ? `, ${fixed(c.primary.median / c.cell.idealWallS, 2)}x the ideal wall time` : ''})`
        : `${name}: not measured`;
    const measuredText = `${describe(threads, 'threads')}; ${describe(asyncio, 'asyncio')}.`;
    const rule = threads?.verdict.rule ?? 'no-run';
    if (rule === 'busy-machine')
      return {
        measured: measuredText,
        verdict: 'inconclusive',
        because: 'other programs used the machine while the threads ran: rerun on a quieter machine.',
      };
    if (threads?.speedupInterval && !bounded(threads.speedupInterval)) {
      return {
        measured: measuredText,
        verdict: 'inconclusive',
        because: tooFewRuns(threads.speedupRuns!),
      };
    }
    if ((threads?.speedupInterval?.low ?? 0) < 2)
      return {
        measured: measuredText,
        verdict: 'does not hold',
        because: "the threads' speedup's interval reached below 2x serial.",
      };
    // A large gain is the claim; why it came is said only where a verdict rule measured it.
    const gil = underGil(data, EXPERIMENT, threads) ? ', the GIL released during IO' : '';
    const why =
      {
        'overlapped-waiting': ` on under half a core: they overlapped their waits${gil}`,
        'waits-overlapped': `, more than waiting one request at a time allows: they overlapped their waits${gil}`,
        parallel: ', with threads running in parallel on the cores as well',
      }[rule] ?? '';
    return {
      measured: measuredText,
      verdict: 'holds',
      because: `threads were at least twice as fast as serial, the interval included${why}.`,
    };
  },
};
