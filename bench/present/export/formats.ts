import type { ExportRow } from './rows.ts';

/** The export formats, one function each, from the same rows; the file's extension does not choose: the flag does. */

const COLUMNS: (keyof ExportRow)[] = [
  'cell',
  'workload',
  'mode',
  'workers',
  'interpreter',
  'sweep',
  'metric',
  'unit',
  'better',
  'median',
  'low',
  'high',
  'confidence',
  'runs',
];

export function toJson(rows: ExportRow[], about: { runId: string; schemaVersion: number }): string {
  return `${JSON.stringify({ ...about, rows }, null, 2)}\n`;
}

/** RFC 4180: a header row, commas, quotes only where a field needs them; pandas reads it without options. */
export function toCsv(rows: ExportRow[]): string {
  const field = (value: unknown) => {
    const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value ?? '');
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => field(row[c])).join(','))].join('\n')}\n`;
}

export function toMarkdown(rows: ExportRow[]): string {
  const number = (value: number) =>
    Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(3) : value.toPrecision(3);
  const header = ['cell', 'metric', 'median', 'interval', 'runs'];
  const lines = rows.map((r) => [
    `\`${r.cell}\``,
    `${r.metric} (${r.unit || 'ratio'}, ${r.better === 'neither' ? 'reported' : `${r.better} is better`})`,
    number(r.median),
    `${number(r.low)} – ${number(r.high)} (${Math.round(r.confidence * 100)}%)`,
    String(r.runs),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(header), line(header.map(() => '---')), ...lines.map(line)].join('\n')}\n`;
}
