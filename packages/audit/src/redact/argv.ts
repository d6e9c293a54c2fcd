import { isAuthScheme, isSensitiveName, PEM, REDACTED, redactValue } from './patterns.js';
import { joinShellWords, splitShellWords } from './shell-words.js';

/** Result of {@link redactArgv}. */
export interface RedactedArgv {
  /** The arguments, with every secret replaced by `[REDACTED]`. */
  args: string[];
  /** Whether anything was redacted (receipts record it as `args_redacted`). */
  redacted: boolean;
}

// Command strings nested deeper than this (`sh -c "sh -c '…'"`) are hidden whole.
const MAX_DEPTH = 4;

const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
const FLAG = /^(--?)([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=([\s\S]*))?$/;
// `-eKEY=VAL` (docker's attached form of `-e KEY=VAL`).
const ATTACHED_ENV = /^-e([A-Za-z_][A-Za-z0-9_]*)=[\s\S]+$/;
// A word that ends the value a secret-taking flag was waiting for: another long flag.
const LONG_FLAG = /^--[A-Za-z][A-Za-z0-9_.-]*(?:=|$)/;
// `Authorization:` / `X-Api-Key: value` style header words.
const HEADER = /^([A-Za-z][A-Za-z0-9_-]*):([\s\S]*)$/;

interface Step {
  /** The redacted element. */
  text: string;
  /** Whether it changed. */
  redacted: boolean;
  /** Whether the next element is a secret (it followed `--token`, `Bearer`, …). */
  pending: boolean;
}

function same(text: string, pending = false): Step {
  return { text, redacted: false, pending };
}

function hidden(text: string, pending = false): Step {
  return { text, redacted: true, pending };
}

function redactFlag(dashes: string, name: string, value: string | undefined, depth: number): Step {
  const flag = dashes + name;
  const sensitive = isSensitiveName(name);
  if (value === undefined) return same(flag, sensitive && !name.toLowerCase().startsWith('no-'));
  if (value === '') return same(`${flag}=`);
  if (sensitive) return hidden(`${flag}=${REDACTED}`);
  const inner = redactElement(value, depth + 1);
  return { text: `${flag}=${inner.text}`, redacted: inner.redacted, pending: inner.pending };
}

function redactCommandString(element: string, depth: number): Step {
  if (depth >= MAX_DEPTH) return hidden(REDACTED);
  const inner = redactSequence(splitShellWords(element), depth + 1);
  if (!inner.redacted) return same(element, inner.pending);
  return hidden(joinShellWords(inner.args), inner.pending);
}

function redactWord(word: string): Step {
  if (isAuthScheme(word)) return same(word, true);
  const header = word.includes('://') ? null : HEADER.exec(word);
  if (header !== null && isSensitiveName(header[1]!)) {
    if (header[2] === '') return same(word, true);
    return hidden(`${header[1]}:${REDACTED}`);
  }
  const value = redactValue(word);
  return { text: value.text, redacted: value.redacted, pending: false };
}

// Redacts one argv element (or one word of a command string) on its own.
function redactElement(element: string, depth: number): Step {
  if (PEM.test(element)) return hidden(REDACTED);
  const env = ENV_ASSIGNMENT.exec(element);
  if (env !== null) return env[2] === '' ? same(element) : hidden(`${env[1]}=${REDACTED}`);
  const attached = ATTACHED_ENV.exec(element);
  if (attached !== null) return hidden(`-e${attached[1]}=${REDACTED}`);
  const flag = FLAG.exec(element);
  if (flag !== null) return redactFlag(flag[1]!, flag[2]!, flag[3], depth);
  if (/\s/.test(element)) return redactCommandString(element, depth);
  return redactWord(element);
}

interface Sequence {
  args: string[];
  redacted: boolean;
  pending: boolean;
}

function redactSequence(elements: readonly string[], depth: number): Sequence {
  const args: string[] = [];
  let redacted = false;
  let pending = false;
  for (const element of elements) {
    if (pending) {
      // `Authorization: Bearer x`, `--token Bearer x`: the scheme is kept, the word after it hidden.
      if (isAuthScheme(element)) {
        args.push(element);
        continue;
      }
      pending = false;
      if (!LONG_FLAG.test(element)) {
        args.push(element === '' ? element : REDACTED);
        redacted ||= element !== '';
        continue;
      }
    }
    const step = redactElement(element, depth);
    args.push(step.text);
    redacted ||= step.redacted;
    pending = step.pending;
  }
  return { args, redacted, pending };
}

/**
 * Hides secrets in a command line before it is logged or written to a receipt. Each
 * element is looked at on its own and in context:
 *
 * - a flag whose name says credential (`token`, `key`, `password`, `passwd`, `secret`,
 *   `auth`, `credential`, `bearer`, `cookie`, `session`, or the word part `pat`, `pass`,
 *   `pwd`, `pw`, `sig`): `--api-key=v` keeps `--api-key=` and hides `v`; `--token v` hides
 *   the next element (unless it is another `--flag`);
 * - `KEY=value` (an environment assignment, also after docker's `-e`/`--env` and as
 *   `-eKEY=value`): the name stays, the value is always hidden;
 * - secret-shaped values anywhere: `sk-`, `ghp_`, `github_pat_`, `gho_`, `ghu_`, `ghs_`,
 *   `ghr_`, `xoxb-`, `xoxp-`, `xoxa-`, `AKIA`, `ASIA`, `ya29.`, `AIza`, `npm_`, `pypi-`,
 *   `glpat-` tokens, JWTs, PEM blocks, and runs of 32 or more base64 characters that are
 *   not a path segment, a kebab/snake identifier or a content digest;
 * - `Bearer x` / `Authorization: …` / `X-Api-Key: …`: the credential is hidden;
 * - URLs: userinfo becomes `[REDACTED]@`, a query becomes `?[REDACTED]`, the fragment is
 *   dropped; `user:pass@host` loses its userinfo;
 * - an element with whitespace (a whole command after `--`, an `sh -c` body, a quoted
 *   header) is split into words like a shell would (quotes and backslashes, no
 *   expansion), each word is redacted by the same rules, and the words are joined with
 *   spaces; when nothing in it was secret the element is kept exactly as it was.
 *
 * Flag names, paths and package names (`@modelcontextprotocol/server-filesystem`) are
 * never hidden. When in doubt, a value is hidden.
 *
 * @param argv - the arguments (typically `process.argv.slice(2)` or a server command)
 * @returns the redacted copy and whether anything was hidden
 */
export function redactArgv(argv: readonly string[]): RedactedArgv {
  const result = redactSequence(
    argv.map((a) => String(a)),
    0,
  );
  return { args: result.args, redacted: result.redacted };
}
