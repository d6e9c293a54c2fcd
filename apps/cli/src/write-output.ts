import { writeFileAtomic } from '@mcptrust/lockfile';
import { UsageError } from './exit-codes.js';

/**
 * Writes a report to the file named by `--output`, atomically (the shared writer of
 * `@mcptrust/lockfile`): a reader never sees half a report and a failed write leaves
 * the previous file as it was. A failure is a usage error naming the flag and path.
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text, { what: 'report' });
  } catch (error) {
    throw new UsageError(`--output: ${(error as Error).message}`, { cause: error });
  }
}
