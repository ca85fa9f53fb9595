import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { tempDir } from './helpers.ts';

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

function gilbench(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Each is one sentence and exit code 2. They run as many at a time as there are cores (each is
 * mostly Node.js starting), so that none, an interpreter probe with its 5 s limit say, is starved.
 */
async function assertUsageErrors(cases: [string[], RegExp][]) {
  for (let i = 0; i < cases.length; i += availableParallelism())
    await Promise.all(cases.slice(i, i + availableParallelism()).map(assertUsageError));
}

async function assertUsageError([args, pattern]: [string[], RegExp]) {
  const { exitCode, stderr } = await execa(process.execPath, ['--import', 'tsx', CLI, ...args], {
    reject: false,
    timeout: 60_000,
  });
  assert.equal(exitCode, 2, `exit code for ${args.join(' ')}: ${stderr}`);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one sentence, no stack trace: ${stderr}`);
  assert.match(lines[0]!, pattern);
}

/** A real 3.x older than 3.8 when pyenv has one, else a stand-in that answers like 3.6 would. */
function tooOldPython(): string {
  try {
    const root = execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim();
    const old = readdirSync(join(root, 'versions')).find((v) => /^3\.[0-7]\./.test(v));
    if (old && existsSync(join(root, 'versions', old, 'bin', 'python')))
      return join(root, 'versions', old, 'bin', 'python');
  } catch {
    // no pyenv here: fall through to the stand-in
  }
  const fake = join(tempDir(), 'python3.6');
  writeFileSync(
    fake,
    `#!/bin/sh\necho '{"executable": "${fake}", "realpath": "${fake}", "version": "3.6.15", "implementation": "CPython", "gil_enabled": true, "free_threaded_build": false, "switch_interval_s": 0.005}'\n`,
  );
  chmodSync(fake, 0o755);
  return fake;
}

test('--help explains each command', () => {
  const main = gilbench('--help');
  assert.equal(main.code, 0);
  assert.match(main.stdout, /gilbench run/);
  const run = gilbench('run', '--help');
  assert.equal(run.code, 0);
  for (const flag of ['--workloads', '--modes', '--workers', '--repeat', '--python', '--profile', '--out'])
    assert.match(run.stdout, new RegExp(flag));
  assert.match(gilbench('report', '--help').stdout, /results\.json/);
});

test('bad input gets one clear sentence and exit code 2', async () => {
  await assertUsageErrors([
    [['run', '--workloads', 'nope'], /Unknown workload "nope"; known workloads: .*countdown/],
    [['run', '--modes', 'fibers'], /No chosen workload has a mode "fibers"/],
    [['run', '--workers', '0'], /--workers takes positive whole numbers.*got "0"/],
    [['run', '--workers', 'two'], /--workers takes positive whole numbers/],
    [['run', '--profile', 'huge'], /--profile must be one of quick, default, full/],
    [['run', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['run', '--param', 'x=1'], /no chosen workload has a parameter "x"/i],
    [['run', '--python', 'python-does-not-exist'], /"python-does-not-exist" was not found/],
    [
      ['run', '--python', tooOldPython()],
      /Python 3\.[0-7]\.\d+ is not run: gilbench needs 3\.8 or newer, or 2\.7 \(the old GIL\)/,
    ],
    [['run', '--gil', '2'], /--gil takes 0, 1 or 0,1/],
    [
      ['bake'],
      /Unknown command "bake"; the commands are run, report, compare, merge, doctor, figures, history and help/,
    ],
    [['report'], /exactly one results\.json/],
  ]);
});

test('a missing, corrupt or foreign results file is a usage error', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'broken.json'), '{"schema": "gilbench/results", "version": 1, "runs": [');
  writeFileSync(join(dir, 'foreign.json'), '{"hello": "world"}');
  writeFileSync(join(dir, 'future.json'), '{"schema": "gilbench/results", "version": 99}');
  writeFileSync(join(dir, 'damaged.json'), '{"schema": "gilbench/results", "version": 1, "runId": 5}');
  await assertUsageErrors([
    [['report', join(dir, 'absent.json')], /Cannot read results file/],
    [['report', join(dir, 'broken.json')], /is not valid JSON/],
    [['report', join(dir, 'foreign.json')], /is not a gilbench results file/],
    [['report', join(dir, 'future.json')], /schema version 99/],
    [['report', join(dir, 'damaged.json')], /is damaged: /],
  ]);
});
