/**
 * Counterexamples the engine fuzzer (test/fuzz/) found, shrunk and kept as plain tests.
 * Each names the invariant it broke.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { createHarness, req } from '../helpers/engine-harness.js';

const init = (id: unknown = 'init', version = '2025-06-18') => req(id, 'initialize', { protocolVersion: version, capabilities: {}, clientInfo: { name: 'h', version: '1' } });

describe('regression: requests queued during start-up', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('when the server never answers initialize', () => {
    it('answers the requests that waited for the session once initialize times out', () => {
      // Fuzz counterexample: [hostInit, hostReq(tools/list, id 0)] → id 0 never answered.
      const h = createHarness({ startupTimeoutMs: 500 });
      h.host(init());
      h.host(req(0, 'tools/list'));
      expect(h.toHost).toEqual([]);
      jest.advanceTimersByTime(2000);
      expect(h.toHost.map((m) => m['id'])).toEqual(['init', 0]);
      expect(h.toHost[1]).toMatchObject({ error: { data: { code: 'SESSION_REFUSED' } } });
      h.engine.close();
    });
  });

  describe('when the server answers initialize with a version the proxy does not implement', () => {
    it('refuses the requests that waited for the session', () => {
      const h = createHarness();
      h.host(init());
      h.host(req(7, 'tools/list'));
      h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { protocolVersion: '2099-01-01', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
      expect(h.toHost.map((m) => m['id'])).toEqual(['init', 7]);
      expect(h.toHost[1]).toMatchObject({ error: { data: { code: 'SESSION_REFUSED' } } });
    });
  });
});

describe('regression: answers the host could not read', () => {
  const answered = (serverLine: (id: string) => string) => {
    const h = createHarness();
    h.initialize();
    h.host(req('a', 'tools/call', { name: 'echo', arguments: { text: 'x' } }));
    h.server(serverLine(h.lastToServer()['id']));
    expect(h.rawToHost).toHaveLength(1);
    const msg = h.toHost[0]!;
    expect(JSONRPCMessageSchema.safeParse(msg).success).toBe(true);
    return msg;
  };

  it('turns a server error that is not an error object into a well-formed error', () => {
    // Fuzz counterexample: the server answered {"error":"boom"}; the host got it verbatim.
    const msg = answered((id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":"boom"}`);
    expect(msg).toEqual({ jsonrpc: '2.0', id: 'a', error: { code: -32603, message: 'MCPTRUST_ERROR: the server sent a malformed answer' } });
  });

  it('turns a server error whose code is not a safe integer into a well-formed error', () => {
    // Mutation fuzz counterexample: "code":9007199254740992 in a recorded server-filesystem answer.
    const msg = answered((id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":9007199254740992,"message":"Method not found"}}`);
    expect(msg).toMatchObject({ id: 'a', error: { code: -32603 } });
  });

  it('turns a result that is not an object into a well-formed error', () => {
    const msg = answered((id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":5}`);
    expect(msg).toMatchObject({ id: 'a', error: { code: -32603 } });
  });

  it('forwards an answer without members beyond jsonrpc, id and result', () => {
    const msg = answered((id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[]},"extra":{"id":1}}`);
    expect(msg).toEqual({ jsonrpc: '2.0', id: 'a', result: { content: [] } });
  });

  it('relays a server notification without members beyond jsonrpc, method and params', () => {
    const h = createHarness();
    h.initialize();
    h.server('{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{},"id2":1}');
    expect(h.rawToHost).toEqual(['{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{}}']);
  });
});

describe('regression: the initialize re-sent when the upstream lost the session', () => {
  it('does not carry the progress token of the host', () => {
    // Fuzz counterexample: [hostReq(initialize, progressToken "tok-a"), serverAnswer, sessionLost]
    // → the re-sent initialize carried "tok-a" to the server.
    const h = createHarness();
    h.host(req('1', 'initialize', { _meta: { progressToken: 'tok-a', other: 1 }, protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } }));
    expect(h.lastToServer()['params']['_meta']['progressToken']).not.toBe('tok-a');
    h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
    h.host({ jsonrpc: '2.0', method: 'notifications/initialized' });
    h.clear();
    h.engine.serverSessionLost('404');
    const again = h.lastToServer();
    expect(again['method']).toBe('initialize');
    expect(h.rawToServer.join('\n')).not.toContain('tok-a');
    expect(again['params']['_meta']).toEqual({ other: 1 });
  });
});
