/**
 * How steady this machine was for Python code during a run: the lecture's count(n) on a fixed n,
 * timed a few times before every round. On a shared host the speed of interpreted code moves with
 * what the neighbours do to the caches (measured here: a fixed Python loop varied 14–23% while a
 * register-only JavaScript loop varied 1%), and none of that shows as CPU used by others or as
 * steal. Run-to-run spread up to the probe's own is the machine's, not the workload's.
 */
import { z } from 'zod';
import { tryParseJson } from '../core/json.ts';
import type { SpeedProbe } from '../store/results.ts';
import { spawnWatched } from './spawn.ts';
import { cv, median } from '../core/stats.ts';

/** count(n) of about 10 ms on a 2020s CPU: long enough to time, short beside a round. */
export const PROBE_N = 200_000;
const TIMINGS_PER_PROBE = 3;
const PROBE_TIMEOUT_S = 30;

// Python 2.7 has no perf_counter; the loop is the countdown's own.
const PROBE_PROGRAM = `
import json, time
clock = getattr(time, "perf_counter", time.time)
def count(n):
    while n > 0:
        n -= 1
seconds = []
for _ in range(${TIMINGS_PER_PROBE}):
    start = clock()
    count(${PROBE_N})
    seconds.append(clock() - start)
print(json.dumps(seconds))
`;

/** Times count(PROBE_N) a few times in a fresh interpreter; nothing when it cannot run. */
export async function timeCount(executable: string, env: Record<string, string>): Promise<number[]> {
  const watched = await spawnWatched({ executable, args: ['-c', PROBE_PROGRAM], env, timeoutS: PROBE_TIMEOUT_S, sampleIntervalMs: 0 });
  if ('error' in watched) return [];
  const answer = await watched.finish();
  const parsed = z.array(z.number()).safeParse(tryParseJson(answer.stdout.trim()));
  return !answer.error && parsed.success ? parsed.data : [];
}

/** The report's sentence on it, e.g. "… 11.2 ms median, 8.1–16.0 ms, CV 19% over 24 timings …". */
export function speedSentence(probe: SpeedProbe | undefined): string | undefined {
  if (!probe || probe.seconds.length < 2) return undefined;
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const spread = cv(probe.seconds);
  return (
    `Python speed during the run: count(${probe.n.toLocaleString('en-US')}) on ${probe.interpreter}, timed ${TIMINGS_PER_PROBE} times before every round, ` +
    `took ${ms(median(probe.seconds))} (median), ${(Math.min(...probe.seconds) * 1000).toFixed(1)}–${ms(Math.max(...probe.seconds))}, CV ${(spread * 100).toFixed(0)}% over ${probe.seconds.length} timings. ` +
    `A cell's run-to-run spread up to about that is this machine's, not the workload's.`
  );
}
