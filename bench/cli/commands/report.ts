import { dirname, relative } from 'node:path';
import { fail, WriteError, writing } from '../../core/errors.ts';
import { EXPORT_HELP, EXPORT_OPTIONS, exportTargets, writeExports } from '../../present/export/index.ts';
import { writeReport } from '../../present/report/index.ts';
import { abandonedJournal, JOURNAL_FILE, removeJournal } from '../../store/journal.ts';
import { type Results, readResults, writeResults } from '../../store/results.ts';
import { parse, writableDir } from './args.ts';

export const REPORT_HELP = `Usage: gilbench report FILE [--out DIR]

Renders report.md, the charts and report.html from a results.json alone (also a partial one, or
one whose run is still going or was killed: its runs are read from runs.jsonl beside it; a
journal whose writer is gone is folded into results.json, marked partial).
  --out DIR             where to write them (default: the folder that holds FILE)
${EXPORT_HELP}
  -h, --help            show this help

Exit codes: 0 written, 2 bad input, 3 the report could not be written (disk full, read-only).`;

export function reportCommand(args: string[]): number {
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, ...EXPORT_OPTIONS, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) fail('gilbench report takes exactly one results.json file; see --help.');
  const file = positionals[0]!;
  const out = writableDir('--out', values.out ?? dirname(file));
  const results = readResults(file);
  if (abandonedJournal(file)) foldAbandoned(file, results);
  const path = writing(`the report in ${out}`, () => writeReport(results, out));
  writing('the exports', () => writeExports(results, exportTargets(values)));
  console.error(
    `gilbench: report: ${relative(process.cwd(), path)}${results.status === 'complete' ? '' : ` (from ${results.status} results)`}`,
  );
  return 0;
}

/**
 * A run that died (killed, power lost) left results.json "running" and its runs in the journal:
 * they become one file again, marked partial. Said, not fatal, when it cannot be written.
 */
function foldAbandoned(file: string, results: Results): void {
  if (results.status === 'running') results.status = 'partial';
  try {
    writeResults(file, results);
    removeJournal(file);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    console.error(`gilbench: ${JOURNAL_FILE} stays beside ${file}: ${error.message}.`);
  }
}
