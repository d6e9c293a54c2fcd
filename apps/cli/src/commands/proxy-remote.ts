/**
 * `mcptrust proxy --url`: the firewall in front of a remote MCP server (the host speaks
 * stdio to the proxy, the proxy speaks Streamable HTTP or SSE to the server).
 */
import type { CommandContext } from '../command.js';
import { UsageError } from '../exit-codes.js';
import type { RemoteTarget } from '../remote-target.js';
import type { ProxyFlags } from './proxy.js';

/** Runs the proxy against the remote server of `remote` until the host goes away or a signal arrives. */
export async function runRemoteProxy(_argv: Record<string, unknown>, _ctx: CommandContext, _flags: ProxyFlags, _remote: RemoteTarget, _lockDigest: { path: string; sha256: string } | undefined): Promise<void> {
  throw new UsageError('--url: the remote proxy is not available in this build');
}
