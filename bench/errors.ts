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
