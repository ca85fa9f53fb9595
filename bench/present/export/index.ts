import { type Results, writeAtomic } from '../../store/results.ts';
import { toCsv, toJson, toMarkdown } from './formats.ts';
import { exportRows } from './rows.ts';

/** --export-json / --export-csv / --export-markdown: the files asked for, each written whole. */
export interface ExportTargets {
  json?: string;
  csv?: string;
  markdown?: string;
}

/** The flags, for the commands that take them (run, report). */
export const EXPORT_OPTIONS = {
  'export-json': { type: 'string' },
  'export-csv': { type: 'string' },
  'export-markdown': { type: 'string' },
} as const;

export function exportTargets(values: {
  'export-json'?: string;
  'export-csv'?: string;
  'export-markdown'?: string;
}): ExportTargets {
  return { json: values['export-json'], csv: values['export-csv'], markdown: values['export-markdown'] };
}

export const EXPORT_HELP = `  --export-json FILE    also write every cell and metric (median, interval, unit, direction) as JSON
  --export-csv FILE     …as CSV (one row per cell and metric; pandas.read_csv reads it as it is)
  --export-markdown FILE
                        …as a markdown table`;

export function writeExports(results: Results, targets: ExportTargets): void {
  if (!targets.json && !targets.csv && !targets.markdown) return;
  const rows = exportRows(results);
  if (targets.json) writeAtomic(targets.json, toJson(rows, { runId: results.runId, schemaVersion: results.version }));
  if (targets.csv) writeAtomic(targets.csv, toCsv(rows));
  if (targets.markdown) writeAtomic(targets.markdown, toMarkdown(rows));
}
