import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { chooseInterpreters } from '../bench/discover.ts';
import { probeInterpreter } from '../bench/interpreters.ts';
import { PYTHON } from './helpers.ts';

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
  const versioned = execFileSync(PYTHON, ['-c', 'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "python%d.%d" % sys.version_info[:2]))'], { encoding: 'utf8' }).trim();
  const { interpreters } = await chooseInterpreters(['python3', PYTHON, versioned]);
  assert.equal(interpreters.length, 1);
});
