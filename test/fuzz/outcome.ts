/**
 * What every fuzz case must end in, whatever it was given: exit 0 with what the command promises
 * written whole, or exit 2 (bad input) or 3 (a file could not be written) with one sentence on
 * stderr, and nothing left behind that claims to be a finished report. A stack trace (an error
 * main() does not turn into a sentence) fails the case with the error itself.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, reported } from '../../bench/cli/main.ts';

export interface Outcome {
  code: number;
  stderr: string[];
  stdout: string[];
}

/** The command line run in this process, with what it printed kept instead of shown. */
export function gilbench(args: string[]): Promise<Outcome> {
  return capture(() => main(args));
}

/**
 * A part of a command run as main() runs a command (reported: bad input is one sentence and exit
 * 2, a file not written exit 3), with what it printed kept instead of shown.
 */
export async function capture(body: () => Promise<number> | number): Promise<Outcome> {
  const printed: Outcome = { code: -1, stderr: [], stdout: [] };
  const { error, log } = console;
  console.error = (...parts: unknown[]) => printed.stderr.push(parts.join(' '));
  console.log = (...parts: unknown[]) => printed.stdout.push(parts.join(' '));
  try {
    printed.code = await reported(body);
  } finally {
    Object.assign(console, { error, log });
  }
  return printed;
}

/** Exit 2 or 3 and one line, "gilbench: …", that is a sentence and not a trace. */
export function assertOneSentence(outcome: Outcome, what: string): void {
  assert.ok(
    outcome.code === 2 || outcome.code === 3,
    `${what}: exit ${outcome.code}, expected 0, 2 or 3; printed: ${outcome.stderr.join('\n')}`,
  );
  assert.equal(
    outcome.stderr.length,
    1,
    `${what}: one sentence, got ${outcome.stderr.length} lines: ${outcome.stderr.join('\n')}`,
  );
  const [sentence] = outcome.stderr as [string];
  assert.match(sentence, /^gilbench: \S/, `${what}: ${sentence}`);
  // what a user typed is quoted as typed (NaN, undefined); what went wrong inside shows as a trace or an object
  assert.doesNotMatch(
    sentence,
    /\n|\bat \S+ \(.*:\d+:\d+\)|(Type|Reference|Range|Syntax)Error\b|\[object /,
    `${what}: not one sentence: ${sentence}`,
  );
}

/**
 * A report folder is finished or claims nothing: with report.md come report.html and every chart
 * report.md shows, and report.md reads as a report, with no number that went wrong on its way in.
 * Exit 0 has one; bad input (2) has none; a file that could not be written (3: an export after
 * the report, say) may leave a finished one.
 */
export function assertReportFolder(dir: string, code: number, what: string): void {
  const markdown = join(dir, 'report.md');
  if (code === 0) assert.ok(existsSync(markdown), `${what}: exit 0 without ${markdown}`);
  if (!existsSync(markdown)) return;
  assert.notEqual(code, 2, `${what}: refused, yet ${markdown} is there`);
  assert.ok(existsSync(join(dir, 'report.html')), `${what}: report.md without report.html`);
  const text = readFileSync(markdown, 'utf8');
  for (const [, chart] of text.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g))
    assert.ok(existsSync(join(dir, chart!)), `${what}: report.md shows ${chart}, which is not there`);
  // a tiny number given is shown as given (1e-300); a huge one can only come of arithmetic gone wrong (the file's own are below 2^53)
  const wrong = /.{0,60}(\bNaN\b|\bundefined\b|Infinity|\[object |\de\+\d\d).{0,40}/.exec(text);
  assert.equal(wrong, null, `${what}: report.md shows a number that went wrong: ${wrong?.[0]}`);
}

/** exit 0 (read) or a one-sentence refusal; which of the two it was. */
export function readOrRefused(outcome: Outcome, what: string, alsoFine: number[] = []): 'read' | 'refused' {
  if (outcome.code === 0 || alsoFine.includes(outcome.code)) return 'read';
  assertOneSentence(outcome, what);
  return 'refused';
}
