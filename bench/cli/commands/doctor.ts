import { fail } from '../../core/errors.ts';
import { gilStatus, type Interpreter, implementationLabel } from '../../define/interpreters.ts';
import { skipsFor } from '../../define/plan.ts';
import { loadWorkloads, type Workload } from '../../define/workload.ts';
import { ALL, chooseInterpreters, foundAs } from '../../execute/discover.ts';
import { interpreterNames, list, parse } from './args.ts';

export const DOCTOR_HELP = `Usage: gilbench doctor [--python LIST] [--gil LIST] [--json]

Lists the Python interpreters gilbench finds on this machine — on PATH (python3.X, python3.Xt),
under pyenv ($PYENV_ROOT/versions) and uv ($UV_PYTHON_INSTALL_DIR), and in the folders of
GILBENCH_PYTHONS (default ~/.cache/gilbench/pythons) — one per executable file, with version,
implementation, GIL status, and what each can run; and those it will not use, with the reason.
"gilbench run --python all" runs the same list.

Options:
  --python LIST   interpreters to check (default: all); names on PATH, paths, or "all"
  --gil LIST      on free-threaded builds, check each with PYTHON_GIL=0 and/or =1
  --json          print the list as JSON instead of a table
  -h, --help      show this help`;

/** "gevent 22.10.2, trio 0.22.0": the event-loop frameworks it can import. */
function frameworksOf(interpreter: Interpreter): string {
  const found = Object.entries(interpreter.frameworks ?? {});
  return found.length ? found.map(([name, version]) => `${name} ${version}`).join(', ') : '–';
}

/** What an interpreter can and cannot run of the workloads, in one line. */
function canRun(interpreter: Interpreter, workloads: Workload[]): string {
  const skips = workloads.flatMap((w) => skipsFor(w, [...w.modes], interpreter));
  if (skips.length === 0) return `every workload, every mode`;
  const runs = workloads.filter((w) => !skips.some((s) => s.workload === w.name && !s.mode));
  const ran = runs.map((w) => {
    const missing = skips
      .filter((s) => s.workload === w.name && s.mode)
      .map((s) => `${s.mode} (${s.framework ?? `${s.needs}+`})`);
    return missing.length ? `${w.name} without ${missing.join(', ')}` : w.name;
  });
  const notRun = skips.filter((s) => !s.mode).map((s) => `${s.workload} (${s.needs}+)`);
  return `${ran.join(', ') || 'nothing'}${notRun.length ? `; not ${notRun.join(', ')}` : ''}`;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    python: { type: 'string', multiple: true },
    gil: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const gil = list(values.gil) ?? [];
  if (gil.some((value) => value !== '0' && value !== '1'))
    fail(`--gil takes 0, 1 or 0,1 (PYTHON_GIL's values); got "${gil.join(',')}".`);
  const [{ interpreters, discovery }, workloads] = await Promise.all([
    chooseInterpreters(interpreterNames(values.python, ALL), gil),
    loadWorkloads(),
  ]);
  const all = [...workloads.values()];
  const unusable = discovery?.unusable ?? [];
  if (values.json) {
    console.log(
      JSON.stringify(
        { interpreters: interpreters.map((i) => ({ ...i, gil: gilStatus(i), canRun: canRun(i, all) })), unusable },
        null,
        2,
      ),
    );
    return 0;
  }
  const via = (i: Interpreter) => foundAs(discovery, i)?.via ?? 'given';
  console.log(`${interpreters.length} Python interpreter${interpreters.length === 1 ? '' : 's'} gilbench can run:\n`);
  console.log(
    pad([
      ['id', 'version', 'implementation', 'GIL', 'switch interval', 'frameworks', 'found', 'executable'],
      ...interpreters.map((i) => [
        i.id,
        i.version,
        implementationLabel(i),
        gilStatus(i),
        i.switchIntervalS === null ? '–' : `${i.switchIntervalS * 1000} ms`,
        frameworksOf(i),
        via(i),
        i.executable,
      ]),
    ]),
  );
  console.log('\nWhat each can run:');
  for (const interpreter of interpreters) console.log(`  ${interpreter.id}: ${canRun(interpreter, all)}`);
  if (unusable.length) {
    console.log('\nNot used:');
    for (const candidate of unusable) console.log(`  ${candidate.reason} (found: ${candidate.via})`);
  }
  console.log('\nRun them all: gilbench run --python all   (free-threaded builds: add --gil 0,1)');
  return 0;
}
