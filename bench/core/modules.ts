import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** ".ts" when gilbench runs from its sources (tsx), ".js" when it runs from the built package (dist/). */
export const MODULE_EXT = extname(fileURLToPath(import.meta.url));

/**
 * Runs the module `name` (without extension) found beside `from` (an import.meta.url) in a worker
 * thread. Workers do not inherit tsx's loader, so TypeScript goes through worker-entry.mjs, which
 * registers it; built JavaScript starts directly.
 */
export function startModuleWorker(from: string, name: string, workerData: Record<string, unknown>): Worker {
  const module = new URL(`${name}${MODULE_EXT}`, from);
  if (MODULE_EXT !== '.ts') return new Worker(module, { workerData });
  return new Worker(new URL('./worker-entry.mjs', import.meta.url), {
    workerData: { ...workerData, module: module.href },
  });
}
