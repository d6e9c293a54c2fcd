/**
 * Opening the authorization URL in the user's browser without a shell (MCP security best
 * practices, "OAuth Authorization URL Validation": mcp-remote's CVE-2025-6514 was a URL
 * handed to a shell). Only `http(s)://` URLs are opened.
 *
 * The browser is the `BROWSER` environment variable when it is set and not empty, read as
 * Python's `webbrowser` and xdg-utils read it: a list of commands separated by the
 * platform's path delimiter (`:` on POSIX, `;` on Windows), tried in order until one
 * starts. Each command is split into words like a command line ({@link splitCommandLine})
 * and run without a shell; the URL is its last argument, or replaces `%s` in the arguments
 * that contain it. Without `BROWSER`: `xdg-open` (Linux, BSD), `open` (macOS) or
 * `explorer.exe` (Windows), with the URL as its only argument.
 */
import { spawn } from 'node:child_process';
import { RemoteError } from '../errors.js';

/** Opens a URL in a browser; resolves once the opener was started. */
export type BrowserOpener = (url: string) => Promise<void>;

/**
 * Refuses anything but an absolute `http://` or `https://` URL without credentials, and
 * returns its serialisation (what the browser gets).
 *
 * @param raw - the URL
 * @returns the URL as `URL.href`
 * @throws RemoteError `INSECURE_URL`
 */
export function checkBrowserUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError('INSECURE_URL', 'Refusing to open an authorization URL that is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RemoteError('INSECURE_URL', `Refusing to open an authorization URL with the scheme ${JSON.stringify(url.protocol.slice(0, 20))}: only http(s) URLs are opened`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new RemoteError('INSECURE_URL', 'Refusing to open an authorization URL that carries credentials');
  }
  return url.href;
}

/** Options of {@link systemBrowserOpener}. */
export interface SystemBrowserOpenerOptions {
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** The opener's environment: its `BROWSER` chooses the browser, its `PATH` finds the program. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The opener program of a platform. */
function openerOf(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer.exe';
  return 'xdg-open';
}

/** Characters a shell would treat as syntax; unquoted in a `BROWSER` command they are refused, since no shell runs it. */
const SHELL_SYNTAX = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);

/**
 * Splits one command line into words, the way a POSIX shell splits a simple command, for
 * the `BROWSER` variable: words are separated by unquoted blanks; `'…'` keeps everything
 * literally; `"…"` keeps everything but `\` before `"`, `\`, `$` or a backquote; an
 * unquoted `\` keeps the next character. On Windows (`posix` false) a backslash is a path
 * separator and always literal; only the quotes group. No expansion of any kind happens
 * (variables, globs, `~`), and unquoted shell syntax (`| & ; < > ( ) $` and backquotes, a
 * `#` starting a word) is refused rather than taken literally: the command runs without a
 * shell, so such a command would not do what it says.
 *
 * @param line - the command line
 * @param posix - POSIX backslash rules (default true)
 * @returns the words (empty for a blank line)
 * @throws RemoteError `INVALID_OPTIONS` for an unterminated quote or shell syntax
 */
export function splitCommandLine(line: string, posix = true): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (why: string): never => {
    throw new RemoteError('INVALID_OPTIONS', why);
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) fail('an unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      for (;;) {
        if (i >= line.length) fail('an unterminated double quote');
        const d = line[i]!;
        if (d === '"') break;
        if (posix && d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i += 1;
        }
      }
      inWord = true;
      i += 1;
    } else if (posix && c === '\\') {
      if (i + 1 >= line.length) fail('a trailing backslash');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (SHELL_SYNTAX.has(c) || (c === '#' && !inWord)) {
      fail(`shell syntax (${c}) outside quotes; the command runs without a shell`);
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** One command to try: the program and its arguments with the URL in place. */
interface Candidate {
  program: string;
  args: string[];
}

/** A command's name for messages: its program, or what was wrong with it (never the URL). */
type Attempt = Candidate | { program: string; problem: string };

/**
 * The commands of a `BROWSER` value, in order, with the URL placed: substituted for `%s`
 * in every argument that contains it, else appended as the last argument.
 */
function browserCommands(value: string, href: string, platform: NodeJS.Platform): Attempt[] {
  const posix = platform !== 'win32';
  const attempts: Attempt[] = [];
  for (const entry of value.split(posix ? ':' : ';')) {
    if (entry.trim() === '') continue;
    let words: string[];
    try {
      words = splitCommandLine(entry, posix);
    } catch (error) {
      attempts.push({ program: JSON.stringify(entry.trim().slice(0, 80)), problem: (error as Error).message });
      continue;
    }
    if (words.length === 0) continue;
    const [program, ...rest] = words as [string, ...string[]];
    // split/join, not String.replace: a `$&` or `$'` in the URL must stay literal.
    const substituted = rest.some((arg) => arg.includes('%s'));
    const args = substituted ? rest.map((arg) => arg.split('%s').join(href)) : [...rest, href];
    attempts.push({ program, args });
  }
  return attempts;
}

/** Starts one command detached, ignored and without a shell; resolves once it runs, rejects with the reason it did not start. */
function start(candidate: Candidate, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let child;
    try {
      child = spawn(candidate.program, candidate.args, { env, shell: false, stdio: 'ignore', detached: true, windowsHide: true });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** Why a program did not start, for a message: the errno code when there is one. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.slice(0, 200) : 'error';
}

/**
 * The default {@link BrowserOpener}: checks the URL, then starts the first `BROWSER`
 * command that starts (see the module comment), or without `BROWSER` the platform's
 * opener with the URL as its only argument; always `shell: false`, detached and ignored.
 *
 * @param options - {@link SystemBrowserOpenerOptions}
 * @returns an opener; it rejects with `INSECURE_URL` for a refused URL, or `OAUTH_FAILED`
 *   naming the programs that could not be started (never the URL; the caller still has it
 *   to print)
 */
export function systemBrowserOpener(options: SystemBrowserOpenerOptions = {}): BrowserOpener {
  return async (raw: string) => {
    const href = checkBrowserUrl(raw);
    const platform = options.platform ?? process.platform;
    const env = options.env ?? process.env;
    const browser = env['BROWSER'];
    const attempts = browser === undefined || browser.trim() === '' ? [] : browserCommands(browser, href, platform);
    if (attempts.length === 0) {
      const program = openerOf(platform);
      try {
        await start({ program, args: [href] }, env);
        return;
      } catch (error) {
        // No cause: a spawn error carries the arguments, the URL among them.
        throw new RemoteError('OAUTH_FAILED', `Cannot start ${program} to open the browser (${reasonOf(error)})`);
      }
    }
    const failures: string[] = [];
    for (const attempt of attempts) {
      if ('problem' in attempt) {
        failures.push(`${attempt.program}: ${attempt.problem}`);
        continue;
      }
      try {
        await start(attempt, env);
        return;
      } catch (error) {
        failures.push(`${attempt.program} (${reasonOf(error)})`);
      }
    }
    throw new RemoteError('OAUTH_FAILED', `Cannot start the browser named by BROWSER: ${failures.join('; ')}`);
  };
}
