import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompareOptions, type Comparison, compare } from '../analyse/compare.ts';
import { AB_JUDGEMENT } from '../analyse/history/record.ts';
import { fail } from '../core/errors.ts';
import { latestRunDir, type Results } from '../store/results.ts';
import { runCommand } from './commands/run.ts';

/**
 * Revisions of the code being measured: what git knows of them (their order, dates), checkouts of
 * them, and an interleaved A/B of two revisions' workloads in one run.
 */

/** git's answer, or undefined when git fails (no repository, an unknown commit, no git at all). */
function git(repo: string, args: string[], input?: string): string | undefined {
  try {
    return execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    }).trim();
  } catch {
    return undefined;
  }
}

/** The top folder of the git repository `dir` is in, if it is in one. */
export function repositoryOf(dir: string): string | undefined {
  return git(dir, ['rev-parse', '--show-toplevel']);
}

/** A commit's full SHA, if the repository knows it (a SHA, a short one, a branch, HEAD…). */
export function resolveCommit(repo: string | undefined, ref: string): string | undefined {
  return repo === undefined ? undefined : git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
}

/** The commit that last changed a file: e.g. the revision a committed baseline was measured on. */
export function lastChange(repo: string, path: string): string | undefined {
  return git(repo, ['log', '-1', '--format=%H', '--', path]) || undefined;
}

/** A commit's committer date, ISO 8601. */
export function commitDate(repo: string, commit: string): string | undefined {
  return git(repo, ['show', '-s', '--format=%cI', commit]);
}

/**
 * The commits in git's order, oldest first (parents before children, topologically), when the
 * repository knows every one of them; undefined otherwise.
 */
export function gitOrder(repo: string | undefined, commits: string[]): string[] | undefined {
  if (repo === undefined || commits.length === 0) return undefined;
  // One git for all: "<sha> commit <size>" per commit it has, "<id> missing" otherwise.
  const known = git(repo, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], `${commits.join('\n')}\n`)?.split(
    '\n',
  );
  if (!known || known.some((line, i) => line !== `${commits[i]} commit`)) return undefined;
  const listed = git(repo, ['rev-list', '--topo-order', '--reverse', ...commits]);
  const wanted = new Set(commits);
  return listed?.split('\n').filter((commit) => wanted.has(commit));
}

/** A checkout of `commit` in a temporary folder (a detached git worktree), and how to remove it. */
export function checkout(repo: string, commit: string): { dir: string; remove: () => void } {
  const dir = join(mkdtempSync(join(tmpdir(), 'gilbench-rev-')), commit.slice(0, 12));
  if (git(repo, ['worktree', 'add', '--detach', dir, commit]) === undefined)
    fail(
      `Cannot check out ${commit} of ${repo} (git worktree add failed): is the commit in the repository (a shallow clone lacks old ones)?`,
    );
  return {
    dir,
    remove: () => {
      git(repo, ['worktree', 'remove', '--force', dir]);
      rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}

/**
 * Rounds of a confirming A/B: it runs only when a change point or a gate's claim needs it, so it
 * affords twice the CI suite's 10, for the power the gate's own A/B lacks on a shared machine
 * (npm run bench:gate-check estimates both).
 */
export const CONFIRM_ROUNDS = ['--repeat', '20'];

/** Run options for two revisions' workloads (folders) measured in one interleaved run, labelled base and head. */
export function abRunArgs(
  baseWorkloads: string,
  headWorkloads: string,
  workloads: string[],
  runArgs: string[],
): string[] {
  return [
    '--workloads-dir',
    `${baseWorkloads}=base`,
    '--workloads-dir',
    `${headWorkloads}=head`,
    '--workloads',
    workloads.flatMap((w) => [`${w}@base`, `${w}@head`]).join(','),
    ...runArgs,
  ];
}

/**
 * An A/B results file judged as a confirmation and the A/B gate judge it (AB_JUDGEMENT): its sides
 * labelled base and head (abRunArgs), or the two interpreters given.
 */
export function judgeAB(
  ab: Results,
  options: Pick<CompareOptions, 'metrics' | 'baseInterpreter' | 'candInterpreter'> = {},
): Comparison[] {
  const sides = options.baseInterpreter === undefined ? { baseLabel: 'base', candLabel: 'head' } : {};
  return compare(ab, ab, { ...AB_JUDGEMENT, ...sides, ...options });
}

/** Runs an A/B (abRunArgs) into `out`; the results file it wrote. */
export async function runAB(
  baseWorkloads: string,
  headWorkloads: string,
  workloads: string[],
  runArgs: string[],
  out: string,
): Promise<string> {
  const code = await runCommand([...abRunArgs(baseWorkloads, headWorkloads, workloads, runArgs), '--out', out]);
  // Exit code 1: some runs failed, and the comparison says which cells are missing; anything else ends it.
  if (code !== 0 && code !== 1)
    fail(`The A/B run of ${baseWorkloads} and ${headWorkloads} ended with exit code ${code}; nothing was confirmed.`);
  return join(latestRunDir(out), 'results.json');
}
