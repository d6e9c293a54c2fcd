/**
 * The value edits that set an entry's command line, wherever its shape keeps it.
 */
import type { ValueEdit } from './formats/index.js';
import type { Argv, ServerEntry } from './types.js';

/**
 * The edits that make an entry run `argv`: `command` and `args` (standard shape),
 * `command.path` and `command.args` (Zed's legacy shape), `cmd` and `args` (goose).
 * Nothing else of the entry is touched.
 *
 * @param entry - the server entry (its `path` and `shape`)
 * @param argv - the command line to write
 * @returns two edits: the program, then the argument list
 */
export function argvEdits(entry: ServerEntry, argv: Argv): ValueEdit[] {
  const base = entry.path;
  const args = [...argv.args];
  switch (entry.shape) {
    case 'zed-legacy':
      return [
        { path: [...base, 'command', 'path'], value: argv.command },
        { path: [...base, 'command', 'args'], value: args },
      ];
    case 'goose':
      return [
        { path: [...base, 'cmd'], value: argv.command },
        { path: [...base, 'args'], value: args },
      ];
    case 'standard':
      return [
        { path: [...base, 'command'], value: argv.command },
        { path: [...base, 'args'], value: args },
      ];
  }
}
