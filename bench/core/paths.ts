import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the project's own files are. A leaf: it imports nothing of the project. */

export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKLOADS_DIR = join(PROJECT_DIR, 'workloads');
/** The interpreter probe: what a Python says about itself (runs on 2.7 too). */
export const PROBE = join(WORKLOADS_DIR, 'common', 'probe.py');
