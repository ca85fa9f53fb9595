import { bracket } from '../../core/format.ts';
import type { RunKind } from '../../core/metrics.ts';
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

/**
 * Where the interval of the speedup lies: wholly above 1, wholly below, or reaching 1; unknown
 * where there is none (one run) or it is unbounded (too few runs to reach 95%).
 */
export function direction(e: Evidence): 'faster' | 'slower' | 'noise' | 'unknown' | undefined {
  if (!e.speedup) return undefined;
  const { low, high } = e.speedup;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return 'unknown';
  return low > 1 ? 'faster' : high < 1 ? 'slower' : 'noise';
}

export const pct = (value: number) => `${Math.round(value)}%`;
