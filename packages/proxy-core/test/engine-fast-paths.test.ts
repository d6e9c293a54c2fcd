// The engine's fast paths: the list page cache (a repeated, byte-identical page is
// answered without being parsed or re-hashed, never with a verdict the current session
// state contradicts) and byte output (answers and large requests written from bytes).
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { createProxyEngine } from '../src/engine.js';
import { DENIAL_CODES } from '../src/protocol.js';
import { createHarness, req, SURFACE, testLockfile, type Harness } from './helpers/engine-harness.js';

const EXEC = { name: 'exec_shell', description: 'Run a command.', inputSchema: { type: 'object' } };

/** Sends a list request and returns the proxy id the engine used for it. */
function ask(h: Harness, method: string, hostId: number): string {
  h.host(req(hostId, method));
  return h.lastToServer()['id'] as string;
}

/** The server's answer as a line, with the id written exactly as the server writes it. */
function page(idToken: string, result: unknown): string {
  return '{"jsonrpc":"2.0","id":' + idToken + ',"result":' + JSON.stringify(result) + '}';
}

/** Counts the JSON.parse calls the engine makes while it handles one server line. */
function parsesWhile(h: Harness, line: string): number {
  const spy = jest.spyOn(JSON, 'parse');
  try {
    h.engine.receiveFromServer(line);
    // The harness parses what reaches the host once; everything else is the engine.
    return spy.mock.calls.length - (h.rawToHost.length > 0 ? 1 : 0);
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('list page cache', () => {
  describe('when the server repeats a page byte for byte', () => {
    it('answers from the cache without parsing, with the same filtered result and audit event', () => {
      const h = createHarness();
      h.initialize();
      const result = { tools: [SURFACE.tools[1], EXEC], nextCursor: 'c2' };
      const first = ask(h, 'tools/list', 1);
      h.clear();
      expect(parsesWhile(h, page(JSON.stringify(first), result))).toBeGreaterThan(0);
      const firstOut = h.lastToHost();
      expect(firstOut).toMatchObject({ id: 1 });
      expect(firstOut['result'].tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
      const firstAudit = h.sink.events.filter((e) => e.action === 'filtered');

      const second = ask(h, 'tools/list', 2);
      h.clear();
      expect(parsesWhile(h, page(JSON.stringify(second), result))).toBe(0);
      const secondOut = h.lastToHost();
      expect(secondOut['id']).toBe(2);
      expect(secondOut['result']).toEqual(firstOut['result']);
      expect(h.rawToHost[0]).not.toContain(second);
      const secondAudit = h.sink.events.filter((e) => e.action === 'filtered');
      expect(secondAudit.map((e) => e.items)).toEqual(firstAudit.map((e) => e.items));
      expect(h.engine.stats().pending).toBe(0);
    });
  });

  describe('when an item drifted after the page was cached', () => {
    it('re-checks the page and filters the drifted item (drift stays sticky)', () => {
      const h = createHarness();
      h.initialize();
      const clean = { tools: [SURFACE.tools[0], SURFACE.tools[1]] };
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 1)), clean));
      expect(h.lastToHost()['result'].tools).toHaveLength(2);

      // Another page shows read_file with a widened schema: read_file is now drifted.
      const widened = { ...SURFACE.tools[0], inputSchema: { type: 'object', properties: { path: { type: 'string' }, all: { type: 'boolean' } } } };
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 2)), { tools: [widened] }));
      expect(h.lastToHost()['result'].tools).toEqual([]);

      // The first page again, byte for byte: the cached verdict no longer holds.
      h.clear();
      const again = page(JSON.stringify(ask(h, 'tools/list', 3)), clean);
      h.clear();
      expect(parsesWhile(h, again)).toBeGreaterThan(0);
      expect(h.lastToHost()['result'].tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
      h.host(req(4, 'tools/call', { name: 'read_file', arguments: { path: 'a' } }));
      expect(h.lastToHost()).toMatchObject({ id: 4, error: { code: DENIAL_CODES.DEFINITION_DRIFTED } });
    });
  });

  describe('when a cached page arrives under an id that is not pending', () => {
    it('drops it as an unknown response', () => {
      const h = createHarness();
      h.initialize();
      const result = { tools: [SURFACE.tools[1]] };
      const id = ask(h, 'tools/list', 1);
      h.engine.receiveFromServer(page(JSON.stringify(id), result));
      h.clear();
      // Same page, answered again under the (now answered) id and under a made-up one.
      h.engine.receiveFromServer(page(JSON.stringify(id), result));
      h.engine.receiveFromServer(page(JSON.stringify('f'.repeat(id.length)), result));
      expect(h.toHost).toHaveLength(0);
      expect(h.sink.events.filter((e) => e.action === 'dropped')).toHaveLength(2);
    });
  });

  describe('when the id of a cached page is written with escapes', () => {
    it('takes the full path and still answers the right request', () => {
      const h = createHarness();
      h.initialize();
      const result = { tools: [SURFACE.tools[1]] };
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 1)), result));
      const id = ask(h, 'tools/list', 2);
      const escaped = '"\\u' + id.charCodeAt(0).toString(16).padStart(4, '0') + id.slice(1) + '"';
      h.clear();
      expect(parsesWhile(h, page(escaped, result))).toBeGreaterThan(0);
      expect(h.lastToHost()).toMatchObject({ id: 2, result: { tools: [{ name: 'echo' }] } });
    });
  });

  describe('when the same bytes answer a different list method', () => {
    it('does not reuse the verdict of the other method', () => {
      const h = createHarness();
      h.initialize();
      const result = { tools: [SURFACE.tools[1]], prompts: [{ name: 'evil' }] };
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 1)), result));
      expect(h.lastToHost()['result'].tools).toHaveLength(1);
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'prompts/list', 2)), result));
      expect(h.lastToHost()).toMatchObject({ id: 2 });
      expect(h.lastToHost()['result'].prompts).toEqual([]);
    });
  });

  describe('when the adapter accepts bytes (toHostBytes)', () => {
    it('delivers the cached page as UTF-8 bytes equal to the text it would have sent', () => {
      const texts: string[] = [];
      const bytes: Uint8Array[] = [];
      const toServer: string[] = [];
      const engine = createProxyEngine(
        {
          toServer: (json) => toServer.push(json),
          toHost: (json) => texts.push(json),
          toHostBytes: (parts) => bytes.push(Buffer.concat(parts)),
        },
        { lockfile: testLockfile(), preflight: false },
      );
      const lastId = (): string => JSON.parse(toServer[toServer.length - 1]!)['id'] as string;
      engine.receiveFromHost(JSON.stringify(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } })));
      engine.receiveFromServer(page(JSON.stringify(lastId()), { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } }));
      engine.receiveFromHost('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      const result = { tools: [SURFACE.tools[1], { ...EXEC, description: 'Zürich ✓' }] };
      engine.receiveFromHost(JSON.stringify(req(1, 'tools/list')));
      engine.receiveFromServer(page(JSON.stringify(lastId()), result));
      engine.receiveFromHost(JSON.stringify(req('two', 'tools/list')));
      engine.receiveFromServer(page(JSON.stringify(lastId()), result));
      expect(bytes).toHaveLength(1);
      const viaBytes = Buffer.from(bytes[0]!).toString('utf8');
      expect(viaBytes).toBe(texts[texts.length - 1]!.replace('"id":1,', '"id":"two",'));
      expect(JSON.parse(viaBytes)).toMatchObject({ id: 'two', result: { tools: [{ name: 'echo' }] } });
    });
  });
});

describe('byte forwarding of uninspected answers (toHostBytes)', () => {
  function setup() {
    const texts: string[] = [];
    const bytes: Buffer[] = [];
    const toServer: string[] = [];
    const engine = createProxyEngine(
      {
        toServer: (json) => toServer.push(json),
        toHost: (json) => texts.push(json),
        toHostBytes: (parts) => bytes.push(Buffer.concat(parts)),
      },
      { lockfile: testLockfile(), preflight: false },
    );
    const lastId = (): string => JSON.parse(toServer[toServer.length - 1]!)['id'] as string;
    engine.receiveFromHost(JSON.stringify(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } })));
    engine.receiveFromServer(page(JSON.stringify(lastId()), { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } }));
    engine.receiveFromHost('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    engine.receiveFromHost(JSON.stringify(req(7, 'tools/call', { name: 'echo', arguments: { text: 'x' } })));
    return { engine, texts, bytes, proxyId: lastId() };
  }
  const big = 'Zürich ✓ '.repeat(4000);

  describe('when a long answer comes with its bytes', () => {
    it('writes the original bytes with only the id replaced, non-ASCII text before the id included', () => {
      const { engine, texts, bytes, proxyId } = setup();
      const line = '{"result":{"content":[{"type":"text","text":"' + big + '"}]},"jsonrpc":"2.0","id":' + JSON.stringify(proxyId) + '}';
      texts.length = 0;
      engine.receiveFromServer(line, true, Buffer.from(line));
      expect(texts).toHaveLength(0);
      expect(bytes).toHaveLength(1);
      expect(bytes[0]!.equals(Buffer.from(line.replace(JSON.stringify(proxyId), '7')))).toBe(true);
    });
  });

  describe('when the bytes cannot be this line', () => {
    it('takes the text path', () => {
      const { engine, texts, bytes, proxyId } = setup();
      const line = '{"jsonrpc":"2.0","id":' + JSON.stringify(proxyId) + ',"result":{"content":[{"type":"text","text":"' + big + '"}]}}';
      texts.length = 0;
      engine.receiveFromServer(line, true, Buffer.from(line).subarray(0, line.length - 1));
      expect(bytes).toHaveLength(0);
      expect(JSON.parse(texts[0]!)).toMatchObject({ id: 7 });
    });
  });

  describe('when the answer repeats its top-level id', () => {
    it('re-serializes instead, so no proxy id reaches the host', () => {
      const { engine, texts, bytes, proxyId } = setup();
      const line = '{"jsonrpc":"2.0","id":' + JSON.stringify(proxyId) + ',"result":{"content":[{"type":"text","text":"' + big + '"}]},"id":' + JSON.stringify(proxyId) + '}';
      texts.length = 0;
      engine.receiveFromServer(line, true, Buffer.from(line));
      expect(bytes).toHaveLength(0);
      expect(texts[0]).not.toContain(proxyId);
      expect(JSON.parse(texts[0]!)).toMatchObject({ id: 7 });
    });
  });
});

describe('byte output of large requests (toServerBytes)', () => {
  describe('when a host request carries large params', () => {
    it('sends the re-serialized request as bytes, under the proxy id', () => {
      const texts: string[] = [];
      const sent: Buffer[] = [];
      const toHost: string[] = [];
      const engine = createProxyEngine(
        {
          toServer: (json) => texts.push(json),
          toServerBytes: (parts) => sent.push(Buffer.concat(parts)),
          toHost: (json) => toHost.push(json),
        },
        { lockfile: testLockfile(), preflight: false },
      );
      engine.receiveFromHost(JSON.stringify(req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } })));
      const initId = JSON.parse(texts[0]!)['id'] as string;
      engine.receiveFromServer(page(JSON.stringify(initId), { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' } }));
      engine.receiveFromHost('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      // Written with extra spaces and a duplicated key: what reaches the server is the
      // checked object, serialized anew.
      const text = 'Zürich ✓ '.repeat(3000);
      engine.receiveFromHost('{"jsonrpc":"2.0", "id":"host-9","method":"tools/call","params":{"name":"echo","arguments":{"text":"x","text":' + JSON.stringify(text) + '}}}');
      expect(sent).toHaveLength(1);
      const msg = JSON.parse(sent[0]!.toString('utf8'));
      expect(msg).toEqual({ jsonrpc: '2.0', id: expect.any(String), method: 'tools/call', params: { name: 'echo', arguments: { text } } });
      expect(msg.id).not.toBe('host-9');
      expect(sent[0]!.toString('utf8')).not.toContain('host-9');
    });
  });
});

describe('list page cache with ids that need escaping', () => {
  describe('when the proxy ids are not plain letters and digits (a custom randomId)', () => {
    it('never answers from the cache on an escaped id token', () => {
      let n = 0;
      // Ids whose raw text differs from their JSON value: `\u0041` spelled out.
      const h = createHarness({ randomId: () => `id\\u0041-${String(n++).padStart(16, '0')}` });
      h.initialize();
      const result = { tools: [SURFACE.tools[1]] };
      const first = ask(h, 'tools/list', 1);
      h.engine.receiveFromServer(page(JSON.stringify(first), result));
      expect(h.lastToHost()).toMatchObject({ id: 1 });
      const second = ask(h, 'tools/list', 2);
      h.clear();
      // The raw token spells the pending id's characters, but its JSON value is `idA-…`.
      expect(parsesWhile(h, page('"' + second + '"', result))).toBeGreaterThan(0);
      expect(h.toHost).toHaveLength(0);
      expect(h.engine.stats().pending).toBe(1);
    });
  });
});

describe('id replacement in the usual envelope', () => {
  // `{"jsonrpc":"2.0","id":"<proxy id>",…` gets its id replaced without a scan of the
  // whole answer, but only when no later text could be a second top-level `id`.
  function setup() {
    const h = createHarness();
    h.initialize();
    h.host(req(7, 'tools/call', { name: 'echo', arguments: { text: 'x' } }));
    const proxyId = h.lastToServer()['id'] as string;
    h.clear();
    return { h, proxyId, token: JSON.stringify(proxyId) };
  }

  describe('when an answer has the usual envelope', () => {
    it('forwards the original text with only the id replaced', () => {
      const { h, token } = setup();
      // Spacing no serializer would produce proves the text was not re-serialized.
      const line = '{"jsonrpc":"2.0","id":' + token + ',"result":{ "content" : [ {"type":"text","text":"hi"} ] }}';
      h.engine.receiveFromServer(line);
      expect(h.rawToHost).toEqual(['{"jsonrpc":"2.0","id":7,"result":{ "content" : [ {"type":"text","text":"hi"} ] }}']);
    });
  });

  describe('when the answer repeats the id member later', () => {
    it('re-serializes, so no proxy id reaches the host', () => {
      const { h, proxyId, token } = setup();
      h.engine.receiveFromServer('{"jsonrpc":"2.0","id":' + token + ',"result":{"content":[]},"id":' + token + '}');
      expect(h.rawToHost).toHaveLength(1);
      expect(h.rawToHost[0]).not.toContain(proxyId);
      expect(JSON.parse(h.rawToHost[0]!)).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [] } });
    });
  });

  describe('when a later key spells id with an escape', () => {
    it('re-serializes, so no proxy id reaches the host', () => {
      const { h, proxyId, token } = setup();
      h.engine.receiveFromServer('{"jsonrpc":"2.0","id":' + token + ',"result":{"content":[]},"\\u0069d":' + token + '}');
      expect(h.rawToHost).toHaveLength(1);
      expect(h.rawToHost[0]).not.toContain(proxyId);
      expect(JSON.parse(h.rawToHost[0]!)['id']).toBe(7);
    });
  });

  describe.each([
    ['the d escaped', '"i\\u0064"'],
    ['both letters escaped', '"\\u0069\\u0064"'],
  ])('when a later key spells id with %s', (_name, key) => {
    it('re-serializes, so no proxy id reaches the host', () => {
      const { h, proxyId, token } = setup();
      h.engine.receiveFromServer('{"jsonrpc":"2.0","id":' + token + ',"result":{"content":[{"type":"text","text":"a \\"quoted\\" \\\\ line\\n"}]},' + key + ':' + token + '}');
      expect(h.rawToHost).toHaveLength(1);
      expect(h.rawToHost[0]).not.toContain(proxyId);
      expect(JSON.parse(h.rawToHost[0]!)['id']).toBe(7);
    });
  });

  describe('when the result itself has "id" members', () => {
    it('still forwards the original text with only the top-level id replaced', () => {
      const { h, token } = setup();
      const line = '{"jsonrpc":"2.0","id":' + token + ',"result":{"structuredContent":{"id":' + token + ',"rows":[{"id":1}]},"content":[]}}';
      h.engine.receiveFromServer(line);
      expect(h.rawToHost).toEqual(['{"jsonrpc":"2.0","id":7,"result":{"structuredContent":{"id":' + token + ',"rows":[{"id":1}]},"content":[]}}']);
    });
  });
});

describe('list page cache on bytes (receiveServerLineBytes)', () => {
  /** Cuts `bytes` into pieces at the given points. */
  function pieces(bytes: Buffer, cuts: number[]): Buffer[] {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let prev = 0;
    for (const p of points) {
      out.push(bytes.subarray(prev, p));
      prev = p;
    }
    out.push(bytes.subarray(prev));
    return out;
  }
  const result = { tools: [SURFACE.tools[1], { ...EXEC, description: 'Zürich ✓ '.repeat(50) }], nextCursor: 'c2' };

  function cachedSession() {
    const h = createHarness();
    h.initialize();
    h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 1)), result));
    const first = h.rawToHost[h.rawToHost.length - 1]!;
    h.clear();
    return { h, first };
  }

  describe('when a repeated page arrives in pieces', () => {
    it('answers from the bytes with the text the parsed path gave, whatever the cut', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 6 }), (cuts) => {
          const { h, first } = cachedSession();
          const id = ask(h, 'tools/list', 2);
          h.clear();
          const bytes = Buffer.from(page(JSON.stringify(id), result));
          const spy = jest.spyOn(JSON, 'parse');
          const taken = h.engine.receiveServerLineBytes(pieces(bytes, cuts), bytes.length);
          const parses = spy.mock.calls.length;
          spy.mockRestore();
          expect(taken).toBe(true);
          // The harness parses what reaches the host, once; the engine parses nothing.
          expect(parses).toBe(h.rawToHost.length);
          expect(h.rawToHost).toEqual([first.replace('"id":1,', '"id":2,')]);
          expect(h.engine.stats().pending).toBe(0);
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('when the bytes differ from the cached page anywhere', () => {
    it('leaves the line to the text path', () => {
      const { h } = cachedSession();
      const id = ask(h, 'tools/list', 2);
      h.clear();
      const bytes = Buffer.from(page(JSON.stringify(id), { ...result, nextCursor: 'c3' }));
      expect(h.engine.receiveServerLineBytes([bytes], bytes.length)).toBe(false);
      expect(h.toHost).toHaveLength(0);
      expect(h.engine.stats().pending).toBe(1);
    });
  });

  describe('when the id is not a pending list request', () => {
    it('leaves the line to the text path (which drops it)', () => {
      const { h } = cachedSession();
      const bytes = Buffer.from(page(JSON.stringify('AAAAAAAAAAAAAAAAAAAAAA'), result));
      expect(h.engine.receiveServerLineBytes([bytes], bytes.length)).toBe(false);
      h.host(req(3, 'tools/call', { name: 'echo', arguments: { text: 'x' } }));
      const call = h.lastToServer()['id'] as string;
      const asCall = Buffer.from(page(JSON.stringify(call), result));
      expect(h.engine.receiveServerLineBytes([asCall], asCall.length)).toBe(false);
    });
  });

  describe('when the id token is written with an escape', () => {
    it('leaves the line to the text path', () => {
      const { h } = cachedSession();
      const id = ask(h, 'tools/list', 2);
      const escaped = '"\\u' + id.charCodeAt(0).toString(16).padStart(4, '0') + id.slice(1) + '"';
      const bytes = Buffer.from(page(escaped, result));
      expect(h.engine.receiveServerLineBytes([bytes], bytes.length)).toBe(false);
    });
  });

  describe('when something the verdict depends on changed since the page was cached', () => {
    it('leaves the line to the text path, which filters the drifted item', () => {
      const { h } = cachedSession();
      // echo drifts: the cached verdict (echo allowed) no longer holds.
      h.engine.receiveFromServer(page(JSON.stringify(ask(h, 'tools/list', 2)), { tools: [{ ...SURFACE.tools[1], description: 'changed' }] }));
      const id = ask(h, 'tools/list', 3);
      h.clear();
      const bytes = Buffer.from(page(JSON.stringify(id), result));
      expect(h.engine.receiveServerLineBytes([bytes], bytes.length)).toBe(false);
      h.engine.receiveFromServer(bytes.toString('utf8'));
      expect(h.lastToHost()['result'].tools).toEqual([]);
    });
  });
});
