// From its own entry: this module is part of the proxy's start-up (see options.ts).
import { escapeInvisible } from '@mcptrust/drift/unicode';
import type { Writable } from 'node:stream';

/** Where a command writes: stdout for the requested output only, stderr for everything else. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  /** Whether stderr may carry ANSI colours (a TTY, and NO_COLOR not set). */
  color: boolean;
  /** Environment, for SOURCE_DATE_EPOCH and friends. */
  env: NodeJS.ProcessEnv;
}

/** Builds the Io of the running process. */
export function processIo(): Io {
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  const force = process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0';
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    color: !noColor && (force || process.stderr.isTTY === true),
    env: process.env,
  };
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

/** Wraps text in an ANSI style when colours are on. */
export function paint(io: Io, style: keyof typeof CODES, text: string): string {
  return io.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

/** Writes one line to stderr. */
export function say(io: Io, line = ''): void {
  io.stderr.write(`${line}\n`);
}

/**
 * Makes attacker-controlled text (tool names, descriptions) safe to print on one
 * terminal line: invisible, bidi, tag and control characters (newlines and tabs too)
 * are shown as `<U+XXXX>`, so a server can neither rewrite the operator's screen nor
 * forge extra log lines.
 */
export function printable(text: string): string {
  return escapeInvisible(text).replace(/[\t\n\r]/g, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

// What JSON.stringify leaves raw but a terminal may act on or reorder: DEL and the C1
// controls (U+009B is a CSI to some terminals), bidi controls, line/paragraph separators.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify` for stdout: the same JSON value, with every character a terminal
 * could act on written as a `\uXXXX` escape (JSON escapes C0 controls itself).
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
