/**
 * How steady this machine was for Python code during a run: the lecture's count(n) on a fixed n,
 * timed a few times before every round. On a shared host the speed of interpreted code moves with
 * what the neighbours do to the caches (measured here: a fixed Python loop varied 14–23% while a
 * register-only JavaScript loop varied 1%), and none of that shows as CPU used by others or as
 * steal. Run-to-run spread up to the probe's own is the machine's, not the workload's.
 */
import { z } from 'zod';
import { tryParseJson } from '../core/json.ts';
import { PROBE_N, TIMINGS_PER_PROBE } from '../define/machine.ts';
import { spawnWatched } from './spawn.ts';

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
  const watched = await spawnWatched({
    executable,
    args: ['-c', PROBE_PROGRAM],
    env,
    timeoutS: PROBE_TIMEOUT_S,
    sampleIntervalMs: 0,
  });
  if ('error' in watched) return [];
  const answer = await watched.finish();
  const parsed = z.array(z.number()).safeParse(tryParseJson(answer.stdout.trim()));
  return !answer.error && parsed.success ? parsed.data : [];
}
