import { execa } from 'execa';
import { groupAlive, killTree } from './kill.ts';
import { readCpuTimes, type CpuTimes } from './proc.ts';
import { MeasurementSchema, treeCpuS, type Measurement, type RunRecord } from './results.ts';
import { summarise, TreeSampler } from './sample.ts';
import { tryParseJson } from './json.ts';

export interface BatchCommand {
  executable: string;
  args: string[];
  timeoutS: number;
  sampleIntervalMs: number;
  /** Aborting stops the run at once (Ctrl+C); the record then says so. */
  signal?: AbortSignal;
}

export type BatchOutcome = Omit<RunRecord, 'cellId' | 'round' | 'warmup'>;

const STDERR_TAIL_LINES = 20;

/**
 * Spawns one batch workload in a process group of its own, samples its tree while it lives,
 * and kills the whole tree on timeout or abort. Never throws for the child's failures: they
 * are the record's error.
 */
export async function runBatch(command: BatchCommand): Promise<BatchOutcome> {
  const cpuBefore = readCpuTimes();
  const started = performance.now();
  const child = execa(command.executable, command.args, {
    detached: true, // own process group: the terminal's Ctrl+C reaches the harness, which decides
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: true,
  });
  const pid = child.pid;
  if (pid === undefined) return notRun(`could not start: ${(await child).shortMessage}`, command.sampleIntervalMs);
  const sampler = new TreeSampler(pid, command.sampleIntervalMs);
  sampler.start();

  let stoppedBecause: string | undefined;
  const stop = (why: string) => {
    stoppedBecause ??= why;
    void killTree(pid, sampler.lastPids());
  };
  const timer = setTimeout(() => stop(`timed out after ${command.timeoutS} s`), command.timeoutS * 1000);
  const onAbort = () => stop('interrupted');
  command.signal?.addEventListener('abort', onAbort);

  const result = await child;
  const processWallS = (performance.now() - started) / 1000;
  clearTimeout(timer);
  command.signal?.removeEventListener('abort', onAbort);
  const timeline = sampler.stop();
  // A workload's stray grandchild must not outlive its run.
  if (groupAlive(pid)) await killTree(pid, sampler.lastPids(), 0);

  const stderrTail = String(result.stderr).split('\n').slice(-STDERR_TAIL_LINES).join('\n') || undefined;
  const error = stoppedBecause ?? (result.exitCode !== 0 ? `exited with ${exitDescription(result)}` : undefined);
  if (error) return { ok: false, error, stderrTail, processWallS, timeline };

  const lastLine = String(result.stdout).trim().split('\n').at(-1) ?? '';
  const measurement = MeasurementSchema.safeParse(tryParseJson(lastLine));
  if (!measurement.success) {
    return { ok: false, error: 'printed no valid result line on stdout', stderrTail, processWallS, timeline };
  }
  const host = hostDuring(cpuBefore, readCpuTimes(), processWallS, measurement.data);
  return { ok: true, stderrTail, processWallS, measurement: measurement.data, host, timeline };
}

/**
 * CPU the rest of the machine used while the run lived (the harness included), in % of one
 * core, and the share of CPU time the hypervisor stole: the two reasons a quiet number is not.
 */
function hostDuring(before: CpuTimes | undefined, after: CpuTimes | undefined, wallS: number, measurement: Measurement) {
  if (!before || !after || wallS <= 0) return undefined;
  const treeS = treeCpuS(measurement.rusage_total);
  const totalS = after.totalS - before.totalS;
  return {
    othersCpuPct: Math.max(0, (100 * (after.busyS - before.busyS - treeS)) / wallS),
    stealPct: totalS > 0 ? (100 * (after.stealS - before.stealS)) / totalS : 0,
  };
}


/** The record of a run that never got as far as a process. */
export function notRun(error: string, sampleIntervalMs: number): BatchOutcome {
  return { ok: false, error, processWallS: 0, timeline: { summary: summarise([], sampleIntervalMs, 'proc'), samples: [] } };
}

function exitDescription(result: { exitCode?: number; signal?: string }): string {
  return result.signal ? `signal ${result.signal}` : `code ${result.exitCode}`;
}
