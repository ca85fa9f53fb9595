/**
 * A mistake the user can fix (a bad flag, a missing interpreter, a corrupt file).
 * The CLI prints its message as one sentence and exits with code 2, never a stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function fail(message: string): never {
  throw new UsageError(message);
}

/**
 * A file gilbench had to write could not be written (disk full, read-only, not a folder). The CLI
 * prints its message as one sentence and exits with WRITE_FAILED: neither bad input (2) nor a
 * failed run or a regression (1).
 */
export class WriteError extends Error {
  override name = 'WriteError';
}

export const WRITE_FAILED = 3;

/** "ENOSPC: no space left on device" from a Node fs error; the message of anything else. */
export function reasonOf(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  // Node says "CODE: what, syscall 'path'": the path is named by the caller.
  return isSystemError(error) ? line.split(', ')[0]! : line;
}

/** Runs write; an fs error it throws becomes a WriteError that names what could not be written. */
export function writing<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof WriteError || !isSystemError(error)) throw error;
    throw new WriteError(`could not write ${what}: ${reasonOf(error)}`);
  }
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}
