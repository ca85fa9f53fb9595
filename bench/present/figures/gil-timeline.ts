import type { ChartConfiguration } from 'chart.js';
import { type CellSummary, onBusyMachine } from '../../analyse/summary.ts';
import { bracket, fixed, pct } from '../../core/format.ts';
import { bounded, median, ratioInterval } from '../../core/stats.ts';
import type { Interpreter } from '../../define/interpreters.ts';
import { interpreterLabel } from '../../define/interpreters.ts';
import { measurementOf, type RunRecord } from '../../store/records.ts';
import { colourOf, lineDataset, wrapped } from '../report/charts.ts';
import { byInterpreter, type Figure, type Finding } from './figure.ts';

const EXPERIMENT = 'gil-timeline';
/** How much of the run the timeline shows: enough for a dozen turns of 5 ms. */
const WINDOW_S = 0.08;

interface Lane {
  label: string;
  /** [start, end] of each stretch in which the thread made progress, seconds since t0 */
  segments: [number, number][];
}

/** The same thread, the same colour, in both panels. */
const threadColour = (index: number) => colourOf(index ? 'processes' : 'threads', index);

function cell(cells: CellSummary[], workload: string, mode: string): CellSummary {
  return cells.find((s) => s.cell.workload === workload && s.cell.mode === mode)!;
}

/**
 * A thread's marks (one per chunk of K iterations) as stretches of progress: a gap of more than
 * a few chunks' time between two marks is time the thread spent waiting, not counting.
 */
function lanes(run: RunRecord): Lane[] {
  return measurementOf(run).tasks.map((task, index) => {
    const marks = (task.result as number[]).map((mark) => task.start_s + mark);
    const chunk = median(marks.slice(1).map((mark, i) => mark - marks[i]!));
    const waited = Math.max(5 * chunk, 0.0005);
    const segments: [number, number][] = [];
    let start = task.start_s;
    for (let i = 0; i < marks.length; i++) {
      const previous = i === 0 ? task.start_s : marks[i - 1]!;
      if (marks[i]! - previous > waited) {
        segments.push([start, previous]);
        start = marks[i]! - chunk; // the chunk that ended here began one chunk earlier
      }
    }
    segments.push([start, marks.at(-1) ?? task.end_s]);
    return { label: `thread ${index + 1} (tid ${task.tid})`, segments };
  });
}

/** Lengths of the turns: each stretch of progress while another thread also had work to do. */
function turns(run: RunRecord): number[] {
  const [from, to] = together(run);
  return lanes(run).flatMap((lane) => lane.segments.filter(([s, e]) => s > from && e < to).map(([s, e]) => e - s));
}

/** When every thread was alive: from the last start to the first end. */
function together(run: RunRecord): [number, number] {
  const { tasks } = measurementOf(run);
  return [Math.max(...tasks.map((t) => t.start_s)), Math.min(...tasks.map((t) => t.end_s))];
}

/**
 * The share of the time every thread was alive in which the two made progress at the same moment:
 * about 0 when they take turns under one GIL, most of it when each has a core of its own.
 */
export function simultaneousProgress(run: RunRecord): number {
  const [from, to] = together(run);
  const [a, b] = lanes(run).map((lane) =>
    lane.segments.map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)]).filter(([s, e]) => e > s),
  );
  let both = 0;
  for (const [s1, e1] of a ?? [])
    for (const [s2, e2] of b ?? []) both += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return to > from ? both / (to - from) : NaN;
}

function timeline(run: RunRecord, interpreter: Interpreter): ChartConfiguration<'line'> {
  const all = lanes(run);
  const { tasks, wall_s } = measurementOf(run);
  const from = Math.max(...tasks.map((t) => t.start_s)) + 0.1 * wall_s;
  const datasets = all.map((lane, index) =>
    lineDataset(
      lane.label,
      // NaN between stretches breaks the line: a thread waiting draws nothing.
      lane.segments
        .filter(([s, e]) => e >= from && s <= from + WINDOW_S)
        .flatMap(([s, e]) => [
          { x: (Math.max(s, from) - from) * 1000, y: index + 1 },
          { x: (Math.min(e, from + WINDOW_S) - from) * 1000, y: index + 1 },
          { x: NaN, y: NaN },
        ]),
      threadColour(index),
      { borderWidth: 36, pointRadius: 0, spanGaps: false },
    ),
  );
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        // The lanes are named on the y axis; a legend box would be drawn as thick as the bars.
        legend: { display: false },
        title: {
          display: true,
          text: wrapped(
            `${interpreter.gilEnabled ? 'Who holds the GIL' : 'No GIL to hold'}: two threads counting, ${interpreterLabel(interpreter)}`,
            55,
          ),
          font: { size: 24 },
        },
        subtitle: {
          display: true,
          text: wrapped(
            `${fixed(WINDOW_S * 1000, 0)} ms of one run; a bar = the thread made progress (a timestamp every K iterations)`,
          ),
          padding: { bottom: 12 },
        },
      },
      scales: {
        x: { type: 'linear', min: 0, max: WINDOW_S * 1000, title: { display: true, text: 'time (ms)' } },
        // Lane i is dataset i - 1; read from the chart, so that report.html can run this function too.
        y: {
          type: 'linear',
          min: 0.4,
          max: all.length + 0.6,
          ticks: {
            stepSize: 1,
            callback(v) {
              return this.chart.data.datasets[Number(v) - 1]?.label ?? '';
            },
          },
        },
      },
    },
  };
}

/** The same run as top -H sees it: each thread's CPU% between two /proc samples. */
function perThreadCpu(run: RunRecord, interpreter: Interpreter): ChartConfiguration<'line'> {
  const samples = run.timeline.samples;
  const tids = measurementOf(run).tasks.map((t) => t.tid);
  const cpuOf = (sample: (typeof samples)[number], tid: number) =>
    sample.processes[0]?.threadCpu.find((row) => row[0] === tid)?.[1];
  const datasets = tids.map((tid, index) => {
    const cpuPct = samples.slice(1).flatMap((sample, i) => {
      const [now, before] = [cpuOf(sample, tid), cpuOf(samples[i]!, tid)];
      return now === undefined || before === undefined
        ? []
        : [{ x: sample.t * 1000, y: (100 * (now - before)) / (sample.t - samples[i]!.t) }];
    });
    // Chart.js draws the first series on top: each later one is wider, so that two threads at the same CPU% both show.
    const borderWidth = 3 + 4 * index;
    return lineDataset(`thread ${index + 1} (tid ${tid})`, cpuPct, threadColour(index), {
      pointRadius: 0,
      stepped: 'before',
      borderWidth,
    });
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        title: {
          display: true,
          text: wrapped(`The same run, per thread, as top -H sees it (${interpreterLabel(interpreter)})`, 55),
          font: { size: 24 },
        },
        subtitle: {
          display: true,
          text: wrapped(
            `CPU% of each thread between /proc samples every ${run.timeline.summary.intervalMs} ms (100% = one core)`,
          ),
          padding: { bottom: 12 },
        },
      },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'time since start (ms)' } },
        y: { beginAtZero: true, suggestedMax: 110, title: { display: true, text: 'CPU (%)' } },
      },
    },
  };
}

/** Tracing's cost: the traced countdown's wall time over the plain one's, threads at W=2. */
function tracingCost(cells: CellSummary[]): { ratio: number; low: number; high: number; runs: number } {
  const [plain, traced] = [cell(cells, 'countdown', 'threads'), cell(cells, 'countdown-trace', 'threads')];
  const interval = ratioInterval(plain.primary.values, traced.primary.values);
  return {
    ratio: traced.primary.median / plain.primary.median,
    low: interval.low,
    high: interval.high,
    runs: Math.min(plain.repeats, traced.repeats),
  };
}

export const gilTimeline: Figure = {
  id: 'gil-timeline',
  title: 'Who holds the GIL: a timeline of two counting threads',
  section: '5.2.5',
  claim:
    'Threads acquire the interpreter lock every time they run their code. […] All threads sleep five milliseconds waiting to acquire the lock.',
  experiments: (profile) => {
    // One n for the traced and the plain countdown, given rather than calibrated: what the timestamps cost is their difference at the same work.
    const n = { quick: 4_000_000, default: 10_000_000, full: 20_000_000 }[profile];
    return [
      {
        name: EXPERIMENT,
        workloads: ['countdown-trace', 'countdown'],
        modes: ['serial', 'threads'],
        workers: [2],
        params: { 'countdown-trace': { n: [n], every: [5_000] }, countdown: { n: [n] } },
        pythons: 'default+free-threaded',
        repeats: { quick: 2, default: 5, full: 9 }[profile],
        warmup: profile === 'quick' ? 0 : 1,
        sampleIntervalMs: 50,
      },
    ];
  },
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ interpreter, cells }) => {
      const run = cell(cells, 'countdown-trace', 'threads').typical!;
      return [timeline(run, interpreter), perThreadCpu(run, interpreter)];
    }),
  caption: (data) => {
    const rows = byInterpreter(data, EXPERIMENT);
    const traced = cell(rows[0]!.cells, 'countdown-trace', 'threads');
    const switchMs = (rows.find((row) => row.interpreter.gilEnabled)?.interpreter.switchIntervalS ?? 0.005) * 1000;
    const free = rows.filter((row) => !row.interpreter.gilEnabled).map((row) => interpreterLabel(row.interpreter));
    return (
      `Left: two threads each run count(${traced.cell.params.n!.toLocaleString('en-US')}), noting the time every ${traced.cell.params.every!.toLocaleString('en-US')} iterations; ` +
      `a bar is a stretch in which the thread made progress. Under a GIL they take turns: one counts while the other waits for the GIL, and the waiting one asks for it after the switch interval (${fixed(switchMs, 1)} ms here). ` +
      'Right: the same run sampled from /proc: under a GIL each thread shows about half a core, together one core — never two.' +
      (free.length
        ? ` Without a GIL (${free.join(', ')}; one row per interpreter) the two threads make progress at the same moments, and each shows up to a full core.`
        : '')
    );
  },
  verdict: (data): Finding => {
    const rows = byInterpreter(data, EXPERIMENT).map(({ interpreter, cells }) => {
      const traced = cell(cells, 'countdown-trace', 'threads');
      const run = traced.typical!;
      return {
        interpreter,
        turns: turns(run),
        simultaneous: simultaneousProgress(run),
        cost: tracingCost(cells),
        switchS: interpreter.switchIntervalS ?? 0.005,
        busy: onBusyMachine(traced),
      };
    });
    const measured = `${rows
      .map(
        (row) =>
          `${interpreterLabel(row.interpreter)}: ${row.turns.length ? `median turn ${fixed(median(row.turns) * 1000, 2)} ms over ${row.turns.length} turn${row.turns.length === 1 ? '' : 's'}` : 'no turns'} (switch interval ${fixed(row.switchS * 1000, 1)} ms), ` +
          `both threads progressing at once ${fixed(row.simultaneous * 100, 0)}% of the time; the timestamps changed the threads' wall time by ${pct(row.cost.ratio)} ${bounded(row.cost) ? `[${pct(row.cost.low)}, ${pct(row.cost.high)}]` : bracket(row.cost, row.cost.runs)}`,
      )
      .join('; ')}.`;
    // Two threads that take turns on a machine whose other core others used say nothing about a GIL.
    if (rows.some((row) => row.busy)) {
      return {
        measured,
        verdict: 'inconclusive',
        because: 'other programs used the machine while the threads ran: rerun on a quieter machine.',
      };
    }
    // Two threads progressing at once most of the time is the one thing a GIL forbids.
    const parallel = rows.filter((row) => row.simultaneous > 0.5);
    if (parallel.length === rows.length) {
      return {
        measured,
        verdict: 'does not hold',
        because:
          'the two threads made progress at the same moments, each on a core of its own: without a GIL there is no lock to wait for.',
      };
    }
    const locked = rows.filter((row) => !parallel.includes(row));
    const far = locked.filter((row) => !(median(row.turns) >= row.switchS / 2 && median(row.turns) <= row.switchS * 2));
    const onWhich = parallel.length
      ? `; on ${parallel.map((row) => interpreterLabel(row.interpreter)).join(', ')} the threads ran at the same moments`
      : '';
    if (far.length === 0) {
      return {
        measured,
        verdict: parallel.length ? 'depends' : 'holds',
        because: `one thread runs at a time, and the other gets the GIL after about one switch interval${onWhich}.`,
      };
    }
    const ratio = median(far[0]!.turns) / far[0]!.switchS;
    return {
      measured,
      verdict: 'depends',
      because: `the turns here last ${fixed(ratio, 1)} switch intervals: the interval is when a waiting thread asks, not a fixed time slice${onWhich}.`,
    };
  },
};
