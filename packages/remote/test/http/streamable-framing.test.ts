// The pure parts of the Streamable HTTP client: what the owner may send, how server bodies
// become messages, which header values are echoed, how a session ID is shown.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RemoteError } from '../../src/errors.js';
import { isValidSessionId, mediaTypeOf, normalizeStaticHeaders, sendsVersionHeader, sessionLabelOf } from '../../src/http/headers.js';
import { classifyOutgoing, errorMessageOf, idKey, parseIncoming, responseIdOf, serverRequestIdOf } from '../../src/http/messages.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof RemoteError ? error.code : `not a RemoteError: ${String(error)}`;
  }
  return undefined;
}

describe('classifyOutgoing', () => {
  it('tells requests, notifications and responses apart and reads the requested version', () => {
    const init = classifyOutgoing('{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2025-06-18"}}');
    expect(init).toMatchObject({ kind: 'request', id: 'a', method: 'initialize', requestedVersion: '2025-06-18' });
    expect(classifyOutgoing('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}').kind).toBe('notification');
    expect(classifyOutgoing('{"jsonrpc":"2.0","id":3,"result":{}}')).toMatchObject({ kind: 'response', id: undefined });
  });

  it.each([
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'],
    ['an empty batch', '[]'],
    ['text that is not JSON', '{"jsonrpc":'],
    ['a JSON string', '"ping"'],
    ['null', 'null'],
    ['a request with an object id', '{"jsonrpc":"2.0","id":{},"method":"ping"}'],
  ])('refuses %s with INVALID_OPTIONS', (_what, text) => {
    expect(codeOf(() => classifyOutgoing(text))).toBe('INVALID_OPTIONS');
  });
});

describe('parseIncoming', () => {
  it('accepts one object and keeps its text', () => {
    const [message] = parseIncoming(' {"jsonrpc":"2.0","id":1,"result":{}}\n', false);
    expect(message?.text).toBe('{"jsonrpc":"2.0","id":1,"result":{}}');
  });

  it('splits a batch only where batches are allowed', () => {
    const batch = '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","method":"notifications/message"}]';
    expect(parseIncoming(batch, true).map((m) => JSON.parse(m.text) as unknown)).toEqual(JSON.parse(batch));
    expect(codeOf(() => parseIncoming(batch, false))).toBe('PROTOCOL_ERROR');
  });

  it.each([['not JSON', '<html>'], ['a number', '42'], ['an empty batch', '[]'], ['a batch of strings', '["a"]'], ['null', 'null']])(
    'refuses %s with PROTOCOL_ERROR',
    (_what, data) => {
      expect(codeOf(() => parseIncoming(data, true))).toBe('PROTOCOL_ERROR');
    },
  );

  it('keeps a __proto__ member as data', () => {
    const [message] = parseIncoming('{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"polluted":true}}}', false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(message!.value['result'] as object)).toEqual(['__proto__']);
  });

  it('finds response and server-request ids', () => {
    expect(responseIdOf({ id: 1, result: {} })).toBe(1);
    expect(responseIdOf({ id: 1, method: 'roots/list' })).toBeUndefined();
    expect(serverRequestIdOf({ id: 'x', method: 'roots/list' })).toBe('x');
    expect(serverRequestIdOf({ method: 'notifications/message' })).toBeUndefined();
    expect(idKey(1)).not.toBe(idKey('1'));
  });

  it('reads a JSON-RPC error message without control characters', () => {
    expect(errorMessageOf('{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"bad\\nthing"}}')).toBe('bad thing');
    expect(errorMessageOf('<html>')).toBeUndefined();
  });
});

describe('session ids', () => {
  it('echoes only visible ASCII 0x21–0x7E', () => {
    expect(isValidSessionId('abc-123_XYZ~!')).toBe(true);
    for (const bad of ['', 'a b', 'a\tb', 'a\r\nX-Evil: 1', 'é', 'a\x7f']) expect(isValidSessionId(bad)).toBe(false);
  });

  it('shows at most the first 4 characters of a session id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 5, maxLength: 200 }), (id) => {
        const label = sessionLabelOf(id)!;
        expect(label).toBe(`${id.slice(0, 4)}…(${id.length} chars)`);
        expect(label.includes(id)).toBe(false);
      }),
    );
    expect(sessionLabelOf(undefined)).toBeUndefined();
  });
});

describe('headers', () => {
  it('compares the media-type essence only', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeOf(['text/event-stream', 'text/html'])).toBe('text/event-stream');
    expect(mediaTypeOf(undefined)).toBeUndefined();
    expect(mediaTypeOf('')).toBeUndefined();
  });

  it('sends MCP-Protocol-Version from 2025-06-18 on', () => {
    expect(sendsVersionHeader('2025-03-26')).toBe(false);
    expect(sendsVersionHeader('2025-06-18')).toBe(true);
    expect(sendsVersionHeader('2025-11-25')).toBe(true);
    expect(sendsVersionHeader(undefined)).toBe(false);
  });

  it('lower-cases static headers and refuses names the transport controls, malformed names and values', () => {
    expect(normalizeStaticHeaders({ Authorization: 'Bearer x', 'X-Tenant': 'a' })).toEqual({ authorization: 'Bearer x', 'x-tenant': 'a' });
    for (const headers of <Array<Record<string, string>>>[
      { 'Mcp-Session-Id': 'x' },
      { 'MCP-Protocol-Version': '2025-06-18' },
      { Accept: '*/*' },
      { 'Content-Type': 'text/plain' },
      { 'Last-Event-ID': '1' },
      { Host: 'evil.example' },
      { 'Content-Length': '1' },
      { 'bad name': 'x' },
      { 'X-Ok': 'line\r\nX-Evil: 1' },
      { 'X-A': 'a', 'x-a': 'b' },
    ]) {
      expect(codeOf(() => normalizeStaticHeaders(headers))).toBe('INVALID_OPTIONS');
    }
  });

  it('never puts a header value in its error message', () => {
    try {
      normalizeStaticHeaders({ Authorization: 'Bearer secret-token\n' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-token');
      return;
    }
    throw new Error('expected a throw');
  });
});
