import { busyMachine, busyVerdict } from '../../core/busy.ts';
import type { Evidence } from './evidence.ts';
import { ratio, type Rule } from './rule.ts';

/** The rules every kind of cell is held to first: was anything measured, and on a machine quiet enough to explain it. */
export const COMMON_RULES: Rule[] = [
  {
    id: 'no-run',
    kinds: ['batch', 'server'],
    needs: 'a successful measured run',
    says: 'no successful run, no verdict.',
    holds: (e) => e.summary.repeats === 0,
    sentence: () => 'no successful run, no verdict.',
  },
  {
    id: 'busy-machine',
    kinds: ['batch', 'server'],
    needs: "others' CPU (median % of a core, /proc/stat) and steal",
    says: 'inconclusive: other programs used X% of a core while it ran (steal Y%); no cause is drawn.',
    holds: (e) => busyMachine(e),
    sentence: (e) => busyVerdict(e, e.speedup && ratio(e)),
  },
  {
    id: 'no-serial',
    kinds: ['batch', 'server'],
    needs: 'a serial cell at the same W and parameters',
    says: 'no serial cell to compare with.',
    holds: (e: Evidence) => e.speedup === undefined,
    sentence: () => 'no serial cell to compare with.',
  },
];
