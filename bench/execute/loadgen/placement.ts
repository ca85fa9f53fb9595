/**
 * Where the server and the load generator run: on disjoint CPUs when the machine has cores to
 * spare (--pin auto), else side by side on the CPUs this process may use, which the report says.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Placement } from '../../store/records.ts';

export const PIN_CHOICES = ['auto', 'off'] as const;
export type Pin = (typeof PIN_CHOICES)[number];

/** Fewer CPUs than this are not split: the server needs two of its own, the generator one or two. */
export const MIN_CPUS_TO_PIN = 4;

/** The server gets the first CPUs, the generator the last generatorCpus of those allowed. */
export function placeCpus(pin: Pin, allowed: number[], generatorCpus: number, canPin = tasksetFound()): Placement {
  const all = cpuList(allowed);
  const shared = (why: string): Placement => ({ pinned: false, server: all, generator: all, why });
  if (pin === 'off') return shared('--pin off');
  if (allowed.length < MIN_CPUS_TO_PIN)
    return shared(`${allowed.length} CPUs: too few to give the server and the generator their own`);
  if (!canPin) return shared('taskset (util-linux) not found');
  return {
    pinned: true,
    server: cpuList(allowed.slice(0, -generatorCpus)),
    generator: cpuList(allowed.slice(-generatorCpus)),
  };
}

/** The CPUs this process may run on (its affinity), from /proc; empty where there is no /proc. */
export function allowedCpus(): number[] {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Cpus_allowed_list:'));
    return line ? parseCpuList(line.split(':')[1]!.trim()) : [];
  } catch {
    return [];
  }
}

/** "0-2,5" → [0, 1, 2, 5] */
export function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });
}

/** [0, 1, 2, 5] → "0-2,5" */
export function cpuList(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Runs the command on the CPUs given (taskset execs it: the PID is the command's own). */
export function pinnedCommand(
  cpus: string,
  executable: string,
  args: string[],
): { executable: string; args: string[] } {
  return { executable: 'taskset', args: ['-c', cpus, executable, ...args] };
}

/**
 * Pins every thread of this process (the Node.js engine's threads are started after, and inherit
 * it) and returns what puts the old affinity back.
 */
export function pinThisProcess(cpus: string): () => void {
  const before = cpuList(allowedCpus());
  const set = (list: string) =>
    execFileSync('taskset', ['-a', '-p', '-c', list, String(process.pid)], { stdio: 'ignore' });
  set(cpus);
  return () => set(before);
}

let found: boolean | undefined;
function tasksetFound(): boolean {
  if (found === undefined) {
    try {
      execFileSync('taskset', ['--version'], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
  }
  return found;
}
