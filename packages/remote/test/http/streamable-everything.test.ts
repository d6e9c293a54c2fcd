// The Streamable HTTP client against the reference server (server-everything, in process on
// loopback): its server requests (roots/list) come over the GET or a POST stream and are
// answered by POSTs, tools are listed and called.
import { afterEach, describe, expect, it } from '@jest/globals';
import { startServerEverything, type ServerEverything } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { openUpstream } from '../../src/open-upstream.js';
import type { UpstreamConnection } from '../../src/upstream.types.js';
import { notification, record, request } from './streamable-recorder.js';

let server: ServerEverything | undefined;
let connection: UpstreamConnection | undefined;

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await server?.close();
  server = undefined;
});

describe('Streamable HTTP against server-everything', () => {
  it('initializes with roots, answers roots/list, lists and calls tools, closes with DELETE', async () => {
    server = await startServerEverything({ transport: 'streamableHttp' });
    const recorder = record();
    connection = openUpstream({ endpoint: { url: server.url } }, recorder.handlers);
    connection.send(
      request(0, 'initialize', {
        protocolVersion: '2025-11-25',
        capabilities: { roots: { listChanged: true } },
        clientInfo: { name: 'mcptrust-test', version: '0.0.0' },
      }),
    );
    await recorder.response(0);
    expect(connection.transport).toBe('streamable-http');
    connection.send(notification('notifications/initialized'));
    const asked = await recorder.waitFor((e) => e.kind === 'message' && e.value['method'] === 'roots/list', 'roots/list');
    const rootsId = (asked as unknown as { value: { id: string | number } }).value.id;
    connection.send(JSON.stringify({ jsonrpc: '2.0', id: rootsId, result: { roots: [] } }));
    connection.send(request(1, 'tools/list'));
    const list = await recorder.response(1);
    const names = (list['result'] as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(names).toContain('echo');
    connection.send(request(2, 'tools/call', { name: 'echo', arguments: { message: 'through mcptrust' } }));
    expect(JSON.stringify((await recorder.response(2))['result'])).toContain('through mcptrust');
    const sessionId = server.sessionIds()[0];
    await connection.close();
    expect((await server.waitForRequest((r) => r.method === 'DELETE')).sessionId).toBe(sessionId);
    expect(recorder.events.filter((e) => e.kind === 'requestFailed' || e.kind === 'sessionLost')).toEqual([]);
  });
});
