import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { fail, reasonOf } from '../../core/errors.ts';
import { nearestExisting } from '../../store/durable.ts';

/** Flag parsing shared by the commands: every mistake is one sentence and exit code 2. */

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]!.replace(/\.$/, '')}; see --help.`);
  }
}

/** A help text's option description, wrapped to the column the other descriptions start at. */
export function helpText(text: string, indent = 24, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].map((l) => ' '.repeat(indent) + l).join('\n');
}

/** "a,b" or repeated flags, trimmed, each once. */
export function list(values: string[] | undefined): string[] | undefined {
  return (
    values && [
      ...new Set(
        values
          .flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ]
  );
}

/** --python's interpreters, or `otherwise` without the flag; a --python that names none ("", ",") is one sentence, not a run without Pythons. */
export function interpreterNames(values: string[] | undefined, otherwise: string): string[] {
  const names = list(values) ?? [otherwise];
  if (names.length === 0) fail(`--python names no interpreter; e.g. --python ${otherwise}.`);
  return names;
}

/** Whole numbers from min to max, "a,b" or repeated, each once, e.g. --workers 1,2,4. */
export function wholeNumbers(
  flag: string,
  values: string[] | undefined,
  min: number,
  max: number,
): number[] | undefined {
  const numbers = list(values)?.map((text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      fail(
        `${flag} takes ${min === 0 ? 'whole numbers' : 'positive whole numbers'} up to ${max}, e.g. ${flag} ${Math.max(min, Math.min(4, max))}; got "${text}".`,
      );
    }
    return value;
  });
  return numbers && [...new Set(numbers)];
}

export function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  return wholeNumbers(flag, value === undefined ? undefined : [value], min, max)?.[0];
}

/** A number in a range, e.g. --threshold 5 (percent). */
export function number(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    fail(`${flag} takes a number from ${min} to ${max}; got "${value}".`);
  }
  return parsed;
}

/**
 * An output folder, absolute, checked before anything runs: it, or the nearest folder above it
 * that exists (where it will be created), must be a folder gilbench can write in.
 */
export function writableDir(flag: string, dir: string): string {
  const wanted = resolve(dir);
  const existing = nearestExisting(wanted);
  if (!statSync(existing).isDirectory()) fail(`${flag} ${dir}: ${existing} is a file, not a folder.`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    fail(`${flag} ${dir}: cannot write in ${existing} (${reasonOf(error)}).`);
  }
  return wanted;
}
