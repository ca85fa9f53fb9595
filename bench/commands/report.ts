import { dirname, relative, resolve } from 'node:path';
import { fail } from '../errors.ts';
import { writeReport } from '../report/index.ts';
import { EXPORT_HELP, EXPORT_OPTIONS, exportTargets, writeExports } from '../export/index.ts';
import { readResults } from '../results.ts';
import { parse } from './args.ts';

export const REPORT_HELP = `Usage: gilbench report FILE [--out DIR]

Renders report.md, the charts and report.html from a results.json alone (also a partial one).
  --out DIR             where to write them (default: the folder that holds FILE)
${EXPORT_HELP}
  -h, --help            show this help`;

export function reportCommand(args: string[]): number {
  const { values, positionals } = parse(args, { out: { type: 'string' }, ...EXPORT_OPTIONS, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) fail('gilbench report takes exactly one results.json file; see --help.');
  const file = positionals[0]!;
  const results = readResults(file);
  const path = writeReport(results, resolve(values.out ?? dirname(file)));
  writeExports(results, exportTargets(values));
  console.error(`gilbench: report: ${relative(process.cwd(), path)}${results.status === 'complete' ? '' : ` (from ${results.status} results)`}`);
  return 0;
}

