import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fail } from '../errors.ts';

/** Flag parsing shared by the commands: every mistake is one sentence and exit code 2. */

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]!.replace(/\.$/, '')}; see --help.`);
  }
}

/** "a,b" or repeated flags, trimmed, each once. */
export function list(values: string[] | undefined): string[] | undefined {
  return values && [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

export function positiveInts(flag: string, values: string[] | undefined, allowZero = false): number[] | undefined {
  const numbers = list(values)?.map((text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || (!allowZero && value === 0)) {
      fail(`${flag} takes ${allowZero ? 'whole numbers' : 'positive whole numbers'}, e.g. ${flag} ${allowZero ? '0' : '4'}; got "${text}".`);
    }
    return value;
  });
  return numbers && [...new Set(numbers)];
}

export function single(flag: string, value: string | undefined, allowZero = false): number | undefined {
  return positiveInts(flag, value === undefined ? undefined : [value], allowZero)?.[0];
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
