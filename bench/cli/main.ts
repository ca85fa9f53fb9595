import { pathToFileURL } from 'node:url';
import { BUSY_EXIT } from '../core/busy.ts';
import { fail, UsageError, WRITE_FAILED, WriteError } from '../core/errors.ts';
import { gilbenchVersion } from '../core/version.ts';
import { COMPARE_HELP, compareCommand } from './commands/compare.ts';
import { DOCTOR_HELP, doctorCommand } from './commands/doctor.ts';
import { FIGURES_HELP, figuresCommand } from './commands/figures.ts';
import { HISTORY_HELP, historyCommand } from './commands/history.ts';
import { MERGE_HELP, mergeCommand } from './commands/merge.ts';
import { REPORT_HELP, reportCommand } from './commands/report.ts';
import { RUN_HELP, runCommand } from './commands/run.ts';

const MAIN_HELP = `gilbench: see how Python's concurrency models behave on this machine.

Usage:
  gilbench run [options]          run a benchmark suite and write reports/<run-id>/{results.json,report.md,report.html,*.png}
  gilbench report FILE            re-render report.md, report.html and the charts from a results.json, without running anything
  gilbench compare BASE [CAND]    compare two results files (or two interpreters of one) cell by cell
  gilbench merge OUT IN IN...     merge results files from several machines or jobs into one
  gilbench doctor                 list the Python interpreters found here, their GIL, and what each can run
  gilbench figures [options]      measure the lecture's claims: figures (PNG, SVG) and FIGURES.md with verdicts
  gilbench history add|check|confirm|report
                                  performance over time: results filed by commit, change points, a gate, a trend page
  gilbench help [COMMAND]         show help
  gilbench --version              print gilbench's version

Run "gilbench COMMAND --help" for a command's options.

Exit codes: 0 done, 1 some runs failed (run) or a regression was found (compare
--fail-on-regression, history check), 2 bad input, 3 a file could not be written (disk full, read-only),
${BUSY_EXIT} stopped by --busy fail, 130 interrupted.`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number> | number; help: string }> = {
  run: { run: runCommand, help: RUN_HELP },
  report: { run: reportCommand, help: REPORT_HELP },
  compare: { run: compareCommand, help: COMPARE_HELP },
  merge: { run: mergeCommand, help: MERGE_HELP },
  doctor: { run: doctorCommand, help: DOCTOR_HELP },
  figures: { run: figuresCommand, help: FIGURES_HELP },
  history: { run: historyCommand, help: HISTORY_HELP },
};

export function main(argv: string[]): Promise<number> {
  return reported(() => {
    const [command, ...rest] = argv;
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      console.log(COMMANDS[rest[0] ?? '']?.help ?? MAIN_HELP);
      return 0;
    }
    if (command === '--version' || command === '-V') {
      console.log(gilbenchVersion());
      return 0;
    }
    const chosen =
      COMMANDS[command] ??
      fail(`Unknown command "${command}"; the commands are ${Object.keys(COMMANDS).join(', ')} and help.`);
    return chosen.run(rest);
  });
}

/**
 * What a command (or a script built of commands, scripts/bench-ci.ts) ends in: its exit code, or
 * for bad input (a UsageError) or a file it could not write (a WriteError) its one sentence and
 * 2 or 3. Anything else is a bug in gilbench, and stays a stack trace.
 */
export async function reported(body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`gilbench: ${error.message}`);
      return 2;
    }
    if (error instanceof WriteError) {
      console.error(`gilbench: ${error.message}`);
      return WRITE_FAILED;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
