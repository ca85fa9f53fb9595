import { HAS_PROC, listTree } from './proc.ts';

/** Sends a signal; false when the process is already gone. */
export function sendSignal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

/** True while any process of the group led by pgid is alive. */
export function groupAlive(pgid: number): boolean {
  return sendSignal(-pgid, 0);
}

/**
 * Kills a child started in its own process group (detached) and everything under it: the
 * group, plus every descendant found in /proc or given in `known`, in case one moved to a
 * group of its own. The tree is listed before the first signal, while parents still link it.
 */
export async function killTree(root: number, known: number[] = [], graceMs = 500): Promise<void> {
  const pids = new Set([...(HAS_PROC ? listTree(root) : [root]), ...known]);
  const send = (sig: NodeJS.Signals) => {
    sendSignal(-root, sig);
    for (const pid of pids) sendSignal(pid, sig);
  };
  send('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...pids].some((pid) => sendSignal(pid, 0))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  send('SIGKILL');
}
