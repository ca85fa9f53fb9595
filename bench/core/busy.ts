/**
 * The busy-machine policy, whole: when a run was measured on a machine too busy to trust, what
 * --busy does about it, and every sentence that states its limits. The suite retries by it, the
 * summary warns by it, the busy-machine verdict rule judges by it, the help and the report quote
 * it: none of them spells a limit out again. Pure: any stage may import it.
 */

/** CPU used outside the measured tree, in % of one core, above which the machine was busy (the harness itself takes 10–25%). */
export const BUSY_OTHERS_PCT = 50;
/** % of the machine's CPU time the hypervisor stole, above which the machine was busy. */
export const BUSY_STEAL_PCT = 2;

/** What --busy does with a run measured on a busy machine. */
export const BUSY_POLICIES = ['retry', 'keep', 'fail'] as const;
export type BusyPolicy = (typeof BUSY_POLICIES)[number];

/** --busy retry: how long to let the machine quieten before making a busy run again. */
export const BUSY_PAUSE_MS = 1000;
/** --busy retry makes at most this share of the planned runs again. */
export const RETRY_SHARE = 0.5;
/** --busy fail met a busy machine: not a failed run, not bad input. */
export const BUSY_EXIT = 4;

/** What else the machine did while a run ran: CPU used outside the measured tree, and steal. */
export interface Host {
  othersCpuPct: number;
  stealPct: number;
}

/** Others' CPU or the hypervisor's steal beyond its bound: one test for a run's retry, a cell's warning and its verdict. */
export function busyMachine(host: Host): boolean {
  return host.othersCpuPct > BUSY_OTHERS_PCT || host.stealPct > BUSY_STEAL_PCT;
}

/** Why a host was busy, e.g. ["others used 112% of a core"]; empty when it was not. */
export function busyReasons(host: Host | undefined): string[] {
  if (!host) return [];
  return [
    ...(host.othersCpuPct > BUSY_OTHERS_PCT ? [`others used ${Math.round(host.othersCpuPct)}% of a core`] : []),
    ...(host.stealPct > BUSY_STEAL_PCT ? [`CPU steal ${host.stealPct.toFixed(1)}%`] : []),
  ];
}

/** The busy-machine verdict: what was measured, and that it explains nothing (`unexplained`: the number left unexplained). */
export function busyVerdict(host: Host, unexplained?: string): string {
  return (
    `inconclusive: other programs used ${Math.round(host.othersCpuPct)}% of a core while it ran (steal ${host.stealPct.toFixed(1)}%)` +
    `${unexplained ? `; ${unexplained} is not explained` : ''}: rerun on a quieter machine.`
  );
}

/** The limits as a sentence ends them. */
export const BUSY_LIMITS = `other programs used more than ${BUSY_OTHERS_PCT}% of a core (or the hypervisor stole over ${BUSY_STEAL_PCT}%)`;

/** run --help's text for --busy. */
export const BUSY_HELP =
  `a run measured while ${BUSY_LIMITS} is: retry — set aside and made again after a ${BUSY_PAUSE_MS / 1000} s pause, ` +
  `up to ${RETRY_SHARE * 100}% more runs than planned (default); keep — counted, and the cell's verdict says inconclusive; ` +
  `fail — the run stops (exit ${BUSY_EXIT})`;

/** The report's "how to read" line on the flag. */
export const BUSY_FLAG_RULE =
  `A cell is flagged when others used over ${BUSY_OTHERS_PCT}% of a core (the harness itself takes 10–25% while it spawns and samples) ` +
  `or steal exceeded ${BUSY_STEAL_PCT}%: its numbers were measured on a busy machine.`;

/**
 * Decides, run by run, whether a run measured on a busy machine is set aside (and made again),
 * kept, or stops the suite.
 */
export class BusyRetries {
  private left: number;
  private readonly policy: BusyPolicy;
  /** why the suite stopped (--busy fail) */
  reason?: string;

  constructor(policy: BusyPolicy, plannedRuns: number) {
    this.policy = policy;
    this.left = Math.ceil(plannedRuns * RETRY_SHARE);
  }

  get stopped(): boolean {
    return this.reason !== undefined;
  }

  /** The reason to set this run aside, or undefined to count it. */
  setAside(host: Host | undefined): string | undefined {
    const because = busyReasons(host)[0];
    if (!because || this.policy === 'keep') return undefined;
    const why = `busy machine: ${because}`;
    if (this.policy === 'fail') {
      this.reason = why;
      return why;
    }
    if (this.left === 0) return undefined; // the budget is spent: counted, and the cell says it was busy
    this.left--;
    return why;
  }
}
