// The legacy SSE transport through the guarded dispatcher, against the shared loopback
// fixtures: the reference server-everything in its sse mode (a server request answered
// by the client, list_changed after initialized) and the legacy fixture with a bearer
// token requirement and dropped streams.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Dispatcher } from 'undici';
import {
  startLegacySseServer,
  startServerEverything,
  type LegacySseServer,
  type ServerEverything,
} from '@mcptrust/tooling/test-support/http-servers.mjs';
import { openLegacySse } from '../../src/http/legacy-sse.js';
import { createGuardedDispatcher } from '../../src/net/guarded-dispatcher.js';
import type { CredentialSource, UpstreamConnection, UpstreamOptions } from '../../src/upstream.types.js';
import { recordHandlers, request, type Recorder } from './legacy-sse-recorder.js';

let fixture: { close(): Promise<void> } | undefined;
let dispatcher: Dispatcher;
let recorder: Recorder;
let connection: UpstreamConnection | undefined;

beforeEach(() => {
  recorder = recordHandlers();
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await fixture?.close();
  fixture = undefined;
  await dispatcher?.destroy();
});

function open(rawUrl: string, options: Partial<UpstreamOptions> = {}): UpstreamConnection {
  const url = new URL(rawUrl);
  dispatcher = createGuardedDispatcher({ trustedOrigin: url.origin });
  connection = openLegacySse({ endpoint: { url: url.href, transport: 'sse' }, ...options }, recorder.handlers, { dispatcher, url });
  return connection;
}

function initialize(id: number, capabilities: Record<string, unknown> = {}): string {
  return request(id, 'initialize', { protocolVersion: '2024-11-05', capabilities, clientInfo: { name: 'legacy-sse-test', version: '0.0.0' } });
}

const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

describe('openLegacySse through the guarded dispatcher', () => {
  describe('against server-everything (sse)', () => {
    let everything: ServerEverything;

    beforeEach(async () => {
      everything = await startServerEverything({ transport: 'sse' });
      fixture = everything;
    });

    it('relays list_changed after initialized, and a sampling request the client answers during a tool call', async () => {
      const conn = open(everything.url);
      conn.send(initialize(1, { sampling: {} }));
      const init = await recorder.response(1);
      expect((init['result'] as { serverInfo: { name: string } }).serverInfo.name).toBeDefined();
      expect(conn.protocolVersion).toBe('2024-11-05');
      expect(conn.sessionLabel).toMatch(/^.{4}…\(36 chars\)$/);
      conn.send(initialized);
      await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'notifications/tools/list_changed', 'list_changed');

      conn.send(request(2, 'tools/call', { name: 'echo', arguments: { message: 'over legacy sse' } }));
      const echo = await recorder.response(2);
      expect(JSON.stringify(echo['result'])).toContain('over legacy sse');

      conn.send(request(3, 'tools/call', { name: 'trigger-sampling-request', arguments: { prompt: 'ping', maxTokens: 5 } }));
      const sampling = await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'sampling/createMessage', 'sampling request');
      const samplingId = sampling.kind === 'message' ? sampling.value['id'] : undefined;
      const answer = { role: 'assistant', content: { type: 'text', text: 'pong from the client' }, model: 'test-model' };
      conn.send(JSON.stringify({ jsonrpc: '2.0', id: samplingId, result: answer }));
      const call = await recorder.response(3);
      expect(JSON.stringify(call['result'])).toContain('pong from the client');
      expect(recorder.events.filter((e) => e.kind !== 'message')).toEqual([]);
    });
  });

  describe('against the legacy fixture', () => {
    let legacy: LegacySseServer;

    it('gets a token after the 401 challenge and sends it on the GET and every POST', async () => {
      legacy = await startLegacySseServer({ requireAuth: 'fixture-token' });
      fixture = legacy;
      let token: string | undefined;
      const challenges: Array<[string | undefined, number]> = [];
      const credentials: CredentialSource = {
        authorization: () => Promise.resolve(token === undefined ? undefined : `Bearer ${token}`),
        unauthorized: (challenge, status) => {
          challenges.push([challenge, status]);
          token = 'fixture-token';
          return Promise.resolve(true);
        },
      };
      const conn = open(legacy.url, { credentials });
      conn.send(initialize(1));
      await recorder.response(1);
      conn.send(initialized);
      conn.send(request(2, 'tools/list'));
      await recorder.response(2);
      expect(challenges).toHaveLength(1);
      expect(challenges[0]![0]).toContain('resource_metadata=');
      expect(challenges[0]![1]).toBe(401);
      const authorizations = legacy.requests.map((r) => `${r.method} ${String(r.authorization)}`);
      expect(authorizations).toEqual([
        'GET undefined',
        'GET Bearer fixture-token',
        'POST Bearer fixture-token',
        'POST Bearer fixture-token',
        'POST Bearer fixture-token',
      ]);
    });

    it('fails a slow call with SESSION_LOST when the server drops its streams, then starts a new session', async () => {
      legacy = await startLegacySseServer();
      fixture = legacy;
      const conn = open(legacy.url);
      conn.send(initialize(1));
      await recorder.response(1);
      conn.send(initialized);
      const [firstSession] = legacy.sessionIds();
      conn.send(request(2, 'tools/call', { name: 'slow', arguments: { ms: 3000 } }));
      await legacy.waitForRequest((r) => r.method === 'POST' && r.status === 202 && r.rpc.some((m) => m.id === 2));
      legacy.dropStreams();
      await recorder.waitFor((e) => e.kind === 'sessionLost', 'sessionLost');
      expect(recorder.events.filter((e) => e.kind !== 'message').map((e) => e.kind)).toEqual(['requestFailed', 'sessionLost']);

      conn.send(initialize(3));
      await recorder.response(3);
      expect(legacy.sessionIds()).not.toContain(firstSession);
      expect(legacy.sessionIds()).toHaveLength(1);
    });
  });
});
