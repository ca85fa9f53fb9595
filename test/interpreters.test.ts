import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { chooseInterpreters, probeInterpreter, withGilSettings } from '../bench/execute/discover.ts';
import { NO_FREE_THREADED, PYTHON, realFreeThreaded, tempDir } from './helpers.ts';

test('python3 resolves to the real executable with its version and GIL status', async () => {
  const python = await probeInterpreter('python3');
  assert.equal(python.executable, PYTHON);
  assert.doesNotMatch(python.executable, /shims/, 'a pyenv shim is resolved to the interpreter behind it');
  assert.match(python.version, /^3\.\d+\.\d+/);
  assert.equal(python.implementation, 'CPython');
  assert.equal(python.gilEnabled, !python.freeThreadedBuild);
  assert.equal(python.id, `cpython-${python.version}${python.freeThreadedBuild ? 't' : ''}`);
});

test('two names for one interpreter count once', async () => {
  // python3 and python3.X (beside it in every standard install) name one file.
  const versioned = execFileSync(
    PYTHON,
    [
      '-c',
      'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "python%d.%d" % sys.version_info[:2]))',
    ],
    { encoding: 'utf8' },
  ).trim();
  const { interpreters } = await chooseInterpreters(['python3', PYTHON, versioned]);
  assert.equal(interpreters.length, 1);
});

test("a venv's python links to its base interpreter's file, yet is an interpreter of its own when named", async () => {
  const venv = join(tempDir(), 'venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
  const [python, python3] = ['python', 'python3'].map((name) => join(venv, 'bin', name));
  const { interpreters } = await chooseInterpreters([PYTHON, python!, python3!]);
  assert.deepEqual(
    interpreters.map((i) => i.executable),
    [PYTHON, python],
    'the base once, the venv once (two names)',
  );
});

test('a real free-threaded build: no GIL unless PYTHON_GIL=1, and its names are one interpreter', async (t) => {
  const [ft] = await realFreeThreaded();
  if (!ft) return t.skip(NO_FREE_THREADED);
  t.diagnostic(`ran on the real ${ft.id}: ${ft.executable}`);
  assert.match(ft.id, /^cpython-3\.\d+\.\d+t$/);
  assert.equal(ft.gilEnabled, false);
  // python3.13 and python3.13t are one file (a link, hard or symbolic, depending on how it was installed).
  const bin = dirname(ft.executable);
  const names = readdirSync(bin)
    .filter((name) => /^python3\.\d+t?$/.test(name))
    .map((name) => join(bin, name));
  assert.ok(names.length >= 2, `python3.X and python3.Xt beside each other: ${names.join(', ')}`);
  assert.equal((await chooseInterpreters(names)).interpreters.length, 1);
  const settings = await withGilSettings([ft], ['0', '1']);
  assert.deepEqual(
    settings.map((i) => [i.id, i.gilEnabled]),
    [
      [`${ft.id}-gil0`, false],
      [`${ft.id}-gil1`, true],
    ],
  );
});

test('labelled interpreters keep their labels and are never merged; unlabelled duplicates are, and said so', async () => {
  const [a, b] = ['a', 'b'].map((name) => join(tempDir(), `venv-${name}`));
  for (const venv of [a!, b!]) execFileSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
  const labelled = await chooseInterpreters([`base=${join(a!, 'bin', 'python')}`, `head=${join(b!, 'bin', 'python')}`]);
  assert.deepEqual(
    labelled.interpreters.map((i) => i.id),
    ['base', 'head'],
  );
  assert.deepEqual(labelled.merged, []);
  // One file under two labels is still two interpreters: the labels are what the user compares.
  const twice = await chooseInterpreters([`one=${PYTHON}`, `two=${PYTHON}`, 'python3', PYTHON]);
  const python = await probeInterpreter(PYTHON);
  assert.deepEqual(twice.interpreters.map((i) => i.id).sort(), ['one', 'two', python.id].sort());
  assert.deepEqual(twice.merged, [['python3', PYTHON]]);
  await assert.rejects(chooseInterpreters([`x=${PYTHON}`, `x=${PYTHON}`]), /the label "x" is given twice/);
  await assert.rejects(chooseInterpreters([`a/b=${PYTHON}`]), /LABEL=PATH/);
});
