import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUSY_OTHERS_PCT } from '../bench/core/busy.ts';
import { blockedLoop } from '../bench/present/figures/blocked-loop.ts';
import { eventLoops, LOOPS } from '../bench/present/figures/event-loops.ts';
import type { Figure } from '../bench/present/figures/figure.ts';
import { findingsOf } from '../bench/present/figures/page.ts';
import { parseResults, type Results } from '../bench/store/results.ts';

/**
 * The two newest figures judged on this session's real runs (test/fixtures/figures: the default
 * profile, 4 rounds a cell; event-loops on Debian's 3.11.2 with the frameworks and python3 3.11.7,
 * blocked-loop on 3.11.7 and the free-threaded 3.13.5t), cut down as its README says. What is
 * asserted is what the figures' rules make of them — the verdict word, the reason's clauses and the
 * numbers printed — not how fast anything was.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'figures');

type Raw = Results & { runs: (Results['runs'][number] & { round: number })[] };

/** An experiment's results as read from disk (schema and consistency checks included), after `change`. */
function experiment(name: string, change: (raw: Raw) => void = () => {}): Results {
  const raw = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Raw;
  change(raw);
  return parseResults(raw, `${name}.json`);
}

function findings(figure: Figure, names: string[], change?: (raw: Raw) => void) {
  return findingsOf(figure, new Map(names.map((name) => [name, experiment(name, change)])));
}

/** Only the first rounds, 0 … rounds − 1, as a run of fewer repeats would have left. */
const firstRounds = (rounds: number) => (raw: Raw) => {
  raw.runs = raw.runs.filter((run) => run.round < rounds);
};

/** Every run measured while other programs used more than the busy limit of a core. */
const busy = (raw: Raw) => {
  for (const run of raw.runs) run.host = { othersCpuPct: BUSY_OTHERS_PCT + 20, stealPct: 0 };
};

/** Only these interpreters, their cells, runs and skips: a file that ran on them alone. */
const only = (ids: string[]) => (raw: Raw) => {
  raw.interpreters = raw.interpreters.filter((i) => ids.includes(i.id));
  raw.plan.cells = raw.plan.cells.filter((c) => ids.includes(c.interpreter));
  raw.plan.skipped = raw.plan.skipped.filter((s) => ids.includes(s.interpreter));
  const cells = new Set(raw.plan.cells.map((c) => c.id));
  raw.runs = raw.runs.filter((run) => cells.has(run.cellId));
};

const BLOCKED = ['blocked-loop', 'blocked-loop-control'];
/** "12.5x [10.3–14.8]", or below 1 with a second digit: a ratio with a bounded interval. */
const TIMES = String.raw`\d+\.\d+x \[\d+\.\d+–\d+\.\d+\]`;

test('blocked-loop on its full runs: holds with a GIL, the GIL named as the cause beside the free-threaded step; without one, no claim of running at once', () => {
  const { withGil, withoutGil } = findings(blockedLoop, BLOCKED);
  assert.ok(withGil && withoutGil, 'both rows measured');

  assert.equal(withGil.verdict, 'holds', withGil.because);
  assert.match(
    withGil.measured,
    /^p99 of the ordinary clients: nothing blocking \d+\.\d+ ms; blocking by sleep \/ by counting: in the coroutine [\d.]+ ms \/ [\d.]+ ms; run_in_executor \(threads\) [\d.]+ ms \/ [\d.]+ ms; a ProcessPoolExecutor [\d.]+ ms \/ [\d.]+ ms; cooperatively \(sleep\(0\) every ms\) [\d.]+ ms \/ [\d.]+ ms; thread per connection [\d.]+ ms \/ [\d.]+ ms\.$/,
  );
  assert.match(
    withGil.because,
    new RegExp(`^blocking in the coroutine stalled everyone \\(p99 ${TIMES} the loop with nothing blocking\\)`),
  );
  assert.match(
    withGil.because,
    new RegExp(`run_in_executor freed the loop from a sleep \\(${TIMES} the coroutine's p99\\)`),
  );
  // The cause, with the measurement that shows it: the same step on the free-threaded row, bounded and not above 1.
  assert.match(
    withGil.because,
    new RegExp(
      `an executor thread that counts hurt the loop again \\(${TIMES} a sleeping one's p99\\): it holds the GIL the loop needs \\(3\\.13\\.5t, no GIL: ${TIMES}\\)`,
    ),
  );
  // The process pool is reported, whichever way it went; it does not decide the verdict.
  assert.match(
    withGil.because,
    new RegExp(`a process pool (still left a cost|did not measurably cost the loop) \\(${TIMES}`),
  );

  assert.equal(withoutGil.verdict, 'depends', withoutGil.because);
  assert.match(
    withoutGil.because,
    new RegExp(`an executor thread that counts did not hurt the loop measurably \\(${TIMES} a sleeping one's p99\\)`),
  );
  // Its CPU utilisation was below 1: nothing measured shows the two threads at once.
  assert.doesNotMatch(withoutGil.because, /at once/);
  assert.doesNotMatch(withoutGil.because, /GIL the loop needs/);
  // An interval reaching 1 is no evidence of "as if nothing blocked".
  assert.match(
    withoutGil.because,
    new RegExp(`a process pool did not measurably cost the loop \\(${TIMES} the loop with nothing blocking\\)`),
  );
  assert.doesNotMatch(withoutGil.because, /as if nothing blocked/);
});

test('blocked-loop with no free-threaded row measured: the counting executor hurt the loop, but no cause is named', () => {
  const { withGil, withoutGil } = findings(blockedLoop, BLOCKED, only(['cpython-3.11.7']));
  assert.equal(withoutGil, undefined);
  assert.ok(withGil);
  assert.match(
    withGil.because,
    new RegExp(`an executor thread that counts hurt the loop again \\(${TIMES} a sleeping one's p99\\);`),
  );
  assert.doesNotMatch(withGil.because, /GIL/);
});

test('blocked-loop on its first three rounds says too few runs to tell; measured on a busy machine, inconclusive', () => {
  const few = findings(blockedLoop, BLOCKED, firstRounds(3));
  for (const finding of [few.withGil, few.withoutGil]) {
    assert.equal(finding?.verdict, 'inconclusive');
    assert.match(
      finding.because,
      /^too few runs to tell \(n = 3\): 4 a side are the fewest that can show a difference\.$/,
    );
    assert.match(finding.measured, /nothing blocking \d+\.\d+ ms/, 'the numbers are still printed');
  }
  const loaded = findings(blockedLoop, BLOCKED, busy);
  for (const finding of [loaded.withGil, loaded.withoutGil]) {
    assert.equal(finding?.verdict, 'inconclusive');
    assert.match(
      finding.because,
      /^other programs used the machine while the servers ran: rerun on a quieter machine\.$/,
    );
    assert.match(finding.measured, /nothing blocking \d+\.\d+ ms/);
  }
});

test('event-loops on its full runs: judged on the interpreter with every framework at the largest C, every loop against the hand-written one', () => {
  const { withGil, withoutGil } = findings(eventLoops, ['event-loops']);
  assert.equal(withoutGil, undefined, 'no free-threaded build ran the frameworks');
  assert.ok(withGil);
  assert.match(
    withGil.measured,
    /^at C=100 on 3\.11\.2, CPU per answer over the hand-written epoll loop's \d+\.\d µs: /,
    'the interpreter that ran the most loops (3.11.7 imports only asyncio and trio), at the largest C',
  );
  for (const loop of LOOPS)
    assert.match(withGil.measured, new RegExp(`(: |, )${loop} \\d+\\.\\d\\dx \\[\\d+\\.\\d\\d–\\d+\\.\\d\\d\\]`), loop);
  assert.equal(withGil.verdict, 'depends', withGil.because);
  assert.match(
    withGil.because,
    /^the idea is one, its cost is not: [a-z-]+(, [a-z-]+)* spent more than 2x the hand-written loop's CPU per answer \(interval included\); from cheapest to dearest the loops differ by \d+%\.$/,
  );
});

test('event-loops on its first three rounds says too few runs to tell; measured on a busy machine, inconclusive', () => {
  const few = findings(eventLoops, ['event-loops'], firstRounds(3)).withGil;
  assert.equal(few?.verdict, 'inconclusive');
  assert.match(few.because, /^too few runs to tell \(n = 3\): 4 a side are the fewest that can show a difference\.$/);
  assert.match(few.measured, /generators \d+\.\d\dx \(too few runs to tell, n = 3\)/);
  const loaded = findings(eventLoops, ['event-loops'], busy).withGil;
  assert.equal(loaded?.verdict, 'inconclusive');
  assert.match(loaded.because, /^other programs used the machine while the servers ran: rerun on a quieter machine\.$/);
  assert.match(loaded.measured, /^at C=100 on 3\.11\.2/);
});
