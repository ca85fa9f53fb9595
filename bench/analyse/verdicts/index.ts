import type { CellSummary } from '../summary.ts';
import { BATCH_RULES } from './batch.ts';
import { COMMON_RULES, FEW_RUNS_RULE } from './common.ts';
import { type Evidence, evidenceOf, type RanOn } from './evidence.ts';
import type { Rule } from './rule.ts';
import { SERVER_RULES } from './server.ts';

export type { Evidence } from './evidence.ts';
export { serverRanking } from './server.ts';

/** Every rule, in the order they are tried: the common ones first, then each kind's own, and last one for too few runs. */
export const RULES: Rule[] = [...COMMON_RULES, ...BATCH_RULES, ...SERVER_RULES, FEW_RUNS_RULE];

export interface Verdict {
  rule: string;
  sentence: string;
}

/** The first rule of the cell's kind whose evidence holds; a cell no rule speaks for says only its number. */
export function judgeEvidence(e: Evidence): Verdict {
  const rule = RULES.find((r) => r.kinds.includes(e.summary.kind) && r.holds(e));
  return rule ? { rule: rule.id, sentence: rule.sentence(e) } : { rule: 'none', sentence: 'no rule applies.' };
}

/** The verdict on one cell, from its measured runs and what it ran on. */
export function judge(summary: CellSummary, ranOn: RanOn): Verdict {
  return judgeEvidence(evidenceOf(summary, ranOn));
}

/** The rule table of docs/VERDICTS.md, from the rules themselves: the docs cannot drift from the code. */
export function rulesTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.kinds.join(', ')} | ${cell(r.needs)} | ${cell(r.says)} |`);
  return ['| rule | kinds | the evidence it needs | what it says |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
