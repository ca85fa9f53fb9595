/**
 * Fuzz targets' cases, in a process of their own (run.ts forks it): each case in this process,
 * without spawning Node for it, and a message to the parent before each, so that a case that
 * hangs is killed from outside and named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import fc from 'fast-check';
import { TARGETS, type Verdict } from './targets.ts';

export interface FuzzRequest {
  /** each target's name and how many cases it gets */
  targets: [string, number][];
  seed: number;
}

export type FuzzMessage =
  | { target: string; case: number; input: string }
  | { target: string; counts: Record<Verdict, number> }
  | { target: string; failed: string };

// Every chart is drawn, on a real canvas, from what was read; only its last step, encoding the
// 2400x1350 picture as PNG (170 ms a chart, whatever the data), is left out: a case then takes
// tens of milliseconds instead of a second.
Object.getPrototypeOf(createCanvas(1, 1)).toBuffer = () => Buffer.from('PNG not encoded: fuzzing');

const send = (message: FuzzMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

async function fuzz(name: string, numRuns: number, seed: number): Promise<void> {
  const target = TARGETS.find((t) => t.name === name)!;
  const counts: Record<Verdict, number> = { read: 0, refused: 0 };
  let cases = 0;
  const property = fc.asyncProperty(target.input, async (input) => {
    await send({ target: name, case: ++cases, input: fc.stringify(input) });
    const dir = mkdtempSync(join(tmpdir(), `gilbench-fuzz-${name}-`));
    // in its folder: whatever a case writes to a relative path (--out '') lands there, not in the repository
    process.chdir(dir);
    try {
      counts[await target.run(input, dir)]++;
    } finally {
      process.chdir(tmpdir());
      rmSync(dir, { recursive: true, force: true });
    }
  });
  try {
    await fc.assert(property, { numRuns, seed });
    await send({ target: name, counts });
  } catch (error) {
    // fast-check's report (seed, path, shrunk input) and, under it, what went wrong in that case
    const { message, cause } = error as Error;
    await send({ target: name, failed: `${message}\n${cause instanceof Error ? cause.stack : String(cause)}` });
  }
}

process.once('message', async ({ targets, seed }: FuzzRequest) => {
  for (const [name, numRuns] of targets) await fuzz(name, numRuns, seed);
  process.disconnect();
});
