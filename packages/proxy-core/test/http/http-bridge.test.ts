/**
 * The HTTP bridge against in-process SDK Streamable HTTP servers on 127.0.0.1, driven by
 * the real SDK Client as the host: the HTTP twins of the PROTOCOL checklist items the
 * stdio bridge tests (named in each describe).
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createMemoryAuditSink } from '@mcptrust/audit';
import { startMcpHttpServer, type McpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import type { Lockfile } from '@mcptrust/lockfile';
import { DENIAL_CODES } from '../../src/protocol.js';
import { connectHost, errorCode, hostRoundTrip, lockRemote, startHttpBridge, type HttpBridgeRun } from './helpers.js';

// Lockfiles come from a scan of a twin server (same tools and serverInfo), so the
// servers under test record only the bridge's requests.
let lockfile: Lockfile;
let lockfileWithoutAdd: Lockfile;
beforeAll(async () => {
  const twin = await startMcpHttpServer();
  try {
    lockfile = await lockRemote(twin.url);
    lockfileWithoutAdd = await lockRemote(twin.url, 'streamable-http', (scan) => {
      scan.tools = scan.tools.filter((t) => t.name !== 'add');
    });
  } finally {
    await twin.close();
  }
});

const servers: McpHttpServer[] = [];
const runs: HttpBridgeRun[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) {
    await run.bridge.close();
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startMcpHttpServer>[0] = {}): Promise<McpHttpServer> {
  const s = await startMcpHttpServer(options);
  servers.push(s);
  return s;
}

function bridge(url: string, options: Parameters<typeof startHttpBridge>[1]): HttpBridgeRun {
  const run = startHttpBridge(url, options);
  runs.push(run);
  return run;
}

/** Every line the host receives, once the host output ended. */
function collectLines(run: HttpBridgeRun): Promise<Array<Record<string, any>>> {
  let text = '';
  run.hostOut.on('data', (c: Buffer) => (text += c.toString()));
  return new Promise((resolve) =>
    run.hostOut.on('end', () =>
      resolve(
        text
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as Record<string, any>),
      ),
    ),
  );
}

const toolCalls = (s: McpHttpServer): number => s.requests.filter((r) => r.rpcMethods.includes('tools/call')).length;
const initializes = (s: McpHttpServer): number => s.requests.filter((r) => r.rpcMethods.includes('initialize')).length;

describe('HTTP bridge against the Streamable HTTP fixture', () => {
  describe('PROTOCOL 22: an allowed call', () => {
    it('passes preflight against the lockfile of the same server and relays a call', async () => {
      const s = await server();
      const sink = createMemoryAuditSink();
      const run = bridge(s.url, { lockfile, audit: sink, auditAllowed: true });
      const client = await connectHost(run);
      expect(run.bridge.engine.state).toBe('ready');
      expect(run.bridge.upstream.transport).toBe('streamable-http');
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toEqual(Object.keys(lockfile.tools).sort());
      const res = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
      expect(res.content).toEqual([{ type: 'text', text: 'over http' }]);
      expect(sink.events.some((e) => e.action === 'allowed' && e.tool === 'echo')).toBe(true);
    });
  });

  describe('PROTOCOL 17 + 22: an unlisted tool', () => {
    it('is filtered from tools/list and its call is refused without reaching the server', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile: lockfileWithoutAdd, preflight: false }));
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('echo');
      expect(tools).not.toContain('add');
      const before = toolCalls(s);
      await expect(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
      expect(toolCalls(s)).toBe(before);
    });
  });

  describe('PROTOCOL 21: arguments against the pinned inputSchema', () => {
    it('refuses arguments the pinned schema rejects, locally', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }));
      const before = toolCalls(s);
      await expect(client.callTool({ name: 'add', arguments: { a: 'one', b: 2 } })).rejects.toMatchObject({ code: DENIAL_CODES.INVALID_ARGUMENTS });
      expect(toolCalls(s)).toBe(before);
      const ok = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      expect(ok.content).toEqual([{ type: 'text', text: '3' }]);
    });
  });

  describe('PROTOCOL 7-11: ID translation', () => {
    it('never sends a host id to the server', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }));
      for (let i = 0; i < 3; i++) await client.callTool({ name: 'echo', arguments: { text: String(i) } });
      await client.ping();
      const ids = s.requests.flatMap((r) => r.rpc.map((m) => m.id)).filter((id) => id !== undefined);
      expect(ids.length).toBeGreaterThanOrEqual(6); // initialize, tools/list (preflight), 3 calls, ping
      // The SDK Client numbers its requests 0, 1, 2…; the proxy sends random string ids only.
      for (const id of ids) {
        expect(typeof id).toBe('string');
        expect((id as string).length).toBeGreaterThanOrEqual(16);
      }
    });
  });

  describe('PROTOCOL 34: a server→client request mid-call', () => {
    it('relays sampling to the host under a proxy id and returns its answer to the server', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }), { sampling: {} });
      const seenIds: unknown[] = [];
      client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => {
        seenIds.push(extra.requestId);
        return { role: 'assistant', content: { type: 'text', text: `model says: ${JSON.stringify(request.params.messages.length)}` }, model: 'test-model' };
      });
      const res = await client.callTool({ name: 'sample', arguments: { prompt: 'hi' } });
      expect(JSON.stringify(res.content)).toContain('model says');
      expect(seenIds).toHaveLength(1);
      expect(typeof seenIds[0]).toBe('string');
      expect((seenIds[0] as string).length).toBeGreaterThanOrEqual(16);
    });
  });

  describe('PROTOCOL 34: elicitation mid-call', () => {
    it('relays elicitation/create to a host that declared it and returns its answer', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }), { elicitation: {} });
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { answer: '42' } }));
      const res = await client.callTool({ name: 'elicit', arguments: { message: 'question?' } });
      expect(JSON.stringify(res.content)).toContain('42');
    });
  });

  describe('PROTOCOL 29: host cancellation', () => {
    it('is sent upstream as notifications/cancelled (a disconnect is not a cancellation)', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }));
      const controller = new AbortController();
      const call = client.callTool({ name: 'slow', arguments: { ms: 5000 } }, undefined, { signal: controller.signal }).catch((e: unknown) => e);
      await s.waitForRequest((r) => r.rpcMethods.includes('tools/call'));
      controller.abort('user');
      await call;
      await s.waitForRequest((r) => r.rpcMethods.includes('notifications/cancelled'));
      // the session goes on
      expect((await client.callTool({ name: 'echo', arguments: { text: 'next' } })).content).toEqual([{ type: 'text', text: 'next' }]);
    });
  });

  describe('PROTOCOL 12: request timeout', () => {
    it('answers the host with REQUEST_TIMEOUT and cancels upstream', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile, requestTimeoutMs: 200 }));
      await expect(client.callTool({ name: 'slow', arguments: { ms: 3000 } })).rejects.toMatchObject({ code: DENIAL_CODES.REQUEST_TIMEOUT });
      await s.waitForRequest((r) => r.rpcMethods.includes('notifications/cancelled'));
    });
  });

  describe('a dropped SSE answer stream', () => {
    it('is resumed by the transport; the host just gets its answer', async () => {
      const s = await server({ eventStore: true, retryInterval: 10 });
      const client = await connectHost(bridge(s.url, { lockfile }));
      const res = await client.callTool({ name: 'drop_stream', arguments: { ms: 50 } });
      expect(res.content).toEqual([{ type: 'text', text: 'after drop' }]);
      expect(s.requests.some((r) => r.method === 'GET' && r.lastEventId !== undefined)).toBe(true);
    });
  });

  describe('PROTOCOL 32: list_changed on the GET stream', () => {
    it('reaches the host, and the re-list is still filtered', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }));
      await s.waitForRequest((r) => r.method === 'GET' && r.status === 200);
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      s.addTool('exec_shell');
      await changed;
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).not.toContain('exec_shell');
      expect(tools.sort()).toEqual(Object.keys(lockfile.tools).sort());
      await expect(client.callTool({ name: 'exec_shell', arguments: { command: 'id' } })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
    });
  });

  describe('session expiry (404)', () => {
    it('answers the request that met it with an error, re-initializes, re-runs preflight and serves again', async () => {
      const s = await server();
      const sink = createMemoryAuditSink();
      // The GET stream is not reopened during the test: the call is what meets the 404.
      const run = bridge(s.url, { lockfile, audit: sink, upstream: { reconnectDelayMs: 60_000 } });
      const client = await connectHost(run);
      await client.callTool({ name: 'echo', arguments: { text: 'before' } });
      const listsBefore = s.requests.filter((r) => r.rpcMethods.includes('tools/list')).length;
      s.expireSessions();
      const err = await client.callTool({ name: 'echo', arguments: { text: 'lost' } }).catch((e: unknown) => e);
      expect(errorCode(err)).toBe(DENIAL_CODES.SERVER_UNAVAILABLE);
      expect(String((err as Error).message)).toContain('SESSION_LOST');
      const res = await client.callTool({ name: 'echo', arguments: { text: 'after' } });
      expect(res.content).toEqual([{ type: 'text', text: 'after' }]);
      expect(initializes(s)).toBe(2);
      // preflight listed again on the new session before the call passed
      expect(s.requests.filter((r) => r.rpcMethods.includes('tools/list')).length).toBeGreaterThan(listsBefore);
      expect(run.warnings.some((w) => w.includes('lost the session'))).toBe(true);
      expect(sink.events.some((e) => e.action === 'session' && e.reason?.includes('re-established'))).toBe(true);
      expect(run.bridge.engine.state).toBe('ready');
    });

    it('re-establishes a session whose loss the GET stream found, before the next request', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      const client = await connectHost(run);
      await s.waitForRequest((r) => r.method === 'GET' && r.status === 200);
      s.expireSessions();
      // the reopened GET stream meets the 404; the engine starts a new session on its own
      await s.waitForRequest((r) => r.method === 'GET' && r.status === 404);
      await s.waitForRequest((r) => r.rpcMethods.includes('initialize') && r !== s.requests.find((q) => q.rpcMethods.includes('initialize')));
      const res = await client.callTool({ name: 'echo', arguments: { text: 'seamless' } });
      expect(res.content).toEqual([{ type: 'text', text: 'seamless' }]);
      expect(initializes(s)).toBe(2);
    });

    it('answers a call in flight when the session expires under it', async () => {
      const s = await server();
      const client = await connectHost(bridge(s.url, { lockfile }));
      const slow = client.callTool({ name: 'slow', arguments: { ms: 2000 } }).catch((e: unknown) => e);
      await s.waitForRequest((r) => r.rpcMethods.includes('tools/call'));
      s.expireSessions();
      const err = await slow;
      expect(errorCode(err)).toBe(DENIAL_CODES.SERVER_UNAVAILABLE);
      const res = await client.callTool({ name: 'echo', arguments: { text: 'again' } });
      expect(res.content).toEqual([{ type: 'text', text: 'again' }]);
      expect(initializes(s)).toBe(2);
    });

    it('refuses the new session fail-closed when the server drifted meanwhile', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile, upstream: { reconnectDelayMs: 60_000 } });
      const client = await connectHost(run);
      s.addTool('exec_shell');
      s.expireSessions();
      await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: DENIAL_CODES.SERVER_UNAVAILABLE });
      const exit = await run.bridge.closed;
      expect(exit).toMatchObject({ reason: 'fatal', crashed: true });
      expect(run.fatal).toHaveLength(1);
      expect(run.fatal[0]).toMatchObject({ code: 'PREFLIGHT_DRIFT' });
      expect(run.fatal[0]!.message).toContain('exec_shell');
      expect(run.bridge.engine.state).toBe('closed');
      // the refused session is ended too
      await s.waitForRequest((r) => r.method === 'DELETE');
    });
  });

  describe('PROTOCOL 42: the end of the session', () => {
    it('sends DELETE with the session id on close', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      await connectHost(run);
      const sessionId = s.sessionIds()[0];
      const exit = await run.bridge.close();
      expect(exit).toEqual({ reason: 'closed', crashed: false });
      const del = await s.waitForRequest((r) => r.method === 'DELETE');
      expect(del.sessionId).toBe(sessionId);
    });

    it('still answers what the host wrote before its input ended, then ends the session (as stdio does)', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      const lines = collectLines(run);
      run.hostIn.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'script', version: '1' } } }) + '\n');
      run.hostIn.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
      run.hostIn.end('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{"ms":200}}}\n');
      expect(await run.bridge.closed).toEqual({ reason: 'host-closed', crashed: false });
      const out = await lines;
      expect(out.map((l) => l['id'])).toEqual([1, 2]);
      expect(out[1]).toMatchObject({ result: { content: [{ type: 'text', text: 'slept 200' }] } });
      await s.waitForRequest((r) => r.method === 'DELETE');
    });

    it('answers what is still in flight when the grace after the host input ended runs out', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile, shutdownGraceMs: 100 });
      const lines = collectLines(run);
      run.hostIn.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'script', version: '1' } } }) + '\n');
      run.hostIn.end('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{"ms":5000}}}\n');
      expect((await run.bridge.closed).reason).toBe('host-closed');
      const out = await lines;
      expect(out[1]).toMatchObject({ id: 2, error: { code: DENIAL_CODES.SERVER_UNAVAILABLE } });
    });

    it('ends the upstream session when the host closes its input, and ends the host output', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      await connectHost(run);
      const ended = new Promise<void>((resolve) => run.hostOut.on('end', () => resolve()));
      run.hostOut.resume();
      run.hostIn.end();
      const exit = await run.bridge.closed;
      expect(exit.reason).toBe('host-closed');
      await ended;
      await s.waitForRequest((r) => r.method === 'DELETE');
    });
  });

  describe('newer peers (2026-07-28)', () => {
    it('PROTOCOL 27: answers server/discover with -32601 and never forwards it', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      const answer = await hostRoundTrip(run, '{"jsonrpc":"2.0","id":"d1","method":"server/discover","params":{}}');
      expect(answer).toMatchObject({ jsonrpc: '2.0', id: 'd1', error: { code: -32601 } });
      expect(s.requests.filter((r) => r.method === 'POST')).toEqual([]);
    });

    it('PROTOCOL 14: clamps initialize of protocol 2026-07-28 to the latest supported version', async () => {
      const s = await server();
      const run = bridge(s.url, { lockfile });
      const answer = await hostRoundTrip(
        run,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2026-07-28', capabilities: {}, clientInfo: { name: 'new', version: '1' } } }),
      );
      expect(answer).toMatchObject({ id: 1, result: { protocolVersion: '2025-11-25' } });
      expect(run.bridge.upstream.protocolVersion).toBe('2025-11-25');
    });
  });
});
