import { DriftError } from './errors.js';
import type { ServerCommand } from './scan.types.js';
export type { ServerCommand } from './scan.types.js';

/** Characters that a POSIX shell treats as operators; none of them can be honoured without one. */
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
/** Unquoted characters that a shell would expand as a filename pattern. */
const GLOB_CHARACTERS = new Set(['*', '?', '[']);
const WORD_SEPARATORS = new Set([' ', '\t', '\n', '\r']);

const NOT_A_SHELL =
  'the server command is not run through a shell, so pipes, redirections, command lists, ' +
  'substitutions and globs are not supported; pass the program and its arguments as separate ' +
  'words, quote the character, or wrap the pipeline in a script';

interface Word {
  text: string;
  /** Length of `text` before the first character that came from quotes or an escape. */
  plainPrefix: number;
}

function reject(what: string, index: number): never {
  throw new DriftError('INVALID_COMMAND', `${what} at position ${index + 1}: ${NOT_A_SHELL}`);
}

/**
 * Splits one command line into words the way a POSIX shell would quote and escape them,
 * without any expansion. Throws on every construct whose meaning needs a shell.
 */
function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  const append = (text: string, quoted: boolean): void => {
    current ??= { text: '', plainPrefix: Number.POSITIVE_INFINITY };
    if (quoted && current.plainPrefix === Number.POSITIVE_INFINITY) current.plainPrefix = current.text.length;
    current.text += text;
  };

  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (WORD_SEPARATORS.has(ch)) {
      if (current !== undefined) words.push(current);
      current = undefined;
      i += 1;
    } else if (ch === '\\') {
      const next = line.charAt(i + 1);
      if (next === '') {
        throw new DriftError('INVALID_COMMAND', 'the server command ends with a lone backslash');
      }
      // Backslash-newline is a line continuation: both characters disappear.
      if (next !== '\n') append(next, true);
      i += 2;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) {
        throw new DriftError('INVALID_COMMAND', `unterminated single quote at position ${i + 1} in the server command`);
      }
      append(line.slice(i + 1, end), true);
      i = end + 1;
    } else if (ch === '"') {
      i = readDoubleQuoted(line, i, append);
    } else if (ch === '`') {
      reject('command substitution (`...`)', i);
    } else if (ch === '$' && line.charAt(i + 1) === '(') {
      reject('command substitution ($(...))', i);
    } else if (OPERATORS.has(ch)) {
      reject(`shell operator \`${ch}\``, i);
    } else if (GLOB_CHARACTERS.has(ch)) {
      reject(`filename pattern character \`${ch}\``, i);
    } else if (ch === '#' && current === undefined) {
      reject('shell comment (`#` at the start of a word)', i);
    } else {
      // `$VAR`, `${VAR}` and `~` stay literal: expanding them would need the caller's
      // shell environment, and guessing it differently from the shell is worse than not at all.
      append(ch, false);
      i += 1;
    }
  }
  if (current !== undefined) words.push(current);
  return words;
}

/** Reads a double-quoted string starting at `start` (the opening quote); returns the index after it. */
function readDoubleQuoted(line: string, start: number, append: (text: string, quoted: boolean) => void): number {
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (ch === '"') {
      append(text, true);
      return i + 1;
    }
    if (ch === '\\') {
      const next = line.charAt(i + 1);
      if (next === '$' || next === '`' || next === '"' || next === '\\') {
        text += next;
        i += 2;
        continue;
      }
      if (next === '\n') {
        i += 2;
        continue;
      }
      text += ch;
      i += 1;
      continue;
    }
    if (ch === '`') reject('command substitution (`...`) inside double quotes', i);
    if (ch === '$' && line.charAt(i + 1) === '(') reject('command substitution ($(...)) inside double quotes', i);
    text += ch;
    i += 1;
  }
  throw new DriftError('INVALID_COMMAND', `unterminated double quote at position ${start + 1} in the server command`);
}

const ASSIGNMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `NAME=value` written before the program, with the name unquoted, as a shell reads it. */
function asAssignment(word: Word): [string, string] | undefined {
  const eq = word.text.indexOf('=');
  if (eq <= 0 || eq >= word.plainPrefix) return undefined;
  const name = word.text.slice(0, eq);
  return ASSIGNMENT_NAME.test(name) ? [name, word.text.slice(eq + 1)] : undefined;
}

/**
 * Turns the words after `--` on a command line into a {@link ServerCommand}.
 *
 * When `argv` is a single element containing whitespace (the server command was quoted
 * as one string, as in MCP host configs), it is split like a POSIX shell would split it:
 * single and double quotes, backslash escapes and leading `NAME=value` environment
 * assignments are honoured. Nothing is expanded (`$HOME` and `~` stay literal) and
 * nothing is ever run through a shell, so shell operators, command substitution and
 * glob characters are rejected. Any other `argv` is used as it is.
 *
 * @param argv - the server command words
 * @returns the program, its arguments and any environment assignments
 * @throws DriftError `INVALID_COMMAND` when the command is empty or needs a shell
 */
export function parseServerCommand(argv: readonly string[]): ServerCommand {
  if (!Array.isArray(argv) || argv.some((word) => typeof word !== 'string')) {
    throw new DriftError('INVALID_COMMAND', 'the server command must be a list of strings');
  }
  if (argv.some((word) => word.includes('\0'))) {
    throw new DriftError('INVALID_COMMAND', 'the server command contains a NUL character');
  }
  const [first, ...rest] = argv;
  if (first === undefined || first === '') {
    throw new DriftError('INVALID_COMMAND', 'no server command given (expected `-- <command> [args...]`)');
  }
  if (rest.length > 0 || !/\s/.test(first)) {
    return { command: first, args: rest };
  }

  const words = splitWords(first);
  // Collected as entries: `Object.fromEntries` defines own properties, so a name such as
  // `__proto__` stays an ordinary variable instead of touching the prototype.
  const assignments: [string, string][] = [];
  for (const word of words) {
    const assignment = asAssignment(word);
    if (assignment === undefined) break;
    assignments.push(assignment);
  }
  const start = assignments.length;
  const [command, ...args] = words.slice(start).map((word) => word.text);
  if (command === undefined || command === '') {
    throw new DriftError('INVALID_COMMAND', 'no server command given (only whitespace or environment assignments)');
  }
  return start > 0 ? { command, args, env: Object.fromEntries(assignments) } : { command, args };
}
