/**
 * The engine re-establishes a session a remote upstream lost (`serverSessionLost`):
 * nothing stays pending, host requests wait, the host's initialize is sent again under
 * a fresh proxy ID, preflight runs again, and drift refuses the new session fail-closed.
 * Also the answers to newer (2026-07-28) peers (PROTOCOL 14, 27).
 */
import { describe, expect, it } from '@jest/globals';
import { DENIAL_CODES } from '../src/protocol.js';
import { answerPreflight, createHarness, req, SURFACE, type Harness } from './helpers/engine-harness.js';

const SERVER_RESULT = {
  protocolVersion: '2025-06-18',
  capabilities: { tools: {}, prompts: {}, resources: {} },
  serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' },
};

/** Answers the engine's own initialize of a re-established session. */
function answerInitialize(h: Harness, result: Record<string, unknown> = SERVER_RESULT): Record<string, unknown> {
  const init = h.toServer.find((m) => m['method'] === 'initialize');
  if (init === undefined) throw new Error('no initialize was sent');
  h.server({ jsonrpc: '2.0', id: init['id'], result });
  return init;
}

describe('session lost by the upstream (serverSessionLost)', () => {
  it('re-initializes with the host initialize under a fresh proxy id, re-runs preflight, then replays queued requests', async () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.host(req(5, 'tools/call', { name: 'echo', arguments: { text: 'a' } }));
    const first = h.lastToServer();
    h.clear();
    h.engine.serverSessionLost('upstream SESSION_LOST: 404');
    // the request in flight is answered, nothing stays pending
    expect(h.toHost).toEqual([expect.objectContaining({ id: 5, error: expect.objectContaining({ code: DENIAL_CODES.SERVER_UNAVAILABLE }) })]);
    expect(h.engine.stats().pending).toBe(1); // only the engine's own initialize
    const init = h.lastToServer();
    expect(init).toMatchObject({ method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    expect(init['id']).not.toBe(0);
    expect(init['id']).not.toBe(first['id']);
    expect(h.engine.state).toBe('initializing');
    // host requests wait, pings too (the new session must start with initialize)
    h.host(req(6, 'tools/call', { name: 'echo', arguments: { text: 'b' } }));
    h.host(req(7, 'ping'));
    expect(h.toServer).toHaveLength(1);
    answerInitialize(h);
    expect(h.toServer.map((m) => m['method'])).toEqual(expect.arrayContaining(['notifications/initialized', 'tools/list', 'prompts/list']));
    expect(h.engine.state).toBe('preflight');
    answerPreflight(h);
    await h.settle();
    expect(h.engine.state).toBe('ready');
    // the host never sees a second initialize answer; its queued requests go out in order
    expect(h.toHost.filter((m) => m['id'] === 0)).toEqual([]);
    const forwarded = h.toServer.filter((m) => m['method'] === 'tools/call' || m['method'] === 'ping');
    expect(forwarded.map((m) => m['method'])).toEqual(['tools/call', 'ping']);
    expect(forwarded[0]!['params']).toMatchObject({ arguments: { text: 'b' } });
    h.server({ jsonrpc: '2.0', id: forwarded[0]!['id'], result: { content: [] } });
    expect(h.lastToHost()).toEqual({ jsonrpc: '2.0', id: 6, result: { content: [] } });
    expect(h.sink.events.some((e) => e.action === 'session' && e.reason?.includes('re-established'))).toBe(true);
  });

  it('refuses the new session fail-closed when re-preflight finds a new tool', async () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(8, 'tools/list'));
    answerInitialize(h);
    answerPreflight(h, { ...SURFACE, tools: [...SURFACE.tools, { name: 'exec_shell', description: 'Runs a shell command.', inputSchema: { type: 'object' } }] });
    await h.settle();
    expect(h.engine.state).toBe('refused');
    expect(h.fatal).toHaveLength(1);
    expect(h.fatal[0]).toMatchObject({ code: 'PREFLIGHT_DRIFT' });
    expect(h.fatal[0]!.message).toContain('exec_shell');
    expect(h.lastToHost()).toMatchObject({ id: 8, error: { code: DENIAL_CODES.SESSION_REFUSED } });
    expect(h.toServer.some((m) => m['method'] === 'tools/list' && m['id'] === 8)).toBe(false);
  });

  it('goes fatal when the server answers the new initialize with another protocol version', () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(9, 'prompts/list'));
    answerInitialize(h, { ...SERVER_RESULT, protocolVersion: '2025-03-26' });
    expect(h.engine.state).toBe('refused');
    expect(h.fatal[0]).toMatchObject({ code: 'UNSUPPORTED_PROTOCOL_VERSION' });
    expect(h.lastToHost()).toMatchObject({ id: 9, error: { code: DENIAL_CODES.SESSION_REFUSED } });
  });

  it('goes fatal when the new initialize fails', () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.engine.serverSessionLost('gone');
    const init = h.lastToServer();
    h.server({ jsonrpc: '2.0', id: init['id'], error: { code: -32061, message: 'upstream HTTP_STATUS: 500' } });
    expect(h.engine.state).toBe('refused');
    expect(h.fatal[0]).toMatchObject({ code: 'SERVER_CLOSED' });
    expect(h.fatal[0]!.message).toContain('upstream HTTP_STATUS: 500');
  });

  it('fails closed when the session is lost again while it is re-established', () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.engine.serverSessionLost('gone');
    answerInitialize(h);
    h.host(req(10, 'tools/list'));
    h.engine.serverSessionLost('gone again');
    expect(h.engine.state).toBe('refused');
    expect(h.engine.stats().pending).toBe(0);
    expect(h.fatal[0]).toMatchObject({ code: 'SERVER_CLOSED' });
    expect(h.lastToHost()).toMatchObject({ id: 10, error: { code: DENIAL_CODES.SESSION_REFUSED } });
  });

  it('forgets a queued request the host cancels while the session is re-established', () => {
    const h = createHarness({ preflight: false });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(13, 'tools/call', { name: 'echo', arguments: { text: 'never' } }));
    h.host(req(14, 'tools/call', { name: 'echo', arguments: { text: 'kept' } }));
    h.host({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 13, reason: 'user' } });
    answerInitialize(h);
    const calls = h.toServer.filter((m) => m['method'] === 'tools/call');
    expect(calls.map((m) => m['params']['arguments']['text'])).toEqual(['kept']);
    expect(h.toServer.some((m) => m['method'] === 'notifications/cancelled')).toBe(false);
    expect(h.toHost.some((m) => m['id'] === 13)).toBe(false);
  });

  it('re-initializes without preflight too', () => {
    const h = createHarness({ preflight: false });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(11, 'tools/call', { name: 'echo', arguments: { text: 'c' } }));
    answerInitialize(h);
    expect(h.engine.state).toBe('ready');
    expect(h.toServer.map((m) => m['method'])).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
  });

  it('times out a new initialize the server never answers and ends the session', async () => {
    const h = createHarness({ preflight: true, startupTimeoutMs: 20 });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(12, 'tools/list'));
    for (let i = 0; i < 200 && h.fatal.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(h.engine.state).toBe('refused');
    expect(h.lastToHost()).toMatchObject({ id: 12, error: { code: DENIAL_CODES.SESSION_REFUSED } });
    h.engine.close();
  });

  it('cancels relayed server requests toward the host; a late host answer is dropped', () => {
    const h = createHarness({ preflight: false });
    h.initialize('2025-06-18', { capabilities: { sampling: {} } });
    h.server({ jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
    const relayed = h.lastToHost();
    h.engine.serverSessionLost('gone');
    expect(h.toHost).toContainEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: relayed['id'], reason: 'the upstream session was lost' } });
    expect(h.engine.stats().serverRequests).toBe(0);
    // the host's late answer is dropped, not sent into the new session
    h.clear();
    h.host({ jsonrpc: '2.0', id: relayed['id'], result: { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' } });
    expect(h.toServer).toEqual([]);
    h.engine.close();
  });

  it('answers a host initialize that was still in flight and accepts a new one', () => {
    const h = createHarness({ preflight: true });
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    h.host(req(1, 'tools/list'));
    h.engine.serverSessionLost('gone');
    expect(h.toHost).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 0, error: expect.objectContaining({ code: DENIAL_CODES.SERVER_UNAVAILABLE }) }),
        expect.objectContaining({ id: 1, error: expect.objectContaining({ code: DENIAL_CODES.METHOD_NOT_ALLOWED }) }),
      ]),
    );
    expect(h.engine.state).toBe('awaiting-initialize');
    h.clear();
    h.initialize();
    expect(h.engine.state).toBe('ready');
  });

  it('refuses a session whose start-up preflight was cut by the loss', () => {
    const h = createHarness({ preflight: true });
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: SERVER_RESULT });
    expect(h.engine.state).toBe('preflight');
    h.engine.serverSessionLost('gone');
    expect(h.engine.state).toBe('refused');
    expect(h.lastToHost()).toMatchObject({ id: 0, error: { code: DENIAL_CODES.SESSION_REFUSED } });
    expect(h.fatal[0]).toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });
});

describe('PROTOCOL 43: the server gone while the session is established', () => {
  it('answers the host initialize when the server closes during preflight', () => {
    const h = createHarness({ preflight: true });
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    h.host(req(1, 'tools/list'));
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: SERVER_RESULT });
    h.engine.serverClosed('the server exited');
    expect(h.toHost).toEqual([
      expect.objectContaining({ id: 0, error: expect.objectContaining({ code: DENIAL_CODES.SESSION_REFUSED }) }),
      expect.objectContaining({ id: 1, error: expect.objectContaining({ code: DENIAL_CODES.SESSION_REFUSED }) }),
    ]);
    expect(h.fatal[0]).toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });

  it('answers requests queued behind an initialize the server never answered', () => {
    const h = createHarness({ preflight: true });
    h.host(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    h.host(req(1, 'tools/list'));
    h.engine.serverClosed('the server exited');
    expect(h.toHost).toEqual([
      expect.objectContaining({ id: 0, error: expect.objectContaining({ code: DENIAL_CODES.SERVER_UNAVAILABLE }) }),
      expect.objectContaining({ id: 1, error: expect.objectContaining({ code: DENIAL_CODES.SESSION_REFUSED }) }),
    ]);
    expect(h.engine.state).toBe('refused');
  });

  it('answers requests queued during a re-establishment and ends the session', () => {
    const h = createHarness({ preflight: true });
    h.initialize();
    h.engine.serverSessionLost('gone');
    h.host(req(2, 'tools/list'));
    h.engine.serverClosed('the upstream connection closed');
    expect(h.lastToHost()).toMatchObject({ id: 2, error: { code: DENIAL_CODES.SESSION_REFUSED } });
    expect(h.fatal[0]).toMatchObject({ code: 'SERVER_CLOSED' });
    expect(h.engine.stats().pending).toBe(0);
  });
});

describe('newer peers (2026-07-28)', () => {
  it('PROTOCOL 27: answers server/discover with -32601 before initialize, never forwarding it', () => {
    const h = createHarness();
    h.host(req(1, 'server/discover'));
    expect(h.toServer).toEqual([]);
    expect(h.lastToHost()).toMatchObject({ id: 1, error: { code: -32601 } });
  });

  it('PROTOCOL 27: answers server/discover with -32601 in a ready session, in every mode', () => {
    const h = createHarness({ mode: 'audit-only' });
    h.initialize();
    h.host(req('d', 'server/discover', {}));
    expect(h.toServer).toEqual([]);
    expect(h.lastToHost()).toMatchObject({ id: 'd', error: { code: -32601 } });
  });

  it('PROTOCOL 14: clamps initialize of protocol 2026-07-28 (and any newer date) to the latest supported version', () => {
    for (const v of ['2026-07-28', '2027-01-01']) {
      const h = createHarness();
      h.host(req(1, 'initialize', { protocolVersion: v, capabilities: {}, clientInfo: { name: 't', version: '1' } }));
      expect(h.lastToServer()['params']['protocolVersion']).toBe('2025-11-25');
    }
  });
});
