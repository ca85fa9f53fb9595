import { onBusyMachine } from '../../analyse/summary.ts';
import { fixed } from '../../core/format.ts';
import { bounded, ratioInterval } from '../../core/stats.ts';
import {
  byInterpreter,
  FEWEST_RUNS,
  type Figure,
  type FigureData,
  type Finding,
  firstInterpreter,
  measuredWithoutGil,
  underGil,
} from './figure.ts';

const EXPERIMENT = 'cpu-servers';

const cells = (data: FigureData) => firstInterpreter(data, EXPERIMENT);

export const cpuServers: Figure = {
  id: 'cpu-servers',
  title: 'Servers under CPU load: thread per connection vs prefork, by workers',
  section: '5.3.3',
  claim:
    'So, by using processes and threads together, we can solve both the problem with the GIL and the problem with memory.',
  experiments: (profile) => [
    {
      name: EXPERIMENT,
      workloads: ['echo-work'],
      pythons: 'default+free-threaded',
      repeats: { quick: 1, default: 4, full: 5 }[profile],
      warmup: 0,
    },
  ],
  draw: (data) =>
    byInterpreter(data, EXPERIMENT).map(({ cells: own }) => [
      data.reportChart('throughput-vs-workers', EXPERIMENT, own, 'echo server with count(N) per message'),
    ]),
  caption: (data) => {
    const c = cells(data)[0]!;
    return (
      `Every message costs the server count(${c.cell.params.work!.toLocaleString('en-US')}) before it echoes it back; ${c.cell.params.connections} clients keep it busy. ` +
      "The thread-per-connection server has one GIL however many threads it starts; prefork's W processes each have their own, so it scales with W — up to the number of cores." +
      (measuredWithoutGil(data, EXPERIMENT)
        ? ' Without a GIL (a free-threaded build, its own panel) the threads can use every core themselves.'
        : '')
    );
  },
  verdict: (data): Finding => {
    const all = cells(data);
    const cores = data.results(EXPERIMENT).machine.logicalCores;
    const threads = all.find((c) => c.cell.mode === 'threads');
    const prefork = all
      .filter((c) => c.cell.mode === 'processes')
      .sort((a, b) => Math.abs(a.cell.workers - cores) - Math.abs(b.cell.workers - cores))[0];
    const measured =
      `thread per connection ${Math.round(threads?.tasksPerS ?? NaN).toLocaleString('en-US')} echoes/s; prefork ` +
      all
        .filter((c) => c.cell.mode === 'processes')
        .map((c) => `W=${c.cell.workers} ${Math.round(c.tasksPerS).toLocaleString('en-US')}/s`)
        .join(', ') +
      ` (${cores} cores).`;
    if (threads && prefork && [threads, prefork].some(onBusyMachine)) {
      return {
        measured,
        verdict: 'inconclusive',
        because: 'other programs used the machine while the servers ran: rerun on a quieter machine.',
      };
    }
    const gain = threads && prefork ? prefork.tasksPerS / threads.tasksPerS : NaN;
    const gil = underGil(data, EXPERIMENT, threads);
    // "Solves" needs a gain of 1.5x whose interval (prefork's answers/s over threads') excludes no gain.
    const interval = threads && prefork ? ratioInterval(threads.primary.values, prefork.primary.values) : undefined;
    const low = interval?.low ?? NaN;
    if (interval && !bounded(interval))
      return {
        measured,
        verdict: 'inconclusive',
        because: `too few runs to tell (n = ${Math.min(threads!.repeats, prefork!.repeats)}): a difference needs ${FEWEST_RUNS} runs a side.`,
      };
    return gain >= 1.5 && low > 1
      ? {
          measured,
          verdict: 'holds',
          because: `prefork with W=${prefork!.cell.workers} served ${fixed(gain, 1)}x the echoes of one process of threads${gil ? ': each process has its own GIL' : ''} (memory is the next figure's question).`,
        }
      : {
          measured,
          verdict: cores < 2 ? 'depends' : 'does not hold',
          because: `prefork gained only ${fixed(gain, 2)}x over threads${cores < 2 ? ': one core leaves nothing to spread over' : (threads?.cpuUtilisation ?? 0) > 1.5 ? `: the threads already used ${fixed(threads!.cpuUtilisation, 1)} cores${gil ? '' : ', with no GIL to share'}` : ''}.`,
        };
  },
};
