import type { CellSummary } from '../../analyse/summary.ts';
import type { Figure, FigureData, Finding } from './figure.ts';
import { HELD, heldConnections } from './memory-per-connection.ts';

/** Even enough: no worker's share further than this from 1/W. */
const EVEN_WITHIN = 0.1;

function prefork(data: FigureData): CellSummary[] {
  return data.measured(HELD).filter((s) => (s.server?.accepted.length ?? 0) > 1);
}

const shares = (c: CellSummary) => {
  const total = c.server!.accepted.reduce((a, b) => a + b, 0);
  return c.server!.accepted.map((n) => n / total);
};

const connections = (cells: CellSummary[]) =>
  cells.map((c) => c.cell.params.connections!.toLocaleString('en-US')).join(', ');

const even = (c: CellSummary) => shares(c).every((share) => Math.abs(share * shares(c).length - 1) <= EVEN_WITHIN);

export const preforkBalance: Figure = {
  id: 'prefork-balance',
  title: 'Prefork balance: connections accepted per worker',
  section: '5.3.3',
  claim:
    'If we call accept on this socket in every child process, the accept system call will distribute new incoming connections evenly among all the child processes.',
  experiments: (profile) => [heldConnections(profile)],
  draw: (data) => [[data.reportChart('accepts-per-worker', HELD, prefork(data), 'prefork echo server')]],
  caption: () =>
    'W worker processes, forked after listen(), all block in accept() on the one socket; the clients open C connections at once. Bars count the connections each worker accepted (one of them the priming connection, opened and closed before the others). ' +
    'The kernel wakes one waiting worker per connection, and whichever runs first takes it: over many connections the split evens out, over a few it can be lopsided.',
  verdict: (data): Finding => {
    const cells = prefork(data);
    const measured = `${cells
      .map(
        (c) =>
          `C=${c.cell.params.connections!.toLocaleString('en-US')}: ${shares(c)
            .map((s) => `${Math.round(s * 100)}%`)
            .join(' / ')}`,
      )
      .join('; ')}.`;
    const evenOnes = cells.filter(even);
    if (evenOnes.length === cells.length)
      return {
        measured,
        verdict: 'holds',
        because: `every worker took its share within ±${EVEN_WITHIN * 100}% at every C.`,
      };
    if (evenOnes.length === 0)
      return {
        measured,
        verdict: 'does not hold',
        because: `at no C were the workers' shares within ±${EVEN_WITHIN * 100}% of even.`,
      };
    return {
      measured,
      verdict: 'depends',
      because: `on the moment: even within ±${EVEN_WITHIN * 100}% at C=${connections(evenOnes)}, not at C=${connections(cells.filter((c) => !even(c)))} — the kernel wakes one waiting worker per connection and does not keep count: "evenly" holds on average, not every time.`,
    };
  },
};
