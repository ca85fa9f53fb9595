import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
  });
}

test('the packed package installs outside the repository and runs with plain node', () => {
  const packs = tempDir('gilbench-pack-');
  // npm pack runs "prepare", which builds dist/ from the sources as they are now.
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', packs], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const shipped = packed!.files.map((f) => f.path);
  assert.deepEqual(
    shipped.filter((path) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(path)),
    [],
    'only dist, README, LICENSE and package.json ship',
  );
  for (const path of [
    'dist/scripts/gilbench.js',
    'dist/workloads/countdown/workload.js',
    'dist/workloads/countdown/countdown.py',
    'dist/workloads/common/probe.py',
  ]) {
    assert.ok(shipped.includes(path), `${path} ships`);
  }
  assert.ok(!shipped.some((path) => path.endsWith('.ts')), 'no TypeScript ships: plain node runs the package');

  const home = tempDir('gilbench-installed-');
  npm(['install', '--prefer-offline', join(packs, packed!.filename)], home);
  const bin = join(home, 'node_modules', '.bin', 'gilbench');
  const gilbench = (...args: string[]) => {
    // No tsx loader and no repository around: only what the tarball brought.
    const result = spawnSync(bin, args, {
      cwd: home,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(result.status, 0, `gilbench ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  assert.equal(gilbench('--version').trim(), VERSION);
  assert.match(gilbench('doctor'), /Python interpreters? gilbench can run/);
  const out = join(home, 'reports');
  // --busy keep: on a busy machine the default (retry) would make the run twice.
  gilbench(
    'run',
    '--workloads',
    'countdown',
    '--modes',
    'serial',
    '--workers',
    '1',
    '--repeat',
    '1',
    '--warmup',
    '0',
    '--param',
    'n=1000',
    '--busy',
    'keep',
    '--out',
    out,
  );
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    status: string;
    runs: { ok: boolean }[];
  };
  assert.equal(results.status, 'complete');
  assert.ok(results.runs.length === 1 && results.runs[0]!.ok, 'the countdown ran');
  for (const file of ['report.md', 'report.html']) assert.ok(existsSync(join(runDir, file)), `${file} written`);
});
