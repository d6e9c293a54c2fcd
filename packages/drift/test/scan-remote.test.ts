import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ScanReport } from '@mcptrust/lockfile';
import { RemoteError } from '@mcptrust/remote';
import type { RemoteEndpoint } from '@mcptrust/remote';
import {
  startLegacySseServer,
  startMcpHttpServer,
  startMisbehavingServer,
  startServerEverything,
} from '@mcptrust/tooling/test-support/http-servers.mjs';
import type { RecordedRequest } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { DriftError, scanRemoteServer, scanServer } from '../src/index.js';
import type { RemoteScanOptions } from '../src/index.js';

const everything = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

/** Servers started by a test, closed after it. */
const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});
function track<T extends { close(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}

async function scanError(endpoint: RemoteEndpoint, options: RemoteScanOptions = {}): Promise<DriftError> {
  try {
    await scanRemoteServer(endpoint, options);
  } catch (error) {
    if (error instanceof DriftError) return error;
    throw error;
  }
  throw new Error('the scan succeeded');
}

const deletes = (requests: RecordedRequest[]): RecordedRequest[] => requests.filter((r) => r.method === 'DELETE');
const names = (items: Array<{ name: string }>): string[] => items.map((i) => i.name).sort();

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('scanRemoteServer', () => {
  describe('when scanning an SDK server over Streamable HTTP', () => {
    it('lists its tools, records the endpoint and ends the session with DELETE', async () => {
      const server = track(await startMcpHttpServer());
      const report = await scanRemoteServer({ url: `${server.url}?key=not-in-the-report`, transport: 'streamable-http' });

      expect(report.server.url).toBe(server.url);
      expect(report.server.name).toBe('mcptrust-http-fixture');
      expect(names(report.tools)).toEqual(['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow']);
      expect(report.tools.find((t) => t.name === 'add')?.inputSchema).toMatchObject({ type: 'object', properties: { a: {}, b: {} } });
      expect(report.prompts).toEqual([]);
      const initialize = server.requests.find((r) => r.rpcMethods.includes('initialize'));
      const sessionId = server.requests.find((r) => r.sessionId !== undefined)?.sessionId;
      expect(initialize).toBeDefined();
      expect(deletes(server.requests)).toEqual([expect.objectContaining({ hasSessionId: true, sessionId })]);
      expect(server.sessionIds()).toEqual([]);
    });

    it('scans a stateless server', async () => {
      const server = track(await startMcpHttpServer({ stateless: true }));
      const report = await scanRemoteServer({ url: server.url });
      expect(names(report.tools)).toContain('echo');
      expect(report.server.url).toBe(server.url);
      expect(server.requests.every((r) => !r.hasSessionId)).toBe(true);
    });

    it('scans a server that answers with application/json', async () => {
      const server = track(await startMcpHttpServer({ jsonResponse: true }));
      const report = await scanRemoteServer({ url: server.url });
      expect(names(report.tools)).toContain('add');
      expect(deletes(server.requests)).toHaveLength(1);
    });

    it('scans a legacy HTTP+SSE server', async () => {
      const server = track(await startLegacySseServer());
      const report = await scanRemoteServer({ url: server.url, transport: 'sse' });
      expect(report.server.url).toBe(server.url);
      expect(names(report.tools)).toEqual(['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow']);
    });

    it('falls back to the legacy transport under auto, and says so', async () => {
      const server = track(await startLegacySseServer());
      const warnings: string[] = [];
      const report = await scanRemoteServer({ url: server.url }, { onWarning: (message) => warnings.push(message) });
      expect(warnings.some((w) => w.includes('legacy HTTP+SSE'))).toBe(true);
      expect(names(report.tools)).toContain('echo');
      expect(server.requests.some((r) => r.method === 'GET' && r.url === '/sse')).toBe(true);
    });

    it('sends the static headers and authenticates with them', async () => {
      const server = track(await startMcpHttpServer({ requireAuth: 'secret-token' }));
      const report = await scanRemoteServer({ url: server.url, headers: { Authorization: 'Bearer secret-token' } });
      expect(names(report.tools)).toContain('echo');
      expect(server.requests.filter((r) => r.url === '/mcp').every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
    });
  });

  describe('when scanning server-everything', () => {
    let stdio: ScanReport;
    beforeAll(async () => {
      stdio = await scanServer({ command: process.execPath, args: [everything, 'stdio'] }, { killGraceMs: 200 });
    });

    it.each(['streamableHttp', 'sse'] as const)('lists its whole surface over %s, as over stdio', async (transport) => {
      const server = track(await startServerEverything({ transport }));
      const report = await scanRemoteServer({ url: server.url, transport: transport === 'sse' ? 'sse' : 'streamable-http' });

      expect(report.server.name).toBe('mcp-servers/everything');
      expect(report.server.url).toBe(server.url);
      expect(names(report.tools)).toEqual(names(stdio.tools));
      expect(names(report.prompts)).toEqual(names(stdio.prompts));
      expect(report.resources.map((r) => r.uri)).toEqual(stdio.resources.map((r) => r.uri));
      expect(report.resourceTemplates.map((t) => t.uriTemplate)).toEqual(stdio.resourceTemplates.map((t) => t.uriTemplate));
      expect(report.resources.length).toBeGreaterThan(0);
    });
  });

  describe('when the server cannot be reached', () => {
    it('throws REMOTE_UNREACHABLE naming the endpoint without its query', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/mcp`;
      const error = await scanError({ url: `${url}?token=hidden-value` }, { timeoutMs: 5000 });
      expect(error.code).toBe('REMOTE_UNREACHABLE');
      expect(error.message).toContain(url);
      expect(error.message).not.toContain('hidden-value');
      expect(error.cause).toBeInstanceOf(RemoteError);
    });
  });

  describe('when the URL is refused by the guard', () => {
    it('throws REMOTE_REFUSED for plain http to a host that is not loopback, without resolving it', async () => {
      const resolved: string[] = [];
      const error = await scanError(
        { url: 'http://mcp.example.com/mcp?api_key=hidden-value' },
        {
          upstream: {
            resolve: async (host) => {
              resolved.push(host);
              return [{ address: '127.0.0.1', family: 4 }];
            },
          },
        },
      );
      expect(error.code).toBe('REMOTE_REFUSED');
      expect(error.message).toContain('http://mcp.example.com/mcp');
      expect(error.message).not.toContain('hidden-value');
      expect((error.cause as RemoteError).code).toBe('INSECURE_URL');
      expect(resolved).toEqual([]);
    });

    it('throws REMOTE_REFUSED for credentials in the URL, without showing them', async () => {
      const error = await scanError({ url: 'https://user:hidden-password@mcp.example.com/mcp' });
      expect(error.code).toBe('REMOTE_REFUSED');
      expect(error.message).not.toContain('hidden-password');
    });
  });

  describe('when the server needs credentials', () => {
    it('throws REMOTE_UNAUTHORIZED without any', async () => {
      const server = track(await startMcpHttpServer({ requireAuth: 'secret-token' }));
      const error = await scanError({ url: server.url });
      expect(error.code).toBe('REMOTE_UNAUTHORIZED');
      expect(error.message).toContain(server.url);
      expect(error.cause).toBeInstanceOf(RemoteError);
    });

    it('authenticates with a credential source, refreshed once after a 401', async () => {
      const server = track(await startMcpHttpServer({ requireAuth: 'fresh-token' }));
      let token = 'stale-token';
      const challenges: number[] = [];
      const report = await scanRemoteServer(
        { url: server.url },
        {
          credentials: {
            authorization: async () => `Bearer ${token}`,
            unauthorized: async (_challenge, status) => {
              challenges.push(status);
              token = 'fresh-token';
              return true;
            },
          },
        },
      );
      expect(names(report.tools)).toContain('echo');
      expect(challenges).toEqual([401]);
    });

    it('throws REMOTE_UNAUTHORIZED from a legacy HTTP+SSE server', async () => {
      const server = track(await startLegacySseServer({ requireAuth: 'secret-token' }));
      const error = await scanError({ url: server.url, transport: 'sse' });
      expect(error.code).toBe('REMOTE_UNAUTHORIZED');
      expect((error.cause as RemoteError).status).toBe(401);
    });

    it('throws REMOTE_UNAUTHORIZED for a wrong token and never shows it', async () => {
      const server = track(await startMcpHttpServer({ requireAuth: 'secret-token' }));
      const error = await scanError({ url: server.url, headers: { Authorization: 'Bearer wrong-token-value' } });
      expect(error.code).toBe('REMOTE_UNAUTHORIZED');
      expect(error.message).not.toContain('wrong-token-value');
    });
  });

  describe('when the server never answers', () => {
    it('throws SERVER_TIMEOUT at the deadline, naming the phase, and still ends the session', async () => {
      const server = track(await startMisbehavingServer('hang'));
      const started = Date.now();
      const error = await scanError({ url: server.url }, { timeoutMs: 800 });
      const elapsed = Date.now() - started;
      expect(error.code).toBe('SERVER_TIMEOUT');
      expect(error.message).toContain('tools/list');
      expect(error.message).toContain(server.url);
      expect(elapsed).toBeGreaterThanOrEqual(700);
      expect(elapsed).toBeLessThan(800 + 2500);
      expect(deletes(server.requests)).toEqual([expect.objectContaining({ hasSessionId: true })]);
    });

    it('throws SERVER_TIMEOUT stuck at initialize, without the answers closing made up', async () => {
      const server = track(await startMisbehavingServer('hang', { fromStart: true }));
      const error = await scanError({ url: server.url }, { timeoutMs: 500 });
      expect(error.code).toBe('SERVER_TIMEOUT');
      expect(error.message).toBe(`the scan of ${server.url} did not finish within 500 ms (stuck at initialize)`);
    });

    it('throws ABORTED when the caller aborts, and ends the session', async () => {
      const server = track(await startMisbehavingServer('hang'));
      const controller = new AbortController();
      const scan = scanError({ url: server.url }, { timeoutMs: 10_000, signal: controller.signal });
      // Abort once the hung request is in: the fixture has recorded tools/list.
      while (!server.requests.some((r) => r.rpcMethods.includes('tools/list'))) await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      const error = await scan;
      expect(error.code).toBe('ABORTED');
      expect(deletes(server.requests)).toHaveLength(1);
    });
  });

  describe('when the server answers with an HTTP error', () => {
    it('throws REMOTE_HTTP_ERROR with the status', async () => {
      const server = track(await startMisbehavingServer('status-500'));
      const error = await scanError({ url: server.url });
      expect(error.code).toBe('REMOTE_HTTP_ERROR');
      expect(error.message).toContain('500');
      expect(error.message).toContain('tools/list');
    });
  });

  describe('when the server breaks the transport', () => {
    it('throws INVALID_SERVER_RESPONSE for a content type the transport cannot accept', async () => {
      const server = track(await startMisbehavingServer('wrong-content-type'));
      const error = await scanError({ url: server.url });
      expect(error.code).toBe('INVALID_SERVER_RESPONSE');
      expect(error.message).toContain('text/html');
      expect((error.cause as RemoteError).code).toBe('CONTENT_TYPE');
    });

    it('throws SERVER_EXITED when the session is gone (404)', async () => {
      const server = track(await startMisbehavingServer('session-404'));
      const error = await scanError({ url: server.url });
      expect(error.code).toBe('SERVER_EXITED');
      expect(error.message).toContain('during tools/list');
      expect((error.cause as RemoteError).code).toBe('SESSION_LOST');
    });

    it('throws SERVER_TIMEOUT when an answer stream opens and stays silent', async () => {
      const server = track(await startMisbehavingServer('hang', { afterHeaders: true }));
      const error = await scanError({ url: server.url }, { timeoutMs: 500 });
      expect(error.code).toBe('SERVER_TIMEOUT');
      expect(error.message).not.toContain('protocol errors');
    });
  });

  describe('when options are invalid', () => {
    it('throws INVALID_OPTIONS before connecting', async () => {
      await expect(scanRemoteServer({ url: 'http://127.0.0.1:1/mcp' }, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
      await expect(scanRemoteServer({} as RemoteEndpoint)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    });
  });
});
