import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { PROJECT_DIR } from '../bench/core/paths.ts';

const BENCH = join(PROJECT_DIR, 'bench');

/**
 * The stages a run goes through, each a folder of bench/, and the stages each may import: imports
 * go down the stages only (README, "Layout"). execute and analyse both read what define and store
 * hold, and neither reads the other: a run is executed without its analysis, and analysed from its
 * results alone.
 */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  define: ['core'],
  store: ['core', 'define'],
  execute: ['core', 'define', 'store'],
  analyse: ['core', 'define', 'store'],
  present: ['core', 'define', 'store', 'analyse'],
  cli: ['core', 'define', 'store', 'execute', 'analyse', 'present'],
};

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The project files a file imports, type-only imports included: a cycle of types is a cycle of design. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!));
}

/** The stage a file of bench/ belongs to: its first folder. */
function stageOf(file: string): string | undefined {
  const path = relative(BENCH, file);
  return path.startsWith('..') ? undefined : path.split(sep)[0];
}

/** Each import of a bench/ file that climbs to a stage its own may not read, as "file → imported". */
function stageViolations(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([file, imported]) => {
    const stage = stageOf(file)!;
    return imported
      .filter((target) => {
        const other = stageOf(target);
        return other !== undefined && other !== stage && !MAY_IMPORT[stage]!.includes(other);
      })
      .map((target) => `${relative(BENCH, file)} → ${relative(BENCH, target)}`);
  });
}

/** One import cycle, as a path of files, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return undefined;
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

const benchGraph = () => new Map(sources(BENCH).map((file) => [file, importsOf(file)]));

test('bench/ is its stages: a folder each, named in the layout rule, and no more than 3 files beside them', () => {
  const entries = readdirSync(BENCH, { withFileTypes: true });
  assert.deepEqual(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(),
    Object.keys(MAY_IMPORT).sort(),
  );
  assert.ok(entries.filter((e) => e.isFile()).length <= 3);
});

test('every import goes down the stages: core reads nothing, execute and analyse never each other, nothing reads cli', () => {
  const graph = benchGraph();
  assert.ok(graph.size > 30 && [...graph.values()].some((deps) => deps.length > 3), 'the imports were read');
  assert.deepEqual(stageViolations(graph), []);
});

test('the stage rule catches an import that climbs: execute reading analyse, core reading store', () => {
  const suite = join(BENCH, 'execute', 'suite.ts');
  const stats = join(BENCH, 'core', 'stats.ts');
  const graph = new Map([
    [suite, importsOf(suite, "import { summariseCells } from '../analyse/summary.ts';")],
    [stats, importsOf(stats, "import type { Results } from '../store/results.ts';")],
  ]);
  assert.deepEqual(stageViolations(graph), [
    'execute/suite.ts → analyse/summary.ts',
    'core/stats.ts → store/results.ts',
  ]);
});

test('the harness and the workload descriptors import each other in no cycle', () => {
  const files = [...sources(BENCH), ...sources(join(PROJECT_DIR, 'workloads'))];
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.map((f) => relative(PROJECT_DIR, f)).join(' → ')}`);
});

test('the cycle finder finds a cycle', () => {
  assert.deepEqual(
    findCycle(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    ),
    ['a', 'b', 'c', 'a'],
  );
  assert.equal(
    findCycle(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    undefined,
  );
});
