/**
 * The results format, version by version: what changed, and how a file of an older version is
 * read. The one place that knows the history; results.ts reads the current version only.
 */

export type Json = Record<string, unknown>;

export interface FormatVersion {
  version: number;
  /** what this version changed, for people reading old files */
  changes: string;
  /** turns a file of the previous version into this one (absent for the first) */
  upgrade?(previous: Json): Json;
}

export const FORMAT_HISTORY: FormatVersion[] = [
  {
    version: 1,
    changes:
      'The first format (gilbench 0.1): one run record shape for every workload. A server run carried a batch-shaped ' +
      "`measurement` (wall = the load window, rusage.self = the window's CPU) beside `load` and `server`; " +
      '`plan.workloads[].server` told server workloads apart.',
  },
  {
    version: 2,
    changes:
      'Run records are tagged by `kind`: "batch" (the program\'s own `measurement`) or "server" (`load` from the load ' +
      "generator, and `server`: the window's CPU and the tree at its end from /proc, and the server's `done` line). " +
      '`plan.workloads[].kind` replaces the `server` flag. `plan.busy` (retry, keep, fail) says what was done with runs ' +
      'measured while other programs used the machine; a run set aside for that keeps its record with `setAside` (why). ' +
      'Unknown fields are refused on read, not dropped.',
    upgrade: upgradeFrom1,
  },
  {
    version: 3,
    changes:
      "`plan.sizes`: the size of each sized workload's task (the countdown's n) per interpreter, and whether it was " +
      "calibrated to the profile's time per task, given with --param, or the profile's value; the cells' parameters " +
      "hold it. Files of version 2 had fixed sizes, which their cells' parameters hold: their `sizes` is empty. " +
      'An interpreter says which event-loop frameworks it imports (`frameworks`) and, for PyPy, its own version ' +
      "(`implementationVersion`); a skip names the framework it lacked; a server's done line may carry `blocking` " +
      "(blocked-loop's blocking client).",
    upgrade: (file) => ({ ...file, plan: { ...(file.plan as Json), sizes: [] } }),
  },
];

export const CURRENT_VERSION = FORMAT_HISTORY.at(-1)!.version;

/** A parsed file of `version`, brought to the current version step by step. */
export function upgradeToCurrent(json: Json, version: number): Json {
  return upgradeThrough(FORMAT_HISTORY, json, version);
}

/** A parsed file of `version`, brought to the last version of a format's history (results, or the history store's). */
export function upgradeThrough(history: FormatVersion[], json: Json, version: number): Json {
  return history
    .filter((step) => step.version > version)
    .reduce((file, step) => ({ ...step.upgrade!(file), version: step.version }), json);
}

function upgradeFrom1(file: Json): Json {
  const plan = file.plan as Json;
  const workloads: Json[] = (plan.workloads as Json[]).map(workloadFrom1);
  const serverWorkloads = new Set(workloads.filter((w) => w.kind === 'server').map((w) => w.name));
  // Files from before sweeps and skips existed lack those fields: none was swept, none skipped.
  const cells: Json[] = (plan.cells as Json[]).map((cell) => ({ sweep: {}, ...cell }));
  const serverCells = new Set(cells.filter((c) => serverWorkloads.has(c.workload)).map((c) => c.id));
  const runs = (file.runs as Json[]).map((run) =>
    serverCells.has(run.cellId) ? serverRunFrom1(run) : { kind: 'batch', ...run },
  );
  // v1 kept every run, busy or not.
  return { ...file, plan: { skipped: [], busy: 'keep', ...plan, workloads, cells }, runs };
}

function workloadFrom1({ server, serialIgnoresWorkers, ...info }: Json): Json {
  // The earliest files said "serial ignores W" with one flag, before other modes could.
  const ignores = serialIgnoresWorkers === undefined ? {} : { ignoresWorkers: serialIgnoresWorkers ? ['serial'] : [] };
  return { ...ignores, ...info, kind: server ? 'server' : 'batch' };
}

/** v1 kept a server's window CPU in a batch-shaped measurement; v2 keeps it where it belongs. */
function serverRunFrom1({ measurement, server, ...run }: Json): Json {
  const m = measurement as Json | undefined;
  const s = server as Json | undefined;
  if (!m || !s) return { kind: 'server', ...run };
  const { wall_s: _window, rusage, tasks: _none, ...done } = m;
  const self = (rusage as { self: { user_s: number; sys_s: number } }).self;
  return {
    kind: 'server',
    ...run,
    server: {
      windowCpu: { userS: self.user_s, sysS: self.sys_s },
      atWindowEnd: s.atWindowEnd,
      done: { ...done, accepted: s.accepted },
    },
  };
}
