import type { JudgedCell } from '../../analyse/index.ts';
import { cpuPerAnswerUs, onBusyMachine } from '../../analyse/summary.ts';
import { bracket, fixed } from '../../core/format.ts';
import { bounded } from '../../core/stats.ts';
import { interpreterLabel } from '../../define/interpreters.ts';
import type { ServerRun } from '../../store/records.ts';
import { byInterpreter, type Figure, type FigureData, type Finding, ratioStep, tooFewRuns } from './figure.ts';

const EXPERIMENT = 'event-loops';
/** The hand-written loop of 5.4.1: what every framework's layers are measured against. */
const FLOOR = 'epoll';
/** The loops the figure sets against the floor, in the order its charts draw them. */
export const LOOPS = [
  'generators',
  'asyncio',
  'asyncio-protocol',
  'uvloop',
  'uvloop-protocol',
  'gevent',
  'tornado',
  'twisted',
  'trio',
];
/**
 * "The same idea" as a number: a layer whose CPU per answer stays within twice the hand-written
 * loop's adds an interface, not a different cost; beyond that the layers are what the answer pays for.
 */
const SAME_IDEA = 2;

const perAnswer = (cell: JudgedCell) =>
  cell.measured.map((run) => cpuPerAnswerUs(run as ServerRun)).map(({ user, system }) => user + system);
const medianPerAnswer = (cell: JudgedCell) => cell.server!.cpuPerAnswerUs.user + cell.server!.cpuPerAnswerUs.system;

/** The interpreter that ran the most event loops (the one with the frameworks), at the largest C. */
function judged(data: FigureData): { label: string; cells: JudgedCell[] } | undefined {
  const rows = byInterpreter(data, EXPERIMENT);
  const best = [...rows].sort(
    (a, b) => new Set(b.cells.map((c) => c.cell.mode)).size - new Set(a.cells.map((c) => c.cell.mode)).size,
  )[0];
  if (!best) return undefined;
  const top = Math.max(...best.cells.map((c) => c.cell.params.connections!));
  return {
    label: interpreterLabel(best.interpreter),
    cells: best.cells.filter((c) => c.cell.params.connections === top && c.server),
  };
}

/** Each loop's CPU per answer over the floor's, with the interval of that ratio over their runs. */
function costs(cells: JudgedCell[]) {
  const floor = cells.find((c) => c.cell.mode === FLOOR)!;
  return cells
    .filter((c) => c.cell.mode !== FLOOR)
    .map((c) => ({ cell: c, ...ratioStep(floor, c, medianPerAnswer, perAnswer) }))
    .sort((a, b) => a.ratio - b.ratio);
}

export const eventLoops: Figure = {
  id: 'event-loops',
  title: 'One idea, ten event loops: what each layer costs an answer',
  section: '5.4.1',
  claim:
    'That is what the existing Python frameworks did … Twisted … then Gevent and Tornado. … asyncio … is based, in principle, on the same thing as Tornado … and is also built on generators.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['echo'],
      modes: [FLOOR, ...LOOPS],
      params: { echo: { connections: [1, 10, 100] } },
      pythons: 'default+frameworks',
      repeats: { quick: 1, default: 4, full: 5 }[profile],
      warmup: 0,
    },
  ],
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ cells }) => [
      data.reportChart('echo-bars', EXPERIMENT, cells, 'one-thread echo servers'),
      data.reportChart('cpu-per-answer', EXPERIMENT, cells, 'one-thread echo servers'),
    ]),
  caption: (data) => {
    const rows = byInterpreter(data, EXPERIMENT).map(
      ({ interpreter, cells }) =>
        `${interpreterLabel(interpreter)}: ${[...new Set(cells.map((c) => c.cell.mode))].join(', ')}`,
    );
    return (
      "The lecture's echo in one thread, ten ways: the hand-written select.epoll loop of 5.4.1 (the floor), the lecture's own generators driven by a small epoll scheduler, " +
      "asyncio's streams and its Protocol, the same two on uvloop, gevent's greenlets, Tornado, Twisted's epoll reactor and trio, under the same closed-loop load at C = 1, 10 and 100. " +
      "Left: answers per second. Right: the server's own CPU (user + system, from /proc over the window) per answer — what each framework's layers cost on top of the loop. " +
      `Each row is an interpreter that ran them (a framework a row lacks is not installed for it): ${rows.join('; ')}.`
    );
  },
  verdict: (data): Finding => {
    const at = judged(data);
    const floor = at?.cells.find((c) => c.cell.mode === FLOOR);
    if (!at || !floor)
      return {
        measured: 'the hand-written epoll loop was not measured.',
        verdict: 'inconclusive',
        because: 'nothing to measure the layers against.',
      };
    const connections = floor.cell.params.connections;
    const found = costs(at.cells);
    const measured =
      `at C=${connections} on ${at.label}, CPU per answer over the hand-written epoll loop's ${fixed(medianPerAnswer(floor), 1)} µs: ` +
      `${found.map((f) => `${f.cell.cell.mode} ${fixed(f.ratio, 2)}x ${bracket(f.interval, f.runs)}`).join(', ')}.`;
    if ([floor, ...found.map((f) => f.cell)].some(onBusyMachine))
      return {
        measured,
        verdict: 'inconclusive',
        because: 'other programs used the machine while the servers ran: rerun on a quieter machine.',
      };
    if (found.some((f) => !bounded(f.interval))) {
      return {
        measured,
        verdict: 'inconclusive',
        because: tooFewRuns(Math.min(...found.map((f) => f.runs))),
      };
    }
    const costly = found.filter((f) => f.interval.low > SAME_IDEA);
    const unclear = found.filter((f) => f.interval.low <= SAME_IDEA && f.interval.high > SAME_IDEA);
    const spread = fixed(
      (Math.max(...found.map((f) => f.ratio)) / Math.min(...found.map((f) => f.ratio)) - 1) * 100,
      0,
    );
    if (costly.length) {
      const names = costly.map((f) => f.cell.cell.mode).join(', ');
      return {
        measured,
        verdict: 'depends',
        because: `the idea is one, its cost is not: ${names} spent more than ${SAME_IDEA}x the hand-written loop's CPU per answer (interval included); from cheapest to dearest the loops differ by ${spread}%.`,
      };
    }
    if (unclear.length) {
      return {
        measured,
        verdict: 'inconclusive',
        because: `whether ${unclear.map((f) => f.cell.cell.mode).join(', ')} cost more than ${SAME_IDEA}x the hand-written loop's CPU per answer is within this run's noise.`,
      };
    }
    return {
      measured,
      verdict: 'holds',
      because: `every layer stayed within ${SAME_IDEA}x the hand-written loop's CPU per answer (interval included): one idea, at costs within ${spread}% of each other.`,
    };
  },
};
