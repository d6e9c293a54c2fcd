/**
 * guardTransport between real SDK peers in one process: an SDK `Client` through the
 * guard to an SDK `Server` over the SDK's linked in-memory transports (preflight on),
 * and an inner transport that answers synchronously from inside `send` (re-entering
 * the guard before `send` returns).
 */
import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { guardTransport } from '../../src/guard-transport.js';
import { DENIAL_CODES } from '../../src/protocol.js';
import { defaultResult, FakeServerTransport, req, SURFACE, testLockfile, until, type Msg } from './helpers.js';

const EXEC = { name: 'exec_shell', description: 'Run a command.', inputSchema: { type: 'object' as const } };

/** An SDK Server offering the pinned surface, plus `exec_shell` once `grow()` was called. */
function sdkServer(): { server: Server; grow: () => void; calls: string[] } {
  let grown = false;
  const calls: string[] = [];
  const server = new Server({ name: 'mcptrust-fixture', version: '1.0.0' }, { capabilities: { tools: {}, prompts: {}, resources: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: grown ? [...SURFACE.tools, EXEC] : SURFACE.tools }) as never);
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: SURFACE.prompts }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: SURFACE.resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: SURFACE.resourceTemplates }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    calls.push(request.params.name);
    return { content: [{ type: 'text' as const, text: `called ${request.params.name}` }] };
  });
  return { server, grow: () => (grown = true), calls };
}

describe('guardTransport between an SDK Client and an SDK Server (in-memory transports)', () => {
  it('passes preflight, filters the list the server grew, blocks the new tool and forwards pinned calls', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const { server, grow, calls } = sdkServer();
    await server.connect(serverSide);
    const client = new Client({ name: 'agent', version: '1.0.0' });
    const guard = guardTransport(clientSide, { lockfile: testLockfile() });
    await client.connect(guard);
    try {
      expect(guard.engine.state).toBe('ready');
      grow();
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'echo', 'modern']);
      await expect(client.callTool({ name: 'exec_shell', arguments: {} })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
      await expect(client.callTool({ name: 'read_file', arguments: { path: 1 } })).rejects.toMatchObject({ code: DENIAL_CODES.INVALID_ARGUMENTS });
      expect((await client.callTool({ name: 'read_file', arguments: { path: 'a' } })).content).toEqual([{ type: 'text', text: 'called read_file' }]);
      expect(calls).toEqual(['read_file']);
    } finally {
      await client.close();
    }
    expect(guard.engine.state).toBe('closed');
  });

  it('refuses the connection when the SDK Server already offers an unpinned tool', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const { server, grow, calls } = sdkServer();
    grow();
    await server.connect(serverSide);
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await expect(client.connect(guardTransport(clientSide, { lockfile: testLockfile() }))).rejects.toThrow(/tool "exec_shell" added \(critical\)/);
    expect(calls).toEqual([]);
    await client.close().catch(() => undefined);
  });
});

/** An inner transport that answers every request from inside `send`, before it returns. */
class SynchronousServer extends FakeServerTransport {
  override async send(message: JSONRPCMessage): Promise<void> {
    const m = JSON.parse(JSON.stringify(message)) as Msg;
    this.received.push(m);
    if (typeof m['method'] === 'string' && m['id'] !== undefined) this.emit({ jsonrpc: '2.0', id: m['id'], result: defaultResult(m) });
  }
}

describe('guardTransport over an inner transport that answers synchronously', () => {
  // An inner transport that answers from inside its own send() must not re-enter the
  // engine before the request is registered (the guard queues inner deliveries).
  it('opens the session and forwards a pinned call', async () => {
    const server = new SynchronousServer();
    const guard = guardTransport(server, { lockfile: testLockfile(), preflight: false });
    const toHost: Msg[] = [];
    guard.onmessage = (m) => toHost.push(m as Msg);
    await guard.start();
    await guard.send(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }) as JSONRPCMessage);
    await until(() => toHost.length > 0);
    await guard.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await guard.send(req(1, 'tools/call', { name: 'echo', arguments: { text: 'x' } }) as JSONRPCMessage);
    await until(() => toHost.length > 1);
    expect(toHost[1]).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'called echo' }] } });
    expect(guard.engine.state).toBe('ready');
    await guard.close();
  });
});
