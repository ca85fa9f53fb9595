// Builds the installable package into dist/ (npm's "prepare": on npm install and npm pack).
// Plain JavaScript because it runs before anything is built. Type errors are `npm run typecheck`'s
// job, so tsc only emits here (--noCheck), which keeps the build to a few seconds.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck'], { stdio: 'inherit' });
// The Python programs go beside their compiled descriptors: a workload finds its program in its own folder.
cpSync(join(root, 'workloads'), join(dist, 'workloads'), {
  recursive: true,
  filter: (path) => (statSync(path).isDirectory() ? !path.endsWith('__pycache__') : extname(path) === '.py'),
});
