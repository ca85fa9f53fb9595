import { randomBytes } from 'node:crypto';
import { HAS_PROC, listPids, listTree, readEnviron, readStat } from './proc.ts';

/** Sends a signal; false when the process is already gone. */
export function sendSignal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

/** The environment variable whose value (a token per run) marks each process of one run. */
const RUN_MARK = 'GILBENCH_RUN';

/** How long the members get between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 500;
/** Rounds of find-and-kill: a member may fork between the listing and its SIGKILL. */
const KILL_ROUNDS = 5;
/** How long a SIGKILLed process may take to be gone (it may be in the middle of a system call). */
const KILL_WAIT_MS = 200;
const POLL_MS = 20;

/** Trees whose child may still be running: what a second Ctrl+C kills before exiting. */
const LIVE = new Set<RunTree>();
/** Processes that outlived every SIGKILL (stuck in the kernel), PID → start time: what the harness must not claim it stopped. */
const STUCK = new Map<number, number>();

/**
 * A child's whole process tree, however far its members moved: a descendant that called setsid
 * or lost its parent leaves the child's session and the tree /proc links, but keeps the
 * environment it inherited. Every run's environment carries a mark of its own (RUN_MARK=token),
 * and /proc/PID/environ tells who carries it.
 */
export class RunTree {
  /** added to the child's environment, first, so that it stays within what environ shows */
  readonly env: Record<string, string>;
  private readonly mark: string;
  private root: number | undefined;
  /** PID → start time: a PID recorded with the process it belonged to, checked again before each signal */
  private readonly seen = new Map<number, number>();
  private killing: Promise<number[]> | undefined;

  constructor() {
    const token = randomBytes(8).toString('hex');
    this.env = { [RUN_MARK]: token };
    this.mark = `${RUN_MARK}=${token}`;
  }

  /** The child is running: from now on its tree counts as live. */
  started(root: number): void {
    this.root = root;
    this.note(root);
    LIVE.add(this);
  }

  /** PIDs seen elsewhere (the sampler's walks), each with the start time it had then. */
  remember(pids: Map<number, number>): void {
    for (const [pid, startS] of pids) if (!this.seen.has(pid)) this.seen.set(pid, startS);
  }

  /**
   * The members alive now: the child's descendants, its session (it leads one: spawned detached),
   * whoever carries the mark, and every PID remembered, as long as it is still the same process.
   */
  members(): number[] {
    if (this.root === undefined) return [];
    if (!HAS_PROC) return sendSignal(this.root, 0) ? [this.root] : [];
    for (const pid of listTree(this.root)) this.note(pid);
    const session = this.sessionStillOurs();
    const rootStartS = this.seen.get(this.root) ?? 0;
    for (const pid of listPids()) {
      const stat = readStat(pid);
      // Nothing older than the child can carry its mark: most of /proc is skipped without a second read.
      if (!stat || stat.startS < rootStartS) continue;
      if ((session && stat.session === this.root) || readEnviron(pid).includes(this.mark)) this.note(pid, stat.startS);
    }
    return [...this.seen.keys()].filter((pid) => this.same(pid));
  }

  /**
   * SIGTERM, up to graceMs for the members to exit, then SIGKILL until none is left. Returns those
   * that would not go. A call while one is under way joins it: a second SIGTERM would cut short a
   * server's own shutdown (a timeout's stop and the run's finish both kill).
   */
  kill(graceMs = KILL_GRACE_MS): Promise<number[]> {
    this.killing ??= this.killRounds(graceMs).finally(() => (this.killing = undefined));
    return this.killing;
  }

  private async killRounds(graceMs: number): Promise<number[]> {
    const asked = this.signal(this.members(), 'SIGTERM');
    if (asked.length === 0) return [];
    await this.gone(asked, graceMs);
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const killed = this.signal(this.members(), 'SIGKILL');
      if (killed.length === 0) return [];
      await this.gone(killed, KILL_WAIT_MS);
    }
    const stuck = this.members();
    for (const pid of stuck) STUCK.set(pid, this.seen.get(pid)!);
    return stuck;
  }

  /** SIGKILL at once, without waiting: for a harness that must exit now. Returns how many were signalled. */
  killNow(): number {
    return this.signal(this.members(), 'SIGKILL').length;
  }

  /** The child and all its tree are gone: the tree no longer counts as live. */
  ended(): void {
    LIVE.delete(this);
  }

  /**
   * A session's id is its leader's PID, which stays taken while any process of the session lives;
   * once the session is empty and the leader reaped, a newcomer may get that PID and lead a session
   * of its own: then no longer ours.
   */
  private sessionStillOurs(): boolean {
    const leader = readStat(this.root!);
    return leader === undefined || leader.startS === this.seen.get(this.root!);
  }

  /** Waits up to ms for the given members to be gone. */
  private async gone(pids: number[], ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && pids.some((pid) => this.same(pid))) await sleep(POLL_MS);
  }

  private note(pid: number, startS = readStat(pid)?.startS): void {
    if (startS !== undefined && !this.seen.has(pid)) this.seen.set(pid, startS);
  }

  /** Still the process recorded under this PID, and not a zombie (which only waits to be reaped)? */
  private same(pid: number): boolean {
    if (!HAS_PROC) return sendSignal(pid, 0);
    const stat = readStat(pid);
    return stat !== undefined && stat.state !== 'Z' && stat.startS === this.seen.get(pid);
  }

  private signal(pids: number[], sig: NodeJS.Signals): number[] {
    return pids.filter((pid) => this.same(pid) && sendSignal(pid, sig));
  }
}

/** Kills every live tree at once, without waiting; returns how many processes were signalled. */
export function killEveryTreeNow(): number {
  let signalled = 0;
  for (const tree of LIVE) signalled += tree.killNow();
  return signalled;
}

/** Processes of any run still running, though the harness tried to kill them; empty when every child was stopped. */
export function stillRunning(): number[] {
  const live = [...LIVE].flatMap((tree) => tree.members());
  const stuck = [...STUCK].filter(([pid, startS]) => readStat(pid)?.startS === startS).map(([pid]) => pid);
  return [...new Set([...live, ...stuck])];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
