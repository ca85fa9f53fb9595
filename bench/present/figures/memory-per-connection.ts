import type { CellSummary } from '../../analyse/summary.ts';
import { fixed, mib } from '../../core/format.ts';
import { linearFit } from '../../core/stats.ts';
import type { Profile } from '../../define/workload.ts';
import type { Experiment, Figure, FigureData, Finding } from './figure.ts';

/** Held connections, shared with the prefork-balance figure: the same servers, the same runs. */
export const HELD = 'held-connections';

export function heldConnections(profile: Profile): Experiment {
  return { name: HELD, workloads: ['echo-memory'], pythons: 'default', repeats: profile === 'full' ? 3 : 1, warmup: 0 };
}

function cells(data: FigureData): CellSummary[] {
  return data.measured(HELD).filter((s) => s.server);
}

/** KiB each held connection adds to the server, by least squares over C. */
function slopes(all: CellSummary[]): Map<string, number> {
  const modes = [...new Set(all.map((c) => c.cell.mode))];
  return new Map(
    modes.map((mode) => {
      const own = all.filter((c) => c.cell.mode === mode);
      return [
        mode,
        linearFit(
          own.map((c) => c.cell.params.connections!),
          own.map((c) => c.server!.rssKiB),
        ).slope,
      ];
    }),
  );
}

export const memoryPerConnection: Figure = {
  id: 'memory-per-connection',
  title: 'Memory per connection: server RSS vs open connections (C10K)',
  section: '5.3.3, 5.4.1',
  claim:
    'With select/epoll in one thread we do not spend memory on creating processes, there is no cost of creating threads and synchronising them, and no problem with the GIL.',
  experiments: (profile) => [heldConnections(profile)],
  draw: (data) => [[data.reportChart('rss-vs-connections', HELD, cells(data), 'echo servers')]],
  caption: () =>
    'Each server holds C idle client connections open; its resident memory (the whole tree, prefork summed over its processes) is read from /proc once all C are held. ' +
    'The slope of each line — least squares, in the legend — is what one more connection costs: a thread per connection pays for a thread (its stack pages and kernel task), prefork the same plus a second interpreter, asyncio a coroutine and its stream objects, the epoll loop a dictionary entry and a socket.',
  verdict: (data): Finding => {
    const all = cells(data);
    const perConnection = slopes(all);
    const top = Math.max(...all.map((c) => c.cell.params.connections!));
    const at = (mode: string) => all.find((c) => c.cell.mode === mode && c.cell.params.connections === top);
    const measured =
      [...perConnection.entries()].map(([mode, slope]) => `${mode} ${fixed(slope, 1)} KiB`).join(', ') +
      ` per connection; at C=${top.toLocaleString('en-US')}: ` +
      [...perConnection.keys()]
        .map((mode) => {
          const rssKiB = at(mode)?.server?.rssKiB;
          return `${mode} ${rssKiB === undefined ? 'not measured (its runs failed: see the report)' : `${mib(rssKiB)} MiB`}`;
        })
        .join(', ') +
      '.';
    const [threads, epoll] = [perConnection.get('threads') ?? NaN, perConnection.get('epoll') ?? NaN];
    return threads >= 5 * epoll
      ? {
          measured,
          verdict: 'holds',
          because: `a connection in the epoll loop costs ${fixed(threads / epoll, 0)}x less memory than one with a thread of its own.`,
        }
      : {
          measured,
          verdict: 'does not hold',
          because: `the epoll loop saved less than 5x per connection here (${fixed(threads / epoll, 1)}x).`,
        };
  },
};
