import type { ScheduledRun } from '../define/plan.ts';

/**
 * Tells the user where a long run is: on a terminal one line rewritten in place (runs done,
 * current cell, ETA); elsewhere (CI logs, pipes) one plain line per finished run.
 */
export class Progress {
  private done = 0;
  private readonly durations = new Map<string, number[]>();
  private readonly tty: boolean;
  private readonly upcoming: ScheduledRun[];
  private readonly out: NodeJS.WriteStream;

  constructor(upcoming: ScheduledRun[], out: NodeJS.WriteStream = process.stderr) {
    this.upcoming = upcoming;
    this.out = out;
    this.tty = Boolean(out.isTTY) && !process.env.CI;
  }

  /** More runs were decided on the way (--repeat auto). */
  extend(runs: ScheduledRun[]): void {
    this.upcoming.push(...runs);
  }

  started(run: ScheduledRun): void {
    if (this.tty) this.out.write(`\r\x1b[K${this.prefix(run)} … ETA ${formatDuration(this.etaS())}`);
  }

  /** setAside: why the run will be made again (a busy machine), said like a failure but not one. */
  finished(run: ScheduledRun, seconds: number, error?: string, setAside?: string): void {
    this.done++;
    const list = this.durations.get(run.cell.id) ?? [];
    list.push(seconds);
    this.durations.set(run.cell.id, list);
    const status = error
      ? `FAILED: ${error}`
      : setAside
        ? `${seconds.toFixed(2)} s, set aside (${setAside}): made again`
        : `${seconds.toFixed(2)} s`;
    if (this.tty) {
      if (error || setAside) this.out.write(`\r\x1b[K${this.prefix(run)} ${status}\n`);
    } else {
      this.out.write(`${this.prefix(run)} ${status} (ETA ${formatDuration(this.etaS())})\n`);
    }
  }

  end(): void {
    if (this.tty) this.out.write('\r\x1b[K');
  }

  private prefix(run: ScheduledRun): string {
    const { warmup, repeats } = run.cell;
    const round = run.warmup
      ? `warm-up ${run.round + 1}`
      : `round ${run.round - warmup + 1}/${Math.max(repeats, run.round - warmup + 1)}`;
    return `[${this.done}/${this.upcoming.length}] ${run.cell.id} ${round}`;
  }

  /** Each remaining run is expected to take as long as its cell took before (or the overall mean). */
  private etaS(): number {
    const all = [...this.durations.values()].flat();
    const overall = all.length ? all.reduce((a, b) => a + b, 0) / all.length : 0;
    return this.upcoming.slice(this.done).reduce((sum, run) => {
      const seen = this.durations.get(run.cell.id);
      return sum + (seen ? seen.reduce((a, b) => a + b, 0) / seen.length : overall);
    }, 0);
  }
}

export function formatDuration(seconds: number): string {
  // Rounded first: 179.6 s is "3 min 0 s", not "2 min 60 s".
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
