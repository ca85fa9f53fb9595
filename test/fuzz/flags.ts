/**
 * The command line, fuzzed: flags and values, right and wrong, for every command that reads
 * files or runs something. What a value can be is listed per flag: the right ones, the edges of
 * their bounds, and what a tired user types.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A number as typed: in bounds, beyond them, not whole, not a number, or any string at all. */
export const numberish = fc.oneof(
  fc.integer({ min: -5, max: 200_000 }).map(String),
  fc.constantFrom(
    '0',
    '1',
    '2',
    '1e3',
    '0x10',
    '1.5',
    '-1',
    '',
    ' 3',
    '3 ',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '4,2',
    '1,,2',
    '²',
    '2^31',
    '86401',
    '60001',
    '100001',
  ),
  fc.string({ maxLength: 12 }),
);

const listOf = (values: fc.Arbitrary<string>) =>
  fc.array(values, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(','));

/** A folder a case may write in, a file, one that cannot be made, none. */
export const OUT_CHOICES = ['fresh', 'file', '/proc/gilbench-cannot', '', 'nested/deeper'] as const;
export type OutChoice = (typeof OUT_CHOICES)[number];

/** Where an --out or an export goes, in the case's folder. */
export function outPath(choice: OutChoice, dir: string, name: string): string {
  if (choice === 'file') {
    writeFileSync(join(dir, `${name}.file`), 'not a folder');
    return join(dir, `${name}.file`);
  }
  if (choice === 'fresh' || choice === 'nested/deeper') return join(dir, choice, name);
  return choice;
}

const PARAM_NAMES = ['n', 'delay_ms', 'requests', 'body_bytes', 'connections', 'x', 'N', 'n n'];
const param = fc
  .tuple(
    fc.constantFrom('', 'countdown:', 'fetch:', 'nope:', ':'),
    fc.constantFrom(...PARAM_NAMES),
    fc.constantFrom('=', '', '=='),
    listOf(numberish),
  )
  .map(([scope, name, equals, values]) => `${scope}${name}${equals}${values}`);

/** Folders of workloads of one's own whose descriptor does not load, or exports no workload; made in the case's folder when named. */
const WORKLOAD_FOLDERS: Record<string, string> = {
  '{descriptor that does not parse}': 'export default {\n  name: "x",\n  program:\n',
  '{descriptor that throws}': 'throw new Error("not today");\n',
  '{descriptor without a workload}': 'export default { name: 1 };\n',
};

/** A flag's value, with a workloads folder named in braces made first. */
export function madeFor(value: string, dir: string): string {
  if (!Object.hasOwn(WORKLOAD_FOLDERS, value)) return value;
  const folder = join(dir, 'workloads', value.replace(/\W+/g, '-'));
  mkdirSync(join(folder, 'w'), { recursive: true });
  writeFileSync(join(folder, 'w', 'workload.ts'), WORKLOAD_FOLDERS[value]!);
  return folder;
}

/** run's flags, --python aside (the caller names an interpreter, so that nothing is probed or run). */
export const runFlag: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.tuple(
    fc.constant('--workloads'),
    listOf(fc.constantFrom('countdown', 'fetch', 'echo', 'nope', '', 'countdown@head')),
  ),
  fc.tuple(fc.constant('--modes'), listOf(fc.constantFrom('serial', 'threads', 'processes', 'fibers', ''))),
  fc.tuple(fc.constant('--workers'), listOf(numberish)),
  fc.tuple(fc.constant('--repeat'), fc.oneof(numberish, fc.constant('auto'))),
  fc.tuple(fc.constantFrom('--target', '--budget', '--warmup', '--sample-interval', '--timeout'), numberish),
  fc.tuple(fc.constant('--gil'), fc.constantFrom('0', '1', '0,1', '2', '', 'on')),
  fc.tuple(fc.constant('--profile'), fc.constantFrom('quick', 'default', 'full', 'huge', '')),
  fc.tuple(fc.constant('--param'), param),
  fc.tuple(fc.constant('--busy'), fc.constantFrom('retry', 'keep', 'fail', 'maybe', '')),
  fc.tuple(fc.constant('--pin'), fc.constantFrom('auto', 'off', 'on', '')),
  fc.tuple(fc.constant('--task-param'), fc.constantFrom('n=1', 'x', '=1', 'a=b', '1a=2', 'n=1e400', 'n=', 'n=-3')),
  fc.tuple(fc.constant('--task-size'), fc.constantFrom('n', '1x', '', 'a b')),
  fc.tuple(
    fc.constant('--workloads-dir'),
    fc.constantFrom(
      `${FIXTURES}/workloads`,
      `${FIXTURES}/outside=x`,
      '/nonexistent-gilbench',
      `${FIXTURES}/tasks.py`,
      `${FIXTURES}/workloads=`,
      ...Object.keys(WORKLOAD_FOLDERS),
    ),
  ),
  fc.constantFrom(
    ['--frobnicate'],
    ['-x'],
    ['extra'],
    ['--workers'],
    ['--help', '--workers', '0'],
    ['--repeat=3'],
    ['--'],
    ['-h'],
  ),
);

/** --task FILE:FUNC as typed: a file that defines the function, one that does not, no file, no function, a folder. */
export const TASK_SPECS = [
  'tiny.py:f',
  'tiny.py:g',
  'absent.py:f',
  'tiny.py:',
  'tiny.py:1f',
  ':f',
  'tiny.py',
  '.:f',
  'tiny.py:f:g',
] as const;

/** A Python file with f(i, **_), in the case's folder. */
export function tinyTask(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tiny.py'), 'def f(i, **_):\n    return i\n');
  return dir;
}

/** The flags of compare, report and merge, and what their values may be. */
export const compareFlag: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.tuple(
    fc.constant('--metrics'),
    listOf(fc.constantFrom('wall', 'throughput', 'p99', 'speedup', 'cpu', 'headline', 'gpu', '')),
  ),
  fc.tuple(fc.constantFrom('--threshold', '--alpha'), numberish),
  fc.tuple(fc.constant('--sides'), fc.constantFrom('a,b', 'cpython-3.11.7,cpython-3.13.0', 'a', 'a,b,c', ',', '')),
  fc.tuple(
    fc.constantFrom('--base-interpreter', '--cand-interpreter'),
    fc.constantFrom('cpython-3.11.7', 'cpython-3.13.0', 'nope', ''),
  ),
  fc.tuple(fc.constantFrom('--base-label', '--cand-label'), fc.constantFrom('base', 'head', '')),
  fc.constantFrom(['--fail-on-regression'], ['--frobnicate'], ['extra.json'], ['--markdown'], ['-h']),
);

export const EXPORT_FLAGS = ['--export-json', '--export-csv', '--export-markdown'] as const;
