import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertOneSentence, gilbench } from './fuzz/outcome.ts';
import { historyAdds, tempDir } from './helpers.ts';

/** What the fuzz tests (test/fuzz.test.ts) found, each held by a test of its own. */

const FIXTURES = join(import.meta.dirname, 'fixtures');
const raw = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

test('a field that is not there is said to be missing', async () => {
  const dir = tempDir();
  const { machine: _gone, ...file } = raw('countdown');
  writeFileSync(join(dir, 'results.json'), JSON.stringify(file));
  const outcome = await gilbench(['report', join(dir, 'results.json'), '--out', dir]);
  assertOneSentence(outcome, 'no machine');
  assert.match(outcome.stderr[0]!, /is damaged: machine: missing\.$/);
});

test('merge refusing an input says only why: not first that an older one was read as the current version', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'damaged.json'), '{"schema": "gilbench/results", "version": 2, "runs": [');
  const outcome = await gilbench([
    'merge',
    join(dir, 'out.json'),
    join(FIXTURES, 'countdown-v1.json'),
    join(dir, 'damaged.json'),
  ]);
  assertOneSentence(outcome, 'merge of a v1 file and a damaged one');
  assert.match(outcome.stderr[0]!, /damaged\.json" is not valid JSON/);
  const merged = await gilbench([
    'merge',
    join(dir, 'out.json'),
    join(FIXTURES, 'countdown-v1.json'),
    join(FIXTURES, 'countdown.json'),
  ]);
  assert.equal(merged.code, 0);
  assert.match(merged.stderr[0]!, /countdown-v1\.json has results schema version 1; read as the current one\./);
  assert.match(merged.stderr.at(-1)!, /^gilbench: merged 2 results files/);
});

test('a --task file is read as an import reads it: a UTF-8 BOM is fine; NUL bytes, garbage and nesting too deep for Python are one sentence', async () => {
  const dir = tempDir();
  const cases: [string, string | Buffer, RegExp | undefined][] = [
    ['bom.py', '\ufeffdef f(i, **_):\n    pass\n', undefined],
    ['nul.py', 'def f(i, **_):\n    pass\n\0', /: (its syntax is wrong|Python cannot parse it): .*null bytes/],
    [
      'garbage.py',
      Buffer.from([0xff, 0xfe, 0x81, 0x0a, 0xc3]),
      /: (its syntax is wrong( at line \d+)?|Python cannot parse it): /,
    ],
    [
      'deep.py',
      `x = ${'-'.repeat(100_000)}1\ndef f(i): pass\n`,
      /: (its syntax is wrong( at line \d+)?|Python cannot parse it): /,
    ],
  ];
  for (const [name, content, refused] of cases) {
    writeFileSync(join(dir, name), content);
    const outcome = await gilbench([
      'run',
      '--task',
      `${join(dir, name)}:f`,
      '--python',
      'python3',
      '--workers',
      '1',
      '--repeat',
      '1',
      '--modes',
      'serial',
      '--sample-interval',
      '0',
      '--out',
      join(dir, 'reports'),
    ]);
    if (!refused) {
      assert.equal(outcome.code, 0, `${name}: ${outcome.stderr.join('\n')}`);
      continue;
    }
    assertOneSentence(outcome, name);
    assert.match(outcome.stderr[0]!, refused, name);
  }
});

test('--workloads-dir of a file, of a descriptor that does not load, or that exports no workload is one sentence', async () => {
  const dir = tempDir();
  const folder = (name: string, descriptor: string) => {
    mkdirSync(join(dir, name, 'w'), { recursive: true });
    writeFileSync(join(dir, name, 'w', 'workload.ts'), descriptor);
    return join(dir, name);
  };
  const cases: [string, RegExp][] = [
    [join(FIXTURES, 'countdown.json'), /Workloads folder ".*countdown\.json" is a file, not a folder\./],
    [
      folder('broken', 'export default {\n  name: "x",\n  program:\n'),
      /Workload descriptor .*workload\.ts could not be loaded: .*workload\.ts:\d+:\d+: ERROR: .*\.$/,
    ],
    [folder('throws', 'throw new Error("not today");\n'), /could not be loaded: not today\.$/],
    [
      folder('none', 'export const x = 1;\n'),
      /Workload descriptor .*workload\.ts exports no workload: it needs "export default defineWorkload/,
    ],
  ];
  for (const [workloads, message] of cases) {
    const outcome = await gilbench(['run', '--workloads-dir', workloads, '--python', 'python-does-not-exist']);
    assertOneSentence(outcome, workloads);
    assert.match(outcome.stderr[0]!, message);
  }
});

test('a folder the kernel will not make (under /proc) ends in one sentence: report --out and compare --markdown hung, in Node recursive mkdir', () => {
  // in a process of its own: a hang is a timeout here, not a test run that never ends
  const cli = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');
  const gilbenchApart = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  const countdown = join(FIXTURES, 'countdown.json');
  for (const out of [
    gilbenchApart('report', countdown, '--out', '/proc/gilbench-cannot/report'),
    gilbenchApart('compare', countdown, countdown, '--markdown', '/proc/gilbench-cannot/c.md'),
  ]) {
    assert.ok(out.status === 2 || out.status === 3, `exit ${out.status} (${out.signal ?? 'no signal'}): ${out.stderr}`);
    assert.match(
      out.stderr,
      /^gilbench: [^\n]*(cannot write in \/proc|could not write [^\n]* \/proc\/gilbench-cannot\/[^\n]*: ENOENT)[^\n]*\n$/,
    );
  }
});

test('figures --only with no figure named is one sentence (it drew nothing and failed reading the first)', async () => {
  const dir = tempDir();
  const outcome = await gilbench(['figures', '--render', '--out', dir, '--only', '']);
  assertOneSentence(outcome, "--only ''");
  assert.match(outcome.stderr[0]!, /--only names no figure; the figures are: gil-cpu, /);
});

test('a history store with a file among its commit folders reads; an entry whose run values are not all above 0 is one sentence', async () => {
  const store = join(tempDir(), 'store');
  for (const add of historyAdds(store, 2)) {
    const added = await gilbench(add);
    assert.equal(added.code, 0, added.stderr.join('\n'));
  }
  writeFileSync(join(store, 'runs', 'README.json'), '{}');
  assert.equal(
    (await gilbench(['history', 'check', '--store', store])).code,
    0,
    'a file beside the commit folders is not a commit (it was read as a folder: ENOTDIR)',
  );
  const [entry] = readdirSync(join(store, 'runs', 'c1'));
  const file = JSON.parse(readFileSync(join(store, 'runs', 'c1', entry!), 'utf8'));
  file.cells[0].runs.wall[0] = 0;
  writeFileSync(join(store, 'runs', 'c1', entry!), JSON.stringify(file));
  const outcome = await gilbench(['history', 'check', '--store', store]);
  assertOneSentence(outcome, 'a run value of 0');
  assert.match(
    outcome.stderr[0]!,
    /c1\/.*\.json" is damaged or from a newer gilbench: cells\.0\.runs\.wall\.0: Too small: expected number to be >0\.$/,
  );
});

test('bench:ci reads its baseline first: a damaged one is one sentence and exit 2 before the suite runs (it was a stack trace after it)', () => {
  const dir = tempDir();
  const file = join(dir, 'baseline.json');
  writeFileSync(file, JSON.stringify({ ...raw('countdown'), interpreters: [] }));
  const script = join(import.meta.dirname, '..', 'scripts', 'bench-ci.ts');
  // in a folder of its own: were the baseline not read first, the suite's runs would land there
  const out = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, '--baseline', file], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: dir,
  });
  assert.equal(out.status, 2, out.stderr);
  assert.match(
    out.stderr,
    /^gilbench: "[^"]*baseline\.json" is inconsistent: plan\.cells\.0\.interpreter: "cpython-3\.11\.7" is not one of interpreters \(there are none\)\.\n$/,
  );
});

test('figures --render of an experiment with no measured run is one sentence (a caption read the first measured cell of none)', async () => {
  const dir = tempDir();
  for (const [experiment, fixture] of [
    ['gil-cpu', 'two-interpreters'],
    ['io-bound', 'fetch'],
  ]) {
    mkdirSync(join(dir, 'data', experiment!), { recursive: true });
    writeFileSync(
      join(dir, 'data', experiment!, 'results.json'),
      JSON.stringify({ ...raw(fixture!), ...(experiment === 'io-bound' && { runs: [], status: 'partial' }) }),
    );
  }
  const outcome = await gilbench(['figures', '--render', '--only', 'gil-cpu,io-bound', '--out', dir]);
  assertOneSentence(outcome, 'io-bound without runs');
  assert.match(
    outcome.stderr[0]!,
    /The "io-bound" experiment has no measured run to draw \(.*io-bound\/results\.json holds none that succeeded\)/,
  );
  assert.ok(!existsSync(join(dir, 'FIGURES.md')));
});

test("no folder is made with Node's recursive mkdir, which spins for ever where the kernel will not make one (store/durable.ts makeFolder makes them)", () => {
  const bench = join(import.meta.dirname, '..', 'bench');
  const sources = readdirSync(bench, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  const recursive = sources.filter((file) =>
    /mkdir(Sync)?\([^)]*recursive:\s*true/.test(readFileSync(join(bench, file), 'utf8')),
  );
  assert.deepEqual(recursive, []);
});

test('a --python that names no interpreter ("", ",") is one sentence: run went on without any Python (only Node.js workloads, or a TypeError with --task)', async () => {
  for (const args of [
    ['run', '--python', ','],
    ['run', '--python', '', '--task', `${join(FIXTURES, 'tasks.py')}:count`],
    ['doctor', '--python', ','],
  ]) {
    const outcome = await gilbench(args);
    assertOneSentence(outcome, args.join(' '));
    assert.match(outcome.stderr[0]!, /--python names no interpreter; e\.g\. --python (python3|all)\.$/);
  }
});
