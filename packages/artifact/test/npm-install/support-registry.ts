/**
 * A minimal loopback HTTPS server for the install tests: serves whatever bodies a test
 * sets per path and counts requests, plus a small client satisfying the GuardedClient
 * contract over node:https that trusts the fixture certificate.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ArtifactError } from '../../src/errors.js';
import type { GuardedClient, GuardedRequest, GuardedResponse } from '../../src/net/guarded-client.types.js';
import { loopbackTls } from '../support/tls.js';

/** A running loopback server. */
export interface TestServer {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** Serves `body` at `path` (status 200 unless given). */
  set(path: string, body: Buffer | string, status?: number): void;
  /** Requests seen per path. */
  hits(path: string): number;
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with the fixture certificate. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, { body: Buffer; status: number }>();
  const requests: string[] = [];
  const { cert, key } = loopbackTls();
  const server = https.createServer({ cert, key }, (req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(route.status, { 'content-length': String(route.body.length) }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    set: (path, body, status = 200) => routes.set(path, { body: Buffer.from(body), status }),
    hits: (path) => requests.filter((p) => p === path).length,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A GuardedClient over node:https trusting the fixture CA (loopback test servers only). */
export function testClient(): GuardedClient {
  const { cert } = loopbackTls();
  const request = (url: string, init: GuardedRequest = {}): Promise<GuardedResponse> =>
    new Promise((resolve, reject) => {
      const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca: cert, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), url });
        });
        res.on('error', reject);
      });
      req.on('error', (error) => reject(new ArtifactError('DOWNLOAD_FAILED', `GET ${url} failed: ${error.message}`, { cause: error })));
      req.end();
    });
  const get = async (url: string, init: Omit<GuardedRequest, 'method'> = {}): Promise<GuardedResponse> => {
    const res = await request(url, init);
    if (res.status !== 200) throw new ArtifactError('DOWNLOAD_FAILED', `GET ${url} answered HTTP ${res.status}`);
    return res;
  };
  return {
    request,
    get,
    getJson: async (url, init) => JSON.parse((await get(url, init)).body.toString('utf8')) as unknown,
  };
}
