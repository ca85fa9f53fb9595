import type { JudgedCell } from '../../analyse/index.ts';
import { onBusyMachine } from '../../analyse/summary.ts';
import { bracket, fixed, latency } from '../../core/format.ts';
import { bounded } from '../../core/stats.ts';
import { interpreterLabel } from '../../define/interpreters.ts';
import { runValue } from '../../store/records.ts';
import {
  byInterpreter,
  type Figure,
  type FigureData,
  type Finding,
  firstInterpreter,
  measuredWithoutGil,
  type RatioStep,
  ratioStep,
  tooFewRuns,
  underGil,
} from './figure.ts';

const EXPERIMENT = 'blocked-loop';
/** The same server with nothing blocking: what "unaffected" is measured against. */
const CONTROL = 'blocked-loop-control';
const MODES = ['coroutine', 'executor', 'process-pool', 'cooperative', 'threads'];
const NAMES: Record<string, string> = {
  coroutine: 'in the coroutine',
  executor: 'run_in_executor (threads)',
  'process-pool': 'a ProcessPoolExecutor',
  cooperative: 'cooperatively (sleep(0) every ms)',
  threads: 'thread per connection',
};

/** Each run's p99 of the ordinary clients, ms. */
const p99s = (cell: JudgedCell) => cell.measured.flatMap((run) => runValue(run, 'p99') ?? []);

/** One comparison of two cells' p99: b's over a's, with its interval and the runs it rests on. */
const step = (a: JudgedCell, b: JudgedCell) => ratioStep(a, b, (cell) => cell.taskP99S, p99s);

const higher = (s: RatioStep) => s.interval.low > 1;
const lower = (s: RatioStep) => s.interval.high < 1;
/** The cell of a mode, blocking by sleeping (cpu 0) or by counting (cpu 1). */
const at = (cells: JudgedCell[], mode: string, cpu: number) =>
  cells.find((c) => c.cell.mode === mode && c.cell.params.block_cpu === cpu);

/**
 * A counting executor's p99 over a sleeping one's on the first interpreter without a GIL that
 * measured both, quietly: the step the GIL row is held against before the GIL is named its cause.
 */
function withoutGil(data: FigureData): { label: string; step: RatioStep } | undefined {
  const row = byInterpreter(data, EXPERIMENT).find(({ interpreter }) => !interpreter.gilEnabled);
  const [sleep, cpu] = [at(row?.cells ?? [], 'executor', 0), at(row?.cells ?? [], 'executor', 1)];
  if (!row || !sleep || !cpu || [sleep, cpu].some(onBusyMachine)) return undefined;
  return { label: interpreterLabel(row.interpreter), step: step(sleep, cpu) };
}

/** A ratio and its interval, with a second digit below 1 (an executor's p99 is a tenth of a blocked coroutine's: 0.08x, not 0.1x [0.1–0.1]). */
const times = (s: RatioStep) => {
  const digits = s.interval.low < 1 ? 2 : 1;
  return `${s.ratio.toFixed(digits)}x ${bracket(s.interval, s.runs, digits)}`;
};

export const blockedLoop: Figure = {
  id: 'blocked-loop',
  title: 'What blocks an event loop: one blocking request among ordinary echoes',
  section: '5.4.5',
  claim:
    'If the code run in a coroutine blocks, the event loop cannot switch context. To solve this asyncio has run_in_executor … This may hurt performance, because … threads in Python start and run under the GIL.',
  experiments: (profile) => {
    const repeats = { quick: 1, default: 4, full: 5 }[profile];
    return [
      {
        name: EXPERIMENT,
        workloads: ['blocked-loop'],
        modes: MODES,
        pythons: 'default+free-threaded',
        repeats,
        warmup: 0,
      },
      {
        name: CONTROL,
        workloads: ['blocked-loop'],
        modes: ['coroutine'],
        params: { 'blocked-loop': { block_ms: [0], block_cpu: [0] } },
        pythons: 'default+free-threaded',
        repeats,
        warmup: 0,
      },
    ];
  },
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ cells }) => [
      data.reportChart('echo-latency', EXPERIMENT, cells, 'ordinary clients beside one blocking'),
    ]),
  caption: (data) => {
    const rows = byInterpreter(data, EXPERIMENT);
    const p = rows[0]?.cells[0]?.cell.params ?? {};
    return (
      `One asyncio echo server; ${p.connections} ordinary clients send ${p.rate?.toLocaleString('en-US')} echoes/s between them (an open loop: latency counts from when each was due, so a stalled loop shows), ` +
      `and one more client sends a request every ${p.block_every_ms} ms that blocks for ${p.block_ms} ms — sleeping (block_cpu=0) or counting (block_cpu=1) — ${MODES.map((m) => NAMES[m]).join(', ')}. ` +
      "Bars: the ordinary clients' p50, whiskers up to their p99." +
      (measuredWithoutGil(data, EXPERIMENT)
        ? ` One row per interpreter (${rows.map(({ interpreter }) => interpreterLabel(interpreter)).join('; ')}): the same servers with a GIL and without one (a free-threaded build), so that a counting executor's p99 can be read against a sleeping one's on both.`
        : '')
    );
  },
  verdict: (data): Finding => {
    const cells = firstInterpreter(data, EXPERIMENT);
    const control = firstInterpreter(data, CONTROL)[0];
    const measured =
      `p99 of the ordinary clients: nothing blocking ${latency(control?.taskP99S)}; blocking by sleep / by counting: ` +
      `${MODES.map((m) => `${NAMES[m]} ${latency(at(cells, m, 0)?.taskP99S)} / ${latency(at(cells, m, 1)?.taskP99S)}`).join('; ')}.`;
    const [coroutine, executorSleep, executorCpu, poolCpu] = [
      at(cells, 'coroutine', 0),
      at(cells, 'executor', 0),
      at(cells, 'executor', 1),
      at(cells, 'process-pool', 1),
    ];
    if (!control || !coroutine || !executorSleep || !executorCpu || !poolCpu)
      return { measured, verdict: 'inconclusive', because: 'some of the cells that decide were not measured.' };
    if ([control, coroutine, executorSleep, executorCpu, poolCpu].some(onBusyMachine))
      return {
        measured,
        verdict: 'inconclusive',
        because: 'other programs used the machine while the servers ran: rerun on a quieter machine.',
      };
    const steps = {
      blocked: step(control, coroutine),
      freed: step(coroutine, executorSleep),
      gil: step(executorSleep, executorCpu),
      pool: step(control, poolCpu),
    };
    if (!Object.values(steps).every((s) => bounded(s.interval)))
      return {
        measured,
        verdict: 'inconclusive',
        because: tooFewRuns(Math.min(...Object.values(steps).map((s) => s.runs))),
      };
    const gil = underGil(data, EXPERIMENT, executorCpu);
    // The GIL is named only where the same experiment without it shows no such step; running at once only where the CPU shows it.
    const free = gil && higher(steps.gil) ? withoutGil(data.whole()) : undefined;
    const cause =
      free && bounded(free.step.interval) && !higher(free.step)
        ? `: it holds the GIL the loop needs (${free.label}: ${times(free.step)})`
        : '';
    const atOnce =
      !gil && executorCpu.cpuUtilisation > 1
        ? `: without a GIL the two threads ran at once (CPU utilisation ${fixed(executorCpu.cpuUtilisation, 2)})`
        : '';
    const claims = [
      higher(steps.blocked)
        ? `blocking in the coroutine stalled everyone (p99 ${times(steps.blocked)} the loop with nothing blocking)`
        : `blocking in the coroutine did not measurably stall the others (${times(steps.blocked)})`,
      lower(steps.freed)
        ? `run_in_executor freed the loop from a sleep (${times(steps.freed)} the coroutine's p99)`
        : `run_in_executor did not measurably help a sleep (${times(steps.freed)})`,
      higher(steps.gil)
        ? `an executor thread that counts hurt the loop again (${times(steps.gil)} a sleeping one's p99)${cause}`
        : `an executor thread that counts did not hurt the loop measurably (${times(steps.gil)} a sleeping one's p99)${atOnce}`,
      higher(steps.pool)
        ? `a process pool still left a cost (${times(steps.pool)} the loop with nothing blocking)`
        : `a process pool did not measurably cost the loop (${times(steps.pool)} the loop with nothing blocking)`,
    ];
    // The claim is about the coroutine, run_in_executor and threads under the GIL; the process pool is reported, not required.
    const all = higher(steps.blocked) && lower(steps.freed) && higher(steps.gil);
    return { measured, verdict: all ? 'holds' : 'depends', because: `${claims.join('; ')}.` };
  },
};
