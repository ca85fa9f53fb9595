import { busyMachine, busyVerdict } from '../../core/busy.ts';
import type { Evidence } from './evidence.ts';
import { direction, type Rule, ratio } from './rule.ts';

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

/**
 * Tried last: a speedup with no interval to judge by (one run), or one too few runs cannot bound;
 * a kind's rules that need no interval (a starved or generator-bound server) speak first.
 */
export const FEW_RUNS_RULE: Rule = {
  id: 'few-runs',
  kinds: ['batch', 'server'],
  needs: "the speedup's 95% interval, which one run does not have and fewer than 4 runs a side cannot reach",
  says: 'X serial (one run: no interval, or too few runs to tell, n = N): no difference from serial is claimed.',
  holds: (e) => direction(e) === 'unknown',
  sentence: (e) => `${ratio(e)}: no difference from serial is claimed.`,
};
