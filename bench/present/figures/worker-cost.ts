import type { ChartConfiguration } from 'chart.js';
import { fixed } from '../../core/format.ts';
import { median } from '../../core/stats.ts';
import { counted, measurementOf } from '../../store/records.ts';
import { colourOf, lineDataset, logAxis, wrapped } from '../report/charts.ts';
import type { Figure, FigureData, Finding } from './figure.ts';

const EXPERIMENT = 'worker-cost';

interface Cost {
  mode: string;
  workers: number;
  /** seconds to start all W and see each running, then to release and join them */
  startS: number;
  joinS: number;
  /** proportional set size the W live workers added to the tree (KiB) */
  pssKiB: number;
}

interface Held {
  start_s: number;
  join_s: number;
  before: { pss_kib: number };
  live: { pss_kib: number };
}

function costs(data: FigureData): Cost[] {
  const results = data.results(EXPERIMENT);
  return data.measured(EXPERIMENT).map((s) => {
    const held = results.runs
      .filter((r) => r.cellId === s.cell.id && counted(r))
      .map((r) => measurementOf(r).tasks[0]!.result as Held);
    return {
      mode: s.cell.mode,
      workers: s.cell.workers,
      startS: median(held.map((h) => h.start_s)),
      joinS: median(held.map((h) => h.join_s)),
      pssKiB: median(held.map((h) => h.live.pss_kib - h.before.pss_kib)),
    };
  });
}

function chart(all: Cost[], title: string, axis: string, value: (c: Cost) => number): ChartConfiguration<'line'> {
  const modes = [...new Set(all.map((c) => c.mode))];
  const datasets = modes.map((mode, index) =>
    lineDataset(
      mode === 'async' ? 'asyncio tasks' : mode === 'threads' ? 'threads' : `processes (${mode})`,
      // A log axis has no zero: a cost too small to measure sits at its floor.
      all.filter((c) => c.mode === mode).map((c) => ({ x: c.workers, y: Math.max(value(c), 1e-6) })),
      colourOf(mode, index),
    ),
  );
  return {
    type: 'line',
    data: { datasets },
    options: {
      plugins: {
        title: { display: true, text: wrapped(title, 55), font: { size: 22 } },
        subtitle: {
          display: true,
          text: wrapped('W workers that do nothing, all alive at once; median over runs'),
          padding: { bottom: 8 },
        },
      },
      scales: { x: logAxis('workers W (log scale)'), y: logAxis(axis) },
    },
  };
}

/** Per worker, at the largest W every mode reached. */
function perWorker(all: Cost[]): { workers: number; rows: Map<string, Cost> } {
  const modes = [...new Set(all.map((c) => c.mode))];
  const workers = Math.max(
    ...[...new Set(all.map((c) => c.workers))].filter((w) =>
      modes.every((m) => all.some((c) => c.mode === m && c.workers === w)),
    ),
  );
  return { workers, rows: new Map(all.filter((c) => c.workers === workers).map((c) => [c.mode, c])) };
}

const micro = (s: number) => (s >= 1e-3 ? `${fixed(s * 1000, 2)} ms` : `${fixed(s * 1e6, 0)} µs`);

export const workerCost: Figure = {
  id: 'worker-cost',
  title: 'Cost of a worker: threads, processes (fork, spawn, forkserver), asyncio tasks',
  section: '5.2.2, 5.3.3',
  claim:
    'If we create 10,000 processes, […] at the very least this will demand very large resources from the operating system, and creating a process is itself an "expensive" operation.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['worker-cost'],
      workers: { quick: [1, 10, 30], default: [1, 10, 100, 1000, 10000], full: [1, 10, 100, 1000, 10000] }[profile],
      pythons: 'default',
      repeats: profile === 'full' ? 3 : 1,
      warmup: 0,
    },
  ],
  draw: (data) => [
    [
      chart(costs(data), 'Time to start and join W workers', 'seconds (log scale)', (c) => c.startS + c.joinS),
      chart(costs(data), 'Memory the W live workers add', 'PSS added (KiB, log scale)', (c) => c.pssKiB),
    ],
  ],
  caption: () =>
    'Each run starts W workers that only wait, sees every one of them running, reads the memory of the whole process tree from /proc (PSS: a page shared by forked processes counts in parts), then releases and joins them. ' +
    'A thread is a stack and a kernel task; a forked process copies the page tables and the pages it writes; spawn and forkserver start each worker from a fresh interpreter; an asyncio task is a Python object in one thread. ' +
    'Cells a mode cannot reach in reasonable time (10,000 processes) are skipped; the report says so.',
  verdict: (data): Finding => {
    const { workers, rows } = perWorker(costs(data));
    const text = [...rows.values()]
      .map((c) => `${c.mode} ${micro((c.startS + c.joinS) / workers)} and ${fixed(c.pssKiB / workers, 1)} KiB`)
      .join('; ');
    const [thread, fork] = [rows.get('threads'), rows.get('fork')];
    const measured = `per worker at W=${workers.toLocaleString('en-US')} (start + join, PSS added): ${text}.`;
    const ratio = thread && fork ? (fork.startS + fork.joinS) / (thread.startS + thread.joinS) : NaN;
    return ratio >= 5
      ? {
          measured,
          verdict: 'holds',
          because: `a forked process costs ${fixed(ratio, 0)}x a thread to start and join, and far more memory; spawn costs more still.`,
        }
      : {
          measured,
          verdict: 'does not hold',
          because: `a forked process cost only ${fixed(ratio, 1)}x a thread here.`,
        };
  },
};
