/**
 * Unified diffs of config edits, for `--dry-run` and the report.
 */
import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff between two versions of a file, with `a/<path>` and `b/<path>` headers.
 *
 * @param path - the file's path, as shown in the headers
 * @param before - the current text
 * @param after - the edited text
 * @returns the diff (only headers when the texts are equal)
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  // `a//home/…` would read as a typo: the headers carry the path without its root.
  const shown = path.replace(/^([A-Za-z]:)?[\\/]+/, '').split('\\').join('/');
  return createTwoFilesPatch(`a/${shown}`, `b/${shown}`, before, after, undefined, undefined, { context: 3 });
}
