/**
 * Helpers of the HTTP bridge tests: a bridge with in-memory host streams driven by the
 * real SDK Client, and lockfiles built from a scan of the same loopback server.
 */
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { scanRemoteServer } from '@mcptrust/drift';
import { buildLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ScanReport } from '@mcptrust/lockfile';
import type { RemoteTransport, UpstreamOptions } from '@mcptrust/remote';
import { createHttpBridge, type HttpBridge, type HttpBridgeOptions } from '../../src/http-bridge.js';
import { StreamClientTransport } from '../helpers/e2e.js';

/** A running HTTP bridge with in-memory host streams. */
export interface HttpBridgeRun {
  bridge: HttpBridge;
  hostIn: PassThrough;
  hostOut: PassThrough;
  /** The host's SDK transport over the two streams. */
  transport: StreamClientTransport;
  /** Fatal errors reported through onFatal. */
  fatal: Error[];
  /** Warnings reported through onWarning. */
  warnings: string[];
}

/** Starts a bridge to `url` (`transport` default streamable-http; `upstream` overrides the client's limits). */
export function startHttpBridge(
  url: string,
  options: Omit<HttpBridgeOptions, 'hostInput' | 'hostOutput' | 'upstream'> & { transport?: RemoteTransport; upstream?: Omit<UpstreamOptions, 'endpoint'> },
): HttpBridgeRun {
  const hostIn = new PassThrough();
  const hostOut = new PassThrough();
  const fatal: Error[] = [];
  const warnings: string[] = [];
  const { transport, upstream, ...rest } = options;
  const bridge = createHttpBridge({
    ...rest,
    upstream: { endpoint: { url, transport: transport ?? 'streamable-http' }, reconnectDelayMs: 10, maxReconnects: 1, ...upstream },
    hostInput: hostIn,
    hostOutput: hostOut,
    onFatal: (err) => fatal.push(err),
    onWarning: (message) => warnings.push(message),
  });
  return { bridge, hostIn, hostOut, transport: new StreamClientTransport(hostOut, hostIn), fatal, warnings };
}

/** Connects an SDK Client as the host. */
export async function connectHost(run: HttpBridgeRun, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: 'host', version: '1.0.0' }, { capabilities });
  await client.connect(run.transport);
  return client;
}

/** Scans the remote server and builds its lockfile (`edit` changes the scan first). */
export async function lockRemote(url: string, transport: RemoteTransport = 'streamable-http', edit?: (scan: ScanReport) => void): Promise<Lockfile> {
  const scan = await scanRemoteServer({ url, transport });
  edit?.(scan);
  return buildLockfile(scan);
}

/** A lockfile pinning the misbehaving fixture's one tool (echo {text}). */
export function misbehavingLockfile(): Lockfile {
  return buildLockfile({
    reportVersion: 1,
    scannedAt: '2026-01-01T00:00:00.000Z',
    server: { name: 'mcptrust-misbehaving', version: '1.0.0', protocolVersion: '2025-06-18', capabilities: { tools: {} } },
    tools: [
      {
        name: 'echo',
        description: 'Echoes its text.',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
        riskLevel: 'LOW',
        riskReasons: [],
      },
    ],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    findings: [],
  });
}

/** The JSON-RPC code of an error the SDK Client threw. */
export function errorCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

/** Writes one raw line as the host and resolves with the next line the host receives. */
export function hostRoundTrip(run: HttpBridgeRun, line: string): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      run.hostOut.off('data', onData);
      resolve(JSON.parse(buf.slice(0, nl)) as Record<string, any>);
    };
    run.hostOut.on('data', onData);
    run.hostIn.write(line + '\n');
  });
}
