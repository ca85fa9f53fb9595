import { bracket } from '../../core/format.ts';
import type { RunKind } from '../../core/metrics.ts';
import { bounded, type Interval } from '../../core/stats.ts';
import type { Evidence } from './evidence.ts';

/**
 * A verdict rule: a claim, the measurements it rests on, and when they support it. The first rule
 * of a cell's kind whose evidence holds speaks; a rule whose evidence is missing stays silent.
 */
export interface Rule {
  id: string;
  kinds: readonly RunKind[];
  /** the measurements it needs, for docs/VERDICTS.md */
  needs: string;
  /** its sentence, as the docs show it */
  says: string;
  holds(e: Evidence): boolean;
  sentence(e: Evidence): string;
}

/** "1.30x serial [1.05–1.62]": the speedup with its interval, or why it has none. */
export function ratio(e: Evidence): string {
  const s = e.speedup!;
  return `${s.value.toFixed(2)}x serial ${bracket(s, s.runs)}`;
}

export type Direction = 'faster' | 'slower' | 'noise' | 'unknown';

/**
 * Where an interval of a speedup lies: wholly above 1, wholly below, or reaching 1; unknown
 * where there is none (one run) or it is unbounded (too few runs to reach 95%).
 */
export function directionOf(interval: Pick<Interval, 'low' | 'high'>): Direction {
  if (!bounded(interval)) return 'unknown';
  return interval.low > 1 ? 'faster' : interval.high < 1 ? 'slower' : 'noise';
}

/** Where the interval of the cell's speedup lies (directionOf), or undefined where it has no speedup. */
export function direction(e: Evidence): Direction | undefined {
  return e.speedup ? directionOf(e.speedup) : undefined;
}

export const pct = (value: number) => `${Math.round(value)}%`;
