import { realpathSync } from 'node:fs';
import { type Interpreter, isNode, NODE_IMPLEMENTATION } from './interpreters.ts';
import type { Runtime, Workload } from './workload.ts';

export function runtimeOf(workload: Pick<Workload, 'runtime'>): Runtime {
  return workload.runtime ?? 'python';
}

/**
 * The Node.js that runs gilbench, as the one interpreter of Node.js workloads. It has no GIL to
 * enable (gilEnabled false) and is no free-threaded build of Python (freeThreadedBuild false).
 */
export function nodeInterpreter(): Interpreter {
  const version = process.versions.node;
  return {
    id: `node-${version}`,
    requested: 'node',
    executable: process.execPath,
    realpath: realpathSync(process.execPath),
    version,
    implementation: NODE_IMPLEMENTATION,
    gilEnabled: false,
    freeThreadedBuild: false,
    switchIntervalS: null,
    env: {},
  };
}

/** The interpreters a run needs: the Pythons asked for if a Python workload is chosen, Node.js if a Node.js one is. */
export function interpretersForRun(workloads: Workload[], pythons: Interpreter[]): Interpreter[] {
  const runtimes = new Set(workloads.map(runtimeOf));
  return [...(runtimes.has('python') ? pythons : []), ...(runtimes.has('node') ? [nodeInterpreter()] : [])];
}

/** The interpreter matrix applies to Python workloads only: a Node.js workload runs on Node.js. */
export function interpretersFor(workload: Workload, interpreters: Interpreter[]): Interpreter[] {
  const node = runtimeOf(workload) === 'node';
  return interpreters.filter((interpreter) => isNode(interpreter) === node);
}
