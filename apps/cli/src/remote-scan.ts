/**
 * Scanning a remote server for `scan`, `lock`, `diff`, `check` and `policy`: the
 * endpoint from `--url`/`--header`/`--transport`, stored OAuth credentials when there
 * are some (and no static Authorization header), warnings on stderr first.
 */
import { scanRemoteServer } from '@mcptrust/drift';
import type { ScanReport } from '@mcptrust/lockfile';
import type { CommandContext } from './command.js';
import { paint, printable, say } from './output.js';
import { remoteCredentials } from './remote-credentials.js';
import type { RemoteTarget } from './remote-target.js';

/** Prints the target's warnings (once per command). */
export function sayRemoteWarnings(ctx: CommandContext, target: RemoteTarget): void {
  for (const warning of target.warnings) say(ctx.io, `${paint(ctx.io, 'yellow', 'warning:')} ${printable(warning)}`);
}

/** Scans the remote server of `target` under one deadline. */
export async function scanRemoteTarget(target: RemoteTarget, options: { timeoutMs: number; signal?: AbortSignal }, ctx: CommandContext): Promise<ScanReport> {
  const credentials = await remoteCredentials(target, ctx);
  return scanRemoteServer(target.endpoint, {
    timeoutMs: options.timeoutMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(credentials === undefined ? {} : { credentials }),
    onWarning: (message) => say(ctx.io, `${paint(ctx.io, 'yellow', 'warning:')} ${printable(message)}`),
  });
}
