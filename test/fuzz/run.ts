/**
 * Runs fuzz targets' cases in a child process (child.ts) and watches it: a case that takes longer
 * than `hangS` is a hang, killed and reported with its input; a failing target comes back as
 * fast-check reports it (the seed, the shrunk input, what went wrong), and the others still run.
 */
import { fork } from 'node:child_process';
import type { FuzzMessage, FuzzRequest } from './child.ts';
import type { Verdict } from './targets.ts';

export type FuzzResult = { counts: Record<Verdict, number> } | { failed: string };

const CHILD = new URL('./child.ts', import.meta.url);

/**
 * How often the watchdog looks. A look that comes much later than this found this process itself
 * stalled (a busy machine reclaiming memory stopped every process for minutes once): that time is
 * not held against the case.
 */
const TICK_MS = 1000;
const STALLED_MS = 5 * TICK_MS;

/** Each target's result, once all have run (or the child hung or died: the rest are failed with why). */
export function fuzz(request: FuzzRequest, hangS: number): Promise<Map<string, FuzzResult>> {
  const results = new Map<string, FuzzResult>();
  // What the cases print (a run's progress) is kept, not shown: its end says why a child died.
  const child = fork(CHILD, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let printed = '';
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-2000)));
  let last = 'before its first case';
  let stopped: string | undefined;
  // Milliseconds of the current case, counted only while this process was running to count them.
  let caseMs = 0;
  let looked = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (now - looked < STALLED_MS) caseMs += now - looked;
    looked = now;
    if (caseMs < hangS * 1000) return;
    stopped = `a case hung for ${hangS} s`;
    child.kill('SIGKILL');
  }, TICK_MS);
  child.on('message', (message: FuzzMessage) => {
    caseMs = 0;
    if ('case' in message) last = `${message.target} case ${message.case}: ${message.input}`;
    else results.set(message.target, message);
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      const why = `${stopped ?? `its process ended (${signal ?? `exit ${code}`})`} (seed ${request.seed}) at ${last}; it printed last:\n${printed}`;
      for (const [target] of request.targets) if (!results.has(target)) results.set(target, { failed: why });
      resolve(results);
    });
    child.send(request);
  });
}
