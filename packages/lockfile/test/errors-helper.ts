import { expect } from '@jest/globals';
import { LockfileError } from '@mcptrust/lockfile';

/** Runs `fn` and returns the LockfileError it throws (failing the test if it does not). */
export function caught(fn: () => unknown): LockfileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LockfileError);
    return error as LockfileError;
  }
  throw new Error('expected a LockfileError, but nothing was thrown');
}

/** As {@link caught}, for a promise. */
export async function caughtAsync(promise: Promise<unknown>): Promise<LockfileError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LockfileError);
    return error as LockfileError;
  }
  throw new Error('expected a LockfileError, but nothing was thrown');
}
