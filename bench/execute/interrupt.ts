import { killEveryTreeNow } from './kill.ts';
import { HAS_PROC, readStat } from './proc.ts';

/** Ctrl+C, kill, a closed terminal, Ctrl+\: each asks the harness to stop the same way. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const ANCESTORS_CHECK_MS = 500;

/**
 * Until the returned function is called: the first stop signal, or the end of the job that started
 * the harness (npm killed by a CI cancel does not pass the signal on), calls stop(); a second
 * signal kills every run's tree at once, calls lastWords() and exits with 130.
 */
export function onInterrupt(stop: () => void, lastWords: () => void): () => void {
  let stopping = false;
  const handle = () => {
    if (!stopping) {
      stopping = true;
      clearInterval(watch);
      stop();
      return;
    }
    const killed = killEveryTreeNow();
    lastWords();
    console.error(
      `gilbench: interrupted again: exiting at once${killed ? ` after sending SIGKILL to ${killed} processes` : ''}.`,
    );
    process.exit(130);
  };
  const watch = setInterval(() => {
    if (!jobAlive()) handle();
  }, ANCESTORS_CHECK_MS).unref();
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return () => {
    clearInterval(watch);
    for (const signal of STOP_SIGNALS) process.off(signal, handle);
  };
}

/**
 * The harness's parent and every further ancestor of its process group (npm, the shell npm runs,
 * tsx): `alive()` is false once one of them has ended. A job's processes share a group; a shell
 * outside it may end (nohup, a closed terminal that sent SIGHUP already) without ending the run.
 */
function ancestors(): () => boolean {
  if (!HAS_PROC) {
    const parent = process.ppid;
    return () => process.ppid === parent;
  }
  const group = readStat(process.pid)?.pgrp;
  const chain = new Map<number, number>();
  for (let pid = process.ppid; pid > 1; ) {
    const stat = readStat(pid);
    if (!stat || (chain.size > 0 && stat.pgrp !== group)) break;
    chain.set(pid, stat.startS);
    pid = stat.ppid;
  }
  return () =>
    [...chain].every(([pid, startS]) => {
      const stat = readStat(pid);
      return stat !== undefined && stat.state !== 'Z' && stat.startS === startS;
    });
}

/** Listed once, as the harness starts: npm may end before the first run does. */
const jobAlive = ancestors();
