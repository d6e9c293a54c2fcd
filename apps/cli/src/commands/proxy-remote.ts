/**
 * `mcptrust proxy --url`: the firewall in front of a remote MCP server. The host speaks
 * stdio to the proxy; the proxy speaks Streamable HTTP (or the legacy HTTP+SSE transport)
 * to the server, through `@mcptrust/proxy-core`'s HTTP bridge — the same engine, and so
 * the same guarantees, as for a stdio server.
 */
import { createHttpBridge } from '@mcptrust/proxy-core/http';
import type { HttpBridgeExit } from '@mcptrust/proxy-core/http';
import type { CommandContext } from '../command.js';
import { createProxyAudit } from '../observe/proxy-audit.js';
import { paint, printable, say } from '../output.js';
import { remoteCredentials } from '../remote-credentials.js';
import { describeUrl } from '../remote-target.js';
import type { RemoteTarget } from '../remote-target.js';
import { engineOptionsOf, settle, untilClosed } from './proxy.js';
import type { ProxyFlags } from './proxy.js';

/** Runs the proxy against the remote server of `remote` until the host goes away, the upstream fails or a signal arrives. */
export async function runRemoteProxy(argv: Record<string, unknown>, ctx: CommandContext, flags: ProxyFlags, remote: RemoteTarget, lockDigest: { path: string; sha256: string } | undefined): Promise<void> {
  const { io } = ctx;
  if (ctx.signal.aborted) return;
  const credentials = await remoteCredentials(remote, ctx);
  const audit = await createProxyAudit({
    io,
    run: ctx.run,
    lockfile: flags.lockfile,
    ...(lockDigest === undefined ? {} : { lockDigest }),
    mode: flags.mode,
    // What the audit log's chain.start records as "the server": its endpoint, never headers.
    serverCommand: ['--url', describeUrl(remote.url)],
    ...(typeof argv['audit-log'] === 'string' ? { auditLogPath: argv['audit-log'] } : {}),
    ...(typeof argv['audit-key'] === 'string' ? { auditKeyPath: argv['audit-key'] } : {}),
  });
  const hostInput = process.stdin;
  try {
    const bridge = createHttpBridge({
      ...engineOptionsOf(flags, audit),
      upstream: { endpoint: remote.endpoint, ...(credentials === undefined ? {} : { credentials }) },
      hostInput,
      hostOutput: io.stdout,
      // stdout is the process's own stream: it is flushed on exit, never ended here.
      endHostOutput: false,
      onWarning: (message) => say(io, `${paint(io, 'yellow', 'mcptrust: warning:')} ${printable(message)}`),
    });
    const { exit, signalled } = await untilClosed<HttpBridgeExit>(ctx, bridge, hostInput);
    const failed = exit.reason === 'fatal' || (exit.reason === 'upstream-closed' && exit.error !== undefined);
    settle(io, flags, { error: failed ? exit.error : undefined, crashed: false, signal: null, exitCode: 0 }, bridge.engine.drift, signalled);
  } finally {
    audit.close();
  }
}
