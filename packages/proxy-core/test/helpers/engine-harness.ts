import { createMemoryAuditSink } from '@mcptrust/audit';
import type { MemoryAuditSink } from '@mcptrust/audit';
import { buildLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ResourceDefinition, ScanReport, ToolDefinition } from '@mcptrust/lockfile';
import { createProxyEngine } from '../../src/engine.js';
import type { ProxyEngine, ProxyEngineOptions } from '../../src/engine.types.js';

type Msg = Record<string, any>;

/** The surface the unit tests pin (a trimmed copy of the fixture server's). */
export const SURFACE = {
  tools: <ToolDefinition[]>[
    {
      name: 'read_file',
      description: 'Read a file inside the project.',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false },
    },
    { name: 'echo', description: 'Echo the text.', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
    {
      name: 'modern',
      description: 'Uses draft 2020-12.',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { n: { type: 'integer', minimum: 1 } },
        required: ['n'],
      },
    },
  ],
  prompts: [{ name: 'greet', description: 'Greets someone.', arguments: [{ name: 'who', required: true }] }],
  resources: <ResourceDefinition[]>[{ uri: 'fixture://docs/readme', name: 'readme', mimeType: 'text/markdown' }],
  resourceTemplates: [{ uriTemplate: 'file:///project/{path}', name: 'project-file', description: 'A file of the project.' }],
};

/** A lockfile pinning {@link SURFACE}. */
export function testLockfile(instructions?: string): Lockfile {
  const scan: ScanReport = {
    reportVersion: 1,
    scannedAt: '2025-01-01T00:00:00.000Z',
    server: {
      name: 'mcptrust-fixture',
      version: '1.0.0',
      protocolVersion: '2025-06-18',
      capabilities: { tools: {}, prompts: {}, resources: {} },
      ...(instructions === undefined ? {} : { instructions }),
    },
    tools: SURFACE.tools.map((t) => ({ ...t, riskLevel: 'LOW' as const, riskReasons: [] })),
    prompts: SURFACE.prompts,
    resources: SURFACE.resources,
    resourceTemplates: SURFACE.resourceTemplates,
    findings: [],
  };
  return buildLockfile(scan, { updatedAt: '2025-01-01T00:00:00.000Z' });
}

/** An engine wired to arrays, with helpers to play host and server. */
export interface Harness {
  engine: ProxyEngine;
  sink: MemoryAuditSink;
  /** Parsed messages the engine sent to the server. */
  toServer: Msg[];
  /** Raw texts sent to the server. */
  rawToServer: string[];
  /** Parsed messages the engine sent to the host. */
  toHost: Msg[];
  /** Raw texts sent to the host. */
  rawToHost: string[];
  fatal: Error[];
  host(msg: unknown): void;
  server(msg: unknown): void;
  /** The last message sent to the server. */
  lastToServer(): Msg;
  /** The last message sent to the host. */
  lastToHost(): Msg;
  /** Runs initialize (and answers preflight when enabled) so the session is ready. */
  initialize(version?: string, opts?: { capabilities?: Msg; serverResult?: Msg }): void;
  clear(): void;
  /** Waits until preflight has settled (drift is graded by a lazily loaded model). */
  settle(): Promise<void>;
}

export function createHarness(options: Partial<ProxyEngineOptions> = {}): Harness {
  const sink = createMemoryAuditSink();
  const h: Harness = {
    engine: undefined as unknown as ProxyEngine,
    sink,
    toServer: [],
    rawToServer: [],
    toHost: [],
    rawToHost: [],
    fatal: [],
    host(msg) {
      h.engine.receiveFromHost(typeof msg === 'string' ? msg : JSON.stringify(msg));
    },
    server(msg) {
      h.engine.receiveFromServer(typeof msg === 'string' ? msg : JSON.stringify(msg));
    },
    lastToServer() {
      const m = h.toServer[h.toServer.length - 1];
      if (m === undefined) throw new Error('nothing was sent to the server');
      return m;
    },
    lastToHost() {
      const m = h.toHost[h.toHost.length - 1];
      if (m === undefined) throw new Error('nothing was sent to the host');
      return m;
    },
    initialize(version = '2025-06-18', opts = {}) {
      h.host({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: version, capabilities: opts.capabilities ?? {}, clientInfo: { name: 't', version: '1' } },
      });
      const init = h.lastToServer();
      h.server({
        jsonrpc: '2.0',
        id: init['id'],
        result: opts.serverResult ?? {
          protocolVersion: version,
          capabilities: { tools: {}, prompts: {}, resources: {} },
          serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' },
        },
      });
      if (options.preflight === true) answerPreflight(h);
      h.host({ jsonrpc: '2.0', method: 'notifications/initialized' });
      h.clear();
    },
    async settle() {
      for (let i = 0; i < 1000 && h.engine.state === 'preflight'; i++) await new Promise((r) => setTimeout(r, 1));
    },
    clear() {
      h.toServer.length = 0;
      h.rawToServer.length = 0;
      h.toHost.length = 0;
      h.rawToHost.length = 0;
      sink.clear();
    },
  };
  h.engine = createProxyEngine(
    {
      toServer(json) {
        h.rawToServer.push(json);
        h.toServer.push(JSON.parse(json));
      },
      toHost(json) {
        h.rawToHost.push(json);
        h.toHost.push(JSON.parse(json));
      },
      onFatal(err) {
        h.fatal.push(err);
      },
    },
    { lockfile: testLockfile(), preflight: false, audit: sink, ...options },
  );
  return h;
}

/** Answers every outstanding preflight list request with the given surface. */
export function answerPreflight(h: Harness, surface: Partial<typeof SURFACE> & Msg = SURFACE): void {
  const fields: Record<string, string> = {
    'tools/list': 'tools',
    'prompts/list': 'prompts',
    'resources/list': 'resources',
    'resources/templates/list': 'resourceTemplates',
  };
  const answered = new Set<unknown>();
  for (let round = 0; round < 10; round++) {
    const open = h.toServer.filter((m) => typeof m['method'] === 'string' && fields[m['method']] !== undefined && !answered.has(m['id']));
    if (open.length === 0) return;
    for (const req of open) {
      answered.add(req['id']);
      const field = fields[req['method']]!;
      h.server({ jsonrpc: '2.0', id: req['id'], result: { [field]: (surface as Msg)[field] ?? [] } });
    }
  }
}

/** Request helper. */
export function req(id: unknown, method: string, params?: Msg): Msg {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}
