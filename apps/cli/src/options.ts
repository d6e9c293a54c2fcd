// From its own entry: this module is part of the proxy's start-up, which must not load
// the drift package's index (and with it the drift model).
import { parseServerCommand } from '@mcptrust/drift/parse-server-command';
import type { ServerCommand } from '@mcptrust/drift/parse-server-command';
import { UsageError } from './exit-codes.js';

/**
 * Parses a duration flag: `500ms`, `10s`, `2m`, or a bare number of seconds.
 * @returns milliseconds
 */
export function parseDuration(flag: string, value: unknown): number {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (match === null) {
    throw new UsageError(`--${flag}: expected a duration such as 500ms, 10s or 2m, got "${text}"`);
  }
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? amount : unit === 's' ? amount * 1000 : amount * 60_000;
  if (!(ms > 0) || ms > 24 * 3600 * 1000) {
    throw new UsageError(`--${flag}: expected a duration between 1ms and 24h, got "${text}"`);
  }
  return Math.round(ms);
}

/**
 * The server command given after `--`: either argv (`-- npx -y pkg /tmp`) or one
 * quoted string (`-- "npx -y pkg /tmp"`), which is split like a shell would but never
 * run through one.
 */
export function serverCommandFrom(rest: unknown): ServerCommand {
  const argv = Array.isArray(rest) ? rest.map(String) : [];
  if (argv.length === 0) {
    throw new UsageError('missing server command: put it after "--", e.g. mcptrust lock -- npx -y @modelcontextprotocol/server-filesystem /tmp');
  }
  return parseServerCommand(argv);
}
