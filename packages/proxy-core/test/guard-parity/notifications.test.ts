/**
 * PROTOCOL.md 29–35 through guardTransport: cancellation and progress tokens mapped in
 * both directions, pass-through and known-ID notifications, and server→client requests
 * (sampling, roots, elicitation) relayed under policy or answered -32601 at once.
 */
import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { guardTransport } from '../../src/guard-transport.js';
import { DENIAL_CODES } from '../../src/protocol.js';
import { defaultResult, FakeServerTransport, flush, openGuard, req, testLockfile, until } from './helpers.js';

describe('PROTOCOL 29 (guardTransport): host cancellation', () => {
  it('translates requestId, frees the slot, drops the late response and drops an unknown id', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(8, 'tools/call', { name: 'echo', arguments: {} }));
    const proxyId = s.lastToServer()['id'];
    await s.host({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 8, reason: 'user' } });
    expect(s.lastToServer()).toEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: proxyId, reason: 'user' } });
    expect(s.guard.engine.stats().pending).toBe(0);
    await s.fromServer({ jsonrpc: '2.0', id: proxyId, result: {} });
    expect(s.toHost).toEqual([]);
    await s.host({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999 } });
    expect(s.toServer).toHaveLength(2);
  });
});

describe('PROTOCOL 30 (guardTransport): server cancellation', () => {
  it('passes only for a live server→client request, translated', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18', { capabilities: { roots: {} } });
    await s.fromServer({ jsonrpc: '2.0', id: 3, method: 'roots/list' });
    const hostFacing = s.lastToHost()['id'];
    expect(hostFacing).not.toBe(3);
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    expect(s.toHost).toHaveLength(2);
    expect(s.lastToHost()).toMatchObject({ method: 'notifications/cancelled', params: { requestId: hostFacing } });
  });
});

describe('PROTOCOL 31 (guardTransport): progress tokens', () => {
  it('rewrites the token to a proxy token and maps it back; unknown tokens are dropped', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: {}, _meta: { progressToken: 1 } }));
    const token = s.lastToServer()['params']['_meta']['progressToken'];
    expect(token).not.toBe(1);
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 2 } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } });
    expect(s.toHost).toEqual([{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, total: 2 } }]);
  });

  it('delivers progress to an SDK Client, whose token is its own request id, without that id reaching the server', async () => {
    const server = new FakeServerTransport();
    server.answer = (r) => (r['method'] === 'tools/call' ? undefined : defaultResult(r));
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(guardTransport(server, { lockfile: testLockfile(), preflight: false }));
    try {
      const progress: number[] = [];
      const call = client.callTool({ name: 'echo', arguments: { text: 'x' } }, undefined, { onprogress: (p) => progress.push(p.progress), timeout: 5000 });
      await until(() => server.received.some((m) => m['method'] === 'tools/call'));
      const forwarded = server.received.find((m) => m['method'] === 'tools/call')!;
      // The SDK's token is its integer request id; the server sees a proxy token instead.
      const token = forwarded['params']['_meta']['progressToken'];
      expect(typeof token).toBe('string');
      server.emit({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 2 } });
      // The SDK runs notification handlers a microtask late and forgets the progress
      // handler when the answer arrives (with or without a guard): answer a turn later.
      await flush();
      server.emit({ jsonrpc: '2.0', id: forwarded['id'], result: { content: [] } });
      await call;
      expect(progress).toEqual([1]);
    } finally {
      await client.close();
    }
  });
});

describe('PROTOCOL 32 (guardTransport): pass-through notifications', () => {
  it('passes list_changed and log messages under the size cap', async () => {
    const s = await openGuard({ maxLogMessageBytes: 200 });
    await s.initialize();
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'ok' } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(300) } });
    expect(s.toHost.map((m) => m['method'])).toEqual(['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/message']);
  });

  it('passes the host notifications/roots/list_changed to the server', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18', { capabilities: { roots: { listChanged: true } } });
    await s.host({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    expect(s.toServer).toEqual([{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]);
  });
});

describe('PROTOCOL 33 (guardTransport): notifications for known IDs only', () => {
  it('passes elicitation/complete and tasks/status only for IDs the session saw', async () => {
    const s = await openGuard();
    await s.initialize('2025-11-25', { capabilities: { elicitation: {} } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: 'e1' } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { taskId: 't1', status: 'working' } });
    expect(s.toHost).toEqual([]);
    await s.fromServer({ jsonrpc: '2.0', id: 1, method: 'elicitation/create', params: { mode: 'url', elicitationId: 'e1', url: 'https://x', message: 'm' } });
    await s.fromServer({ jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: 'e1' } });
    expect(s.toHost.map((m) => m['method'])).toEqual(['elicitation/create', 'notifications/elicitation/complete']);
  });
});

describe('PROTOCOL 34 (guardTransport): server→client requests', () => {
  it('relays sampling with a translated id and routes the host answer back once', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18', { capabilities: { sampling: {} } });
    await s.fromServer({ jsonrpc: '2.0', id: 11, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
    const relayed = s.lastToHost();
    expect(relayed['id']).not.toBe(11);
    await s.host({ jsonrpc: '2.0', id: relayed['id'], result: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' } });
    expect(s.lastToServer()).toMatchObject({ id: 11, result: { model: 'm' } });
    await s.host({ jsonrpc: '2.0', id: relayed['id'], result: {} });
    expect(s.toServer).toHaveLength(1);
  });

  it('relays sampling to an SDK Client request handler and returns its answer to the server', async () => {
    const server = new FakeServerTransport();
    server.answer = defaultResult;
    const client = new Client({ name: 'agent', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' }));
    await client.connect(guardTransport(server, { lockfile: testLockfile(), preflight: false }));
    server.emit({ jsonrpc: '2.0', id: 'srv-11', method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
    await until(() => server.received.some((m) => m['id'] === 'srv-11'));
    expect(server.received.find((m) => m['id'] === 'srv-11')).toMatchObject({ result: { model: 'm', content: { text: 'hi' } } });
    await client.close();
  });

  it.each(['sampling/createMessage', 'roots/list', 'elicitation/create', 'tasks/get'])('answers %s with -32601 at once without the capability', async (method) => {
    const s = await openGuard();
    await s.initialize('2025-11-25');
    await s.fromServer({ jsonrpc: '2.0', id: 5, method, params: {} });
    expect(s.toHost).toEqual([]);
    expect(s.lastToServer()).toMatchObject({ id: 5, error: { code: -32601 } });
  });

  it.each([
    ['denySampling', 'sampling', 'sampling/createMessage'],
    ['denyRoots', 'roots', 'roots/list'],
    ['denyElicitation', 'elicitation', 'elicitation/create'],
  ] as const)('%s answers %s requests -32601 even when the host declared it, and strips the capability', async (flag, cap, method) => {
    const s = await openGuard({ [flag]: true });
    await s.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: { [cap]: {} } }));
    expect(s.lastToServer()['params']['capabilities']).toEqual({});
    await s.fromServer({ jsonrpc: '2.0', id: s.lastToServer()['id'], result: defaultResult(s.lastToServer()) });
    await s.nextToHost((m) => m['id'] === 0);
    s.clear();
    await s.fromServer({ jsonrpc: '2.0', id: 5, method, params: { messages: [], maxTokens: 5, message: 'm', requestedSchema: { type: 'object', properties: {} } } });
    expect(s.toHost).toEqual([]);
    expect(s.lastToServer()).toMatchObject({ id: 5, error: { code: -32601 } });
  });
});

describe('PROTOCOL 35 (guardTransport): sampling knobs', () => {
  it('strips includeContext and server-supplied tools by default', async () => {
    const s = await openGuard();
    await s.initialize('2025-11-25', { capabilities: { sampling: {} } });
    await s.fromServer({
      jsonrpc: '2.0',
      id: 1,
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 5, includeContext: 'allServers', tools: [{ name: 't' }], toolChoice: { mode: 'auto' } },
    });
    const p = s.lastToHost()['params'];
    expect(p['includeContext']).toBe('none');
    expect(p).not.toHaveProperty('tools');
    expect(p).not.toHaveProperty('toolChoice');
  });

  it('samplingContext deny answers the server with a policy error and relays nothing', async () => {
    const s = await openGuard({ samplingContext: 'deny' });
    await s.initialize('2025-11-25', { capabilities: { sampling: {} } });
    await s.fromServer({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5, includeContext: 'thisServer' } });
    await flush();
    expect(s.toHost).toEqual([]);
    expect(s.lastToServer()['error']['code']).toBe(DENIAL_CODES.POLICY_DENIED);
  });
});
