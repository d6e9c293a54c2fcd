/**
 * PROTOCOL.md 4–13 through guardTransport: what an SDK transport can still hand over
 * (non-objects, arrays, bad envelopes and IDs), and ID translation in both directions.
 * Items 1–3 (line framing) do not apply: the SDK transport frames and parses messages.
 */
import { describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../../src/protocol.js';
import { openGuard, req, until } from './helpers.js';

describe('PROTOCOL 4 (guardTransport): junk from the server never ends the session', () => {
  it('drops and audits a non-message value from the inner transport and still relays the answer', async () => {
    const s = await openGuard();
    await s.host(req(1, 'ping'));
    const id = s.lastToServer()['id'];
    for (const junk of ['Listening on stdio...', 42, null, [], { jsonrpc: '2.0' }]) await s.fromServer(junk);
    expect(s.toHost).toEqual([]);
    expect(s.sink.events.filter((e) => e.action === 'dropped' && e.direction === 'server_to_host').length).toBeGreaterThanOrEqual(4);
    await s.fromServer({ jsonrpc: '2.0', id, result: {} });
    expect(s.toHost).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('drops a server value that cannot be serialized (a BigInt) without an exception', async () => {
    const s = await openGuard();
    await s.host(req(1, 'ping'));
    const id = s.lastToServer()['id'];
    await s.fromServer({ jsonrpc: '2.0', id, result: { n: 1n } });
    expect(s.toHost).toEqual([]);
    expect(s.guard.engine.stats().pending).toBe(1);
    await s.fromServer({ jsonrpc: '2.0', id, result: {} });
    expect(s.lastToHost()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });
});

describe('PROTOCOL 5 (guardTransport): arrays handed to send', () => {
  it('refuses an array outside 2025-03-26 with one -32600 and forwards nothing', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18');
    await s.host([req(1, 'ping'), req(2, 'ping')]);
    expect(s.toServer).toEqual([]);
    expect(s.toHost).toHaveLength(1);
    expect(s.lastToHost()['error']['code']).toBe(-32600);
  });

  it('splits an array under 2025-03-26, enforces each element and never forwards the array', async () => {
    const s = await openGuard();
    await s.initialize('2025-03-26');
    await s.host([req(1, 'ping'), req(2, 'tools/call', { name: 'exec_shell' }), req(3, 'initialize', { protocolVersion: '2025-03-26' })]);
    expect(s.toServer.map((m) => [Array.isArray(m), m['method']])).toEqual([[false, 'ping']]);
    expect(s.toHost.map((m) => [m['id'], m['error']['code']])).toEqual([
      [2, DENIAL_CODES.TOOL_NOT_ALLOWED],
      [3, -32600],
    ]);
  });

  it('refuses [] with -32600', async () => {
    const s = await openGuard();
    await s.initialize('2025-03-26');
    await s.host([]);
    expect(s.lastToHost()['error']['code']).toBe(-32600);
  });

  it('drops an array from the server outside 2025-03-26', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18');
    await s.host(req(1, 'ping'));
    await s.fromServer([{ jsonrpc: '2.0', id: s.lastToServer()['id'], result: {} }]);
    expect(s.toHost).toEqual([]);
  });
});

describe('PROTOCOL 6 (guardTransport): envelope', () => {
  it.each([
    ['wrong jsonrpc', { jsonrpc: '1.0', id: 1, method: 'ping' }],
    ['method and result', { jsonrpc: '2.0', id: 1, method: 'ping', result: {} }],
    ['neither method nor result', { jsonrpc: '2.0', id: 1 }],
    ['non-string method', { jsonrpc: '2.0', id: 1, method: 5 }],
    ['params not an object', { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] }],
  ])('refuses %s with -32600', async (_n, msg) => {
    const s = await openGuard();
    await s.initialize();
    await s.host(msg);
    expect(s.toServer).toEqual([]);
    expect(s.lastToHost()['error']['code']).toBe(-32600);
  });
});

describe('PROTOCOL 7 (guardTransport): host IDs', () => {
  it.each([
    ['null', null],
    ['a fraction', 1.5],
    ['a boolean', true],
    ['an object', {}],
    ['an array', [1]],
    ['a string over 256 bytes', 'x'.repeat(257)],
  ])('refuses %s with -32600 and forwards nothing', async (_n, id) => {
    const s = await openGuard();
    await s.host(req(id, 'ping'));
    expect(s.toServer).toEqual([]);
    expect(s.lastToHost()['error']['code']).toBe(-32600);
  });
});

describe('PROTOCOL 8 (guardTransport): host IDs are echoed exactly and never reach the server', () => {
  it.each([
    ['a string with quotes and U+2028', 'a"b\u2028'],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
    ['a negative integer', -7],
    ['zero', 0],
  ])('echoes %s unchanged', async (_n, id) => {
    const s = await openGuard();
    await s.host(req(id, 'ping'));
    const proxyId = s.lastToServer()['id'];
    expect(typeof proxyId).toBe('string');
    expect(proxyId).not.toBe(String(id));
    await s.fromServer({ jsonrpc: '2.0', id: proxyId, result: {} });
    expect(s.lastToHost()).toEqual({ jsonrpc: '2.0', id, result: {} });
  });
});

describe('PROTOCOL 9 (guardTransport): duplicate in-flight host IDs', () => {
  it('refuses a second concurrent id:5 with -32600 and accepts it again once answered', async () => {
    const s = await openGuard();
    await s.host(req(5, 'ping'));
    await s.host(req(5, 'ping'));
    expect(s.toServer).toHaveLength(1);
    expect(s.lastToHost()).toMatchObject({ id: 5, error: { code: -32600 } });
    await s.fromServer({ jsonrpc: '2.0', id: s.lastToServer()['id'], result: {} });
    await s.host(req(5, 'ping'));
    expect(s.toServer).toHaveLength(2);
  });
});

describe('PROTOCOL 10 (guardTransport): one ID space per direction', () => {
  it('drops a host response to an unknown server request without registering it', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host({ jsonrpc: '2.0', id: 77, result: {} });
    expect(s.toServer).toEqual([]);
    expect(s.guard.engine.stats().pending).toBe(0);
    expect(s.sink.events.some((e) => e.action === 'dropped')).toBe(true);
  });
});

describe('PROTOCOL 11 (guardTransport): server responses must match a pending entry once', () => {
  it('drops unknown, host-id, duplicate, wrong-type and both/neither responses and audits each', async () => {
    const s = await openGuard();
    await s.initialize();
    await s.host(req(1, 'ping'));
    const id = s.lastToServer()['id'];
    await s.fromServer({ jsonrpc: '2.0', id: 'unknown-id-xxxxxxxx', result: {} });
    await s.fromServer({ jsonrpc: '2.0', id: 1, result: {} });
    await s.fromServer({ jsonrpc: '2.0', id, result: {}, error: { code: 1, message: 'x' } });
    await s.fromServer({ jsonrpc: '2.0', id });
    expect(s.toHost).toEqual([]);
    await s.fromServer({ jsonrpc: '2.0', id, result: {} });
    await s.fromServer({ jsonrpc: '2.0', id, result: {} });
    expect(s.toHost).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(s.sink.events.filter((e) => e.action === 'dropped')).toHaveLength(5);
  });

  it('never lets a server id reach the host: responses carry the host id, server requests a fresh one', async () => {
    const s = await openGuard();
    await s.initialize('2025-06-18', { capabilities: { roots: {} } });
    await s.host(req('h-1', 'tools/call', { name: 'echo', arguments: {} }));
    const proxyId = s.lastToServer()['id'];
    await s.fromServer({ jsonrpc: '2.0', id: 'srv-9', method: 'roots/list' });
    await s.fromServer({ jsonrpc: '2.0', id: proxyId, result: { content: [] } });
    const text = JSON.stringify(s.toHost);
    expect(text).not.toContain(proxyId);
    expect(text).not.toContain('srv-9');
    expect(s.toHost.map((m) => m['id'])).toContain('h-1');
  });
});

describe('PROTOCOL 12 (guardTransport): timeouts', () => {
  it('answers an unanswered request exactly once, cancels it upstream and drops the late answer', async () => {
    const s = await openGuard({ requestTimeoutMs: 30 });
    await s.initialize();
    await s.host(req(1, 'tools/call', { name: 'echo', arguments: {} }));
    const proxyId = s.lastToServer()['id'];
    const answer = await s.nextToHost((m) => m['id'] === 1);
    expect(answer['error']['code']).toBe(DENIAL_CODES.REQUEST_TIMEOUT);
    await until(() => s.toServer.some((m) => m['method'] === 'notifications/cancelled'));
    expect(s.toServer.find((m) => m['method'] === 'notifications/cancelled')!['params']['requestId']).toBe(proxyId);
    await s.fromServer({ jsonrpc: '2.0', id: proxyId, result: {} });
    expect(s.toHost.filter((m) => m['id'] === 1)).toHaveLength(1);
    expect(s.guard.engine.stats().pending).toBe(0);
    await s.host(req(1, 'ping'));
    expect(s.lastToServer()['method']).toBe('ping');
    await s.guard.close();
  });
});

describe('PROTOCOL 13 (guardTransport): CSPRNG failure', () => {
  it('denies the request when ID generation fails', async () => {
    const s = await openGuard({
      randomId: () => {
        throw new Error('no entropy');
      },
    });
    await s.host(req(1, 'ping'));
    expect(s.toServer).toEqual([]);
    expect(s.lastToHost()).toMatchObject({ id: 1, error: { code: DENIAL_CODES.INTERNAL_FAILURE } });
  });
});
