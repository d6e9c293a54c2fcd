import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { buildLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ScanReport } from '@mcptrust/lockfile';
import { LineSplitter } from '../../src/line-splitter.js';
import { createStdioBridge, type StdioBridge, type StdioBridgeOptions } from '../../src/stdio-bridge.js';

/** The project's fixture server (located relative to this file, never by absolute path). */
export const FIXTURE_SERVER = fileURLToPath(new URL('../../../../tooling/servers/fixture-server.mjs', import.meta.url));
/** The real reference server. */
export const EVERYTHING_SERVER = fileURLToPath(
  new URL('../../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

/** A client-side SDK transport over a pair of in-memory streams (the host's stdio). */
export class StreamClientTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly splitter: LineSplitter;
  constructor(
    private readonly input: PassThrough,
    private readonly output: PassThrough,
  ) {
    this.splitter = new LineSplitter({
      onLine: (line) => {
        if (line.length === 0) return;
        try {
          this.onmessage?.(JSON.parse(line) as JSONRPCMessage);
        } catch (err) {
          this.onerror?.(err as Error);
        }
      },
      onOversized: () => this.onerror?.(new Error('oversized line')),
    });
  }
  async start(): Promise<void> {
    this.input.on('data', (c: Buffer) => this.splitter.push(c));
    this.input.on('end', () => this.onclose?.());
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.output.write(JSON.stringify(message) + '\n');
  }
  async close(): Promise<void> {
    this.output.end();
  }
}

/** A bridge with in-memory host streams; `raw` collects every byte written to the host. */
export interface BridgeRun {
  bridge: StdioBridge;
  hostIn: PassThrough;
  hostOut: PassThrough;
  stderr: PassThrough;
  stderrText(): string;
  transport: StreamClientTransport;
}

export function startBridge(options: Omit<StdioBridgeOptions, 'hostInput' | 'hostOutput'>): BridgeRun {
  const hostIn = new PassThrough();
  const hostOut = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const bridge = createStdioBridge({ shutdownGraceMs: 300, ...options, hostInput: hostIn, hostOutput: hostOut, stderr });
  return { bridge, hostIn, hostOut, stderr, stderrText: () => err, transport: new StreamClientTransport(hostOut, hostIn) };
}

/** Scans a server with the SDK Client (all pages) and builds a lockfile from it. */
export async function lockServer(command: string, args: string[], edit?: (scan: ScanReport) => void): Promise<Lockfile> {
  const client = new Client({ name: 'scan', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  try {
    const caps = client.getServerCapabilities() ?? {};
    const all = async <T>(fn: (cursor?: string) => Promise<{ nextCursor?: string | undefined } & Record<string, unknown>>, key: string): Promise<T[]> => {
      const out: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await fn(cursor);
        out.push(...((page[key] as T[]) ?? []));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return out;
    };
    const info = client.getServerVersion()!;
    const scan: ScanReport = {
      reportVersion: 1,
      scannedAt: new Date().toISOString(),
      server: {
        name: info.name,
        version: info.version,
        protocolVersion: '2025-06-18',
        capabilities: caps as ScanReport['server']['capabilities'],
        ...(client.getInstructions() === undefined ? {} : { instructions: client.getInstructions()! }),
      },
      tools: caps.tools ? (await all<any>((c) => client.listTools(c === undefined ? {} : { cursor: c }), 'tools')).map((t) => ({ ...pick(t, ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']), riskLevel: 'LOW' as const, riskReasons: [] })) : [],
      prompts: caps.prompts ? (await all<any>((c) => client.listPrompts(c === undefined ? {} : { cursor: c }), 'prompts')).map((p) => pick(p, ['name', 'title', 'description', 'arguments'])) : [],
      resources: caps.resources ? (await all<any>((c) => client.listResources(c === undefined ? {} : { cursor: c }), 'resources')).map((r) => pick(r, ['uri', 'name', 'title', 'description', 'mimeType'])) : [],
      resourceTemplates: caps.resources
        ? (await all<any>((c) => client.listResourceTemplates(c === undefined ? {} : { cursor: c }), 'resourceTemplates')).map((r) => pick(r, ['uriTemplate', 'name', 'title', 'description', 'mimeType']))
        : [],
      findings: [],
    };
    edit?.(scan);
    return buildLockfile(scan);
  } finally {
    await client.close();
  }
}

function pick(o: Record<string, unknown>, keys: string[]): any {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Whether a process is still alive. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
