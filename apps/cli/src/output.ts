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
 * Makes attacker-controlled text (tool names, descriptions) safe to print on a terminal:
 * control characters, escapes and invisible/bidi characters are shown as `\u{…}` so that
 * a server cannot rewrite the operator's screen.
 */
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const invisible =
      cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0xad || (cp >= 0x200b && cp <= 0x200f) ||
      (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp === 0xfeff ||
      (cp >= 0xe0000 && cp <= 0xe007f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x061c;
    out += invisible ? `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}` : ch;
  }
  return out;
}
