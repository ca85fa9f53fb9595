import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { CellSummary } from '../../analyse/summary.ts';
import { fixed, latency } from '../../core/format.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import { interpreterLabel } from '../../define/interpreters.ts';
import { colourOf, lineDataset, lineLegend, logAxis, wrapped } from '../report/charts.ts';
import {
  byInterpreter,
  type Figure,
  type FigureData,
  type Finding,
  firstInterpreter,
  measuredWithoutGil,
} from './figure.ts';

const EXPERIMENT = 'convoy';
const DEFAULT_INTERVAL = 0.005;
const DASHES: Record<string, number[]> = { threads: [], processes: [10, 6] };
const WIDTHS = [4, 3, 3, 3];

const cells = (data: FigureData) => firstInterpreter(data, EXPERIMENT);

const cpuThreadsOf = (c: CellSummary) => c.cell.params.cpu_threads!;

/** One line per server and number of counting threads: a value against the switch interval. */
function lines(
  all: CellSummary[],
  value: (c: CellSummary) => number,
): ChartDataset<'line', { x: number; y: number }[]>[] {
  const keys = [...new Set(all.map((c) => `${c.cell.mode}\0${cpuThreadsOf(c)}`))];
  const shades = ['#4e79a7', '#e15759', '#f28e2b', '#b07aa1'];
  return keys.map((key) => {
    const [mode, cpu] = key.split('\0') as [string, string];
    const points = all
      .filter((c) => c.cell.mode === mode && String(cpuThreadsOf(c)) === cpu)
      .map((c) => ({ x: c.cell.params.switch_interval!, y: value(c) }));
    const colour = shades[[0, 1, 2, 4].indexOf(Number(cpu))] ?? colourOf(mode, 0);
    const label = `${mode === 'processes' ? 'prefork' : 'thread per connection'}, ${cpu} counting thread${cpu === '1' ? '' : 's'}`;
    return lineDataset(
      label,
      points.sort((a, b) => a.x - b.x),
      colour,
      { borderDash: DASHES[mode] ?? [], borderWidth: WIDTHS[Number(cpu) % WIDTHS.length], pointRadius: 4 },
    );
  });
}

/** Both panels draw the same lines: only the first names them, with a line (dashed for prefork) as each one's swatch. */
function chart(
  all: CellSummary[],
  interpreter: Interpreter,
  what: string,
  axis: string,
  value: (c: CellSummary) => number,
  legend: boolean,
): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: { datasets: lines(all, value) },
    options: {
      plugins: {
        title: { display: true, text: wrapped(`${what}, ${interpreterLabel(interpreter)}`, 55), font: { size: 22 } },
        subtitle: {
          display: true,
          text: wrapped(
            `echo server, ${all[0]?.cell.params.connections} client connection, closed loop, 64-byte messages`,
          ),
          padding: { bottom: 8 },
        },
        legend: { display: legend, labels: { ...lineLegend.labels, font: { size: 14 } } },
      },
      scales: {
        x: {
          ...logAxis('switch interval (s, log scale)'),
          reverse: true,
          ticks: { ...logAxis('').ticks, autoSkip: false },
        },
        y: logAxis(axis),
      },
    },
  };
}

function at(all: CellSummary[], mode: string, cpu: number, interval = DEFAULT_INTERVAL): CellSummary | undefined {
  return all.find((c) => c.cell.mode === mode && cpuThreadsOf(c) === cpu && c.cell.params.switch_interval === interval);
}

const perS = (c: CellSummary | undefined) => (c ? Math.round(c.tasksPerS).toLocaleString('en-US') : '–');

export const convoy: Figure = {
  id: 'convoy',
  title: 'Switch interval and the convoy effect: an IO server beside CPU-bound threads',
  section: '5.3.3',
  claim: 'Still, with threads — especially when they do input/output — one can build a fairly performant server.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['echo-convoy'],
      pythons: 'default+free-threaded',
      repeats: profile === 'full' ? 3 : 1,
      warmup: 0,
    },
  ],
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ interpreter, cells: own }) => [
      chart(
        own,
        interpreter,
        'Echoes per second (higher is better)',
        'echoes per second (log scale)',
        (c) => c.tasksPerS,
        true,
      ),
      chart(
        own,
        interpreter,
        'Latency p99 (lower is better)',
        'p99 latency (ms, log scale)',
        (c) => c.taskP99S * 1000,
        false,
      ),
    ]),
  caption: (data) =>
    'The thread-per-connection echo server alone, and with 1, 2 or 4 threads in its process that only count, at switch intervals (sys.setswitchinterval) from 0.1 s down to 10 µs; prefork (dashed) runs the same counting threads in its parent once its two workers, other processes, are started. ' +
    'Each answer needs the GIL back from a counting thread, which keeps it for up to one switch interval: the server waits that long per message (the convoy effect). A shorter interval gives the GIL back sooner, at the price of more switching. ' +
    (measuredWithoutGil(data, EXPERIMENT)
      ? 'Without a GIL (a free-threaded build, its own row) nothing has to be given back: the counting threads run on the other core. '
      : '') +
    'A missing point is a cell that answered nothing within its window.',
  verdict: (data): Finding => {
    const all = cells(data);
    const [alone, withOne, prefork] = [at(all, 'threads', 0), at(all, 'threads', 1), at(all, 'processes', 1)];
    const fastest = all
      .filter((c) => c.cell.mode === 'threads' && cpuThreadsOf(c) === 1)
      .sort((a, b) => b.tasksPerS - a.tasksPerS)[0];
    const measured =
      `thread per connection at the default ${DEFAULT_INTERVAL * 1000} ms: ${perS(alone)} echoes/s alone, ${perS(withOne)}/s beside one counting thread (p99 ${latency(withOne?.taskP99S)})` +
      `${fastest ? `, ${perS(fastest)}/s with it at ${fastest.cell.params.switch_interval} s` : ''}; prefork beside the same thread: ${perS(prefork)}/s.`;
    const drop = alone && withOne ? alone.tasksPerS / withOne.tasksPerS : NaN;
    if (!(drop > 2))
      return {
        measured,
        verdict: 'holds',
        because: 'a CPU-bound thread beside the server did not cut its throughput even in half here.',
      };
    return {
      measured,
      verdict: 'depends',
      because:
        `on what else runs in the process: alone the threaded server is fast, but one CPU-bound thread beside it cuts it ${fixed(drop, 0)}-fold at the default switch interval` +
        // Said only where prefork beside the same thread was measured faster than the threads with it.
        `${prefork && withOne && prefork.tasksPerS > withOne.tasksPerS ? '; prefork beside the same thread answered more: its workers do not share that GIL' : ''}.`,
    };
  },
};
