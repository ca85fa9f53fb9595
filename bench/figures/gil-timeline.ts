import type { ChartConfiguration } from 'chart.js';
import { colourOf, lineDataset } from '../report/charts.ts';
import { fixed } from '../report/format.ts';
import { measurementOf, type RunRecord } from '../results.ts';
import { median, ratioOfMediansInterval } from '../stats.ts';
import type { CellSummary } from '../summary.ts';
import type { Figure, FigureData, Finding } from './figure.ts';

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

function cell(data: FigureData, workload: string, mode: string): CellSummary {
  return data.measured(EXPERIMENT).find((s) => s.cell.workload === workload && s.cell.mode === mode)!;
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
  const all = lanes(run);
  const { tasks } = measurementOf(run);
  const overlap = [Math.max(...tasks.map((t) => t.start_s)), Math.min(...tasks.map((t) => t.end_s))];
  return all.flatMap((lane) => lane.segments.filter(([s, e]) => s > overlap[0]! && e < overlap[1]!).map(([s, e]) => e - s));
}

function timeline(run: RunRecord): ChartConfiguration<'line'> {
  const all = lanes(run);
  const { tasks, wall_s } = measurementOf(run);
  const from = Math.max(...tasks.map((t) => t.start_s)) + 0.1 * wall_s;
  const datasets = all.map((lane, index) =>
    lineDataset(
      lane.label,
      // NaN between stretches breaks the line: a thread waiting draws nothing.
      lane.segments
        .filter(([s, e]) => e >= from && s <= from + WINDOW_S)
        .flatMap(([s, e]) => [{ x: (Math.max(s, from) - from) * 1000, y: index + 1 }, { x: (Math.min(e, from + WINDOW_S) - from) * 1000, y: index + 1 }, { x: NaN, y: NaN }]),
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
        title: { display: true, text: 'Who holds the GIL: two threads counting', font: { size: 24 } },
        subtitle: { display: true, text: `${fixed(WINDOW_S * 1000, 0)} ms of one run; a bar = the thread made progress (a timestamp every K iterations)`, padding: { bottom: 12 } },
      },
      scales: {
        x: { type: 'linear', min: 0, max: WINDOW_S * 1000, title: { display: true, text: 'time (ms)' } },
        // Lane i is dataset i - 1; read from the chart, so that report.html can run this function too.
        y: { type: 'linear', min: 0.4, max: all.length + 0.6, ticks: { stepSize: 1, callback(v) { return this.chart.data.datasets[Number(v) - 1]?.label ?? ''; } } },
      },
    },
  };
}

/** The same run as top -H sees it: each thread's CPU% between two /proc samples. */
function perThreadCpu(run: RunRecord): ChartConfiguration<'line'> {
  const samples = run.timeline.samples;
  const tids = measurementOf(run).tasks.map((t) => t.tid);
  const cpuOf = (sample: (typeof samples)[number], tid: number) => sample.processes[0]?.threadCpu.find((row) => row[0] === tid)?.[1];
  const datasets = tids.map((tid, index) => {
    const cpuPct = samples.slice(1).flatMap((sample, i) => {
      const [now, before] = [cpuOf(sample, tid), cpuOf(samples[i]!, tid)];
      return now === undefined || before === undefined ? [] : [{ x: sample.t * 1000, y: (100 * (now - before)) / (sample.t - samples[i]!.t) }];
    });
    return lineDataset(`thread ${index + 1} (tid ${tid})`, cpuPct, threadColour(index), { pointRadius: 0, stepped: 'before' });
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        title: { display: true, text: 'The same run, per thread, as top -H sees it', font: { size: 24 } },
        subtitle: { display: true, text: `CPU% of each thread between /proc samples every ${run.timeline.summary.intervalMs} ms (100% = one core)`, padding: { bottom: 12 } },
      },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'time since start (ms)' } },
        y: { beginAtZero: true, suggestedMax: 110, title: { display: true, text: 'CPU (%)' } },
      },
    },
  };
}

/** Tracing's cost: the traced countdown's wall time over the plain one's, threads at W=2. */
function tracingCost(data: FigureData): { ratio: number; low: number; high: number } {
  const [plain, traced] = [cell(data, 'countdown', 'threads'), cell(data, 'countdown-trace', 'threads')];
  const interval = ratioOfMediansInterval(plain.primary.values, traced.primary.values);
  return { ratio: traced.primary.median / plain.primary.median, low: interval.low, high: interval.high };
}

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${fixed((ratio - 1) * 100, 1)}%`;

export const gilTimeline: Figure = {
  id: 'gil-timeline',
  title: 'Who holds the GIL: a timeline of two counting threads',
  section: '5.2.5',
  claim: 'Threads acquire the interpreter lock every time they run their code. […] All threads sleep five milliseconds waiting to acquire the lock.',
  experiments: (profile) => {
    const n = { quick: 4_000_000, default: 10_000_000, full: 20_000_000 }[profile];
    return [
      {
        name: EXPERIMENT,
        workloads: ['countdown-trace', 'countdown'],
        modes: ['serial', 'threads'],
        workers: [2],
        params: { 'countdown-trace': { n: [n], every: [5_000] }, countdown: { n: [n] } },
        pythons: 'default',
        repeats: { quick: 2, default: 5, full: 9 }[profile],
        warmup: profile === 'quick' ? 0 : 1,
        sampleIntervalMs: 50,
      },
    ];
  },
  draw: (data) => {
    const run = cell(data, 'countdown-trace', 'threads').typical!;
    return [timeline(run), perThreadCpu(run)];
  },
  caption: (data) => {
    const traced = cell(data, 'countdown-trace', 'threads');
    const switchMs = (data.results(EXPERIMENT).interpreters[0]?.switchIntervalS ?? 0.005) * 1000;
    return (
      `Left: two threads each run count(${traced.cell.params['n']!.toLocaleString('en-US')}), noting the time every ${traced.cell.params['every']!.toLocaleString('en-US')} iterations; ` +
      `a bar is a stretch in which the thread made progress. They take turns: one counts while the other waits for the GIL, and the waiting one asks for it after the switch interval (${fixed(switchMs, 1)} ms here). ` +
      'Right: the same run sampled from /proc: each thread shows about half a core, together one core — never two.'
    );
  },
  verdict: (data): Finding => {
    const run = cell(data, 'countdown-trace', 'threads').typical!;
    const switchS = data.results(EXPERIMENT).interpreters[0]?.switchIntervalS ?? 0.005;
    const all = turns(run);
    const turnS = median(all);
    const cost = tracingCost(data);
    const measured =
      `median turn ${fixed(turnS * 1000, 2)} ms over ${all.length} turns (switch interval ${fixed(switchS * 1000, 1)} ms); ` +
      `the timestamps changed the threads' wall time by ${pct(cost.ratio)} [${pct(cost.low)}, ${pct(cost.high)}].`;
    const near = turnS >= switchS / 2 && turnS <= switchS * 2;
    return near
      ? { measured, verdict: 'holds', because: 'one thread runs at a time, and the other gets the GIL after about one switch interval.' }
      : { measured, verdict: 'depends', because: `the turns here last ${fixed(turnS / switchS, 1)} switch intervals: the interval is when a waiting thread asks, not a fixed time slice.` };
  },
};
