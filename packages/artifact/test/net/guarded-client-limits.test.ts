import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ArtifactError } from '../../src/errors.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { GuardedClientOptions } from '../../src/net/guarded-client.types.js';
import { loopbackTls } from '../support/tls.js';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';

// Every server here listens on 127.0.0.1; blocked addresses are only ever named, never dialled.
const tls = loopbackTls();
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface TestServer {
  origin: string;
  seen: string[];
  headers: http.IncomingHttpHeaders[];
}

const open: Array<http.Server | https.Server> = [];

// Safety net: a regression of the client's guard must fail a test, never dial off loopback.
let dials: DialGuard;
beforeAll(() => {
  dials = installDialGuard();
});
afterAll(() => dials.restore());

afterEach(async () => {
  await Promise.all(
    open.splice(0).map(
      (server) =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    ),
  );
  expect(dials.refused.splice(0)).toEqual([]);
});

async function serve(handler: Handler, plain = false): Promise<TestServer> {
  const seen: string[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  const listener: Handler = (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    headers.push(req.headers);
    handler(req, res);
  };
  const server = plain ? http.createServer(listener) : https.createServer({ cert: tls.cert, key: tls.key }, listener);
  open.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  return { origin: `${plain ? 'http' : 'https'}://127.0.0.1:${port}`, seen, headers };
}

function client(extra: GuardedClientOptions = {}) {
  return createGuardedClient({ ca: tls.cert, allowPrivateHosts: true, onWarning: () => undefined, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<ArtifactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected the request to fail');
}

function redirect(res: http.ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location });
  res.end('moved');
}

/** Redirects /r/N to /r/N+1 forever; /done answers. */
const chain: Handler = (req, res) => {
  const match = /^\/r\/(\d+)$/.exec(req.url ?? '');
  if (match) redirect(res, `/r/${Number(match[1]) + 1}`);
  else res.end('done');
};

describe('redirects', () => {
  it('follows up to 5 redirects (every status kind), resolving relative locations', async () => {
    const statuses = [301, 302, 303, 307, 308];
    const server = await serve((req, res) => {
      const step = Number(/^\/s\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      if (step >= 0 && step < statuses.length) redirect(res, step + 1 < statuses.length ? `${step + 1}` : '/final', statuses[step]);
      else res.end('final');
    });
    const response = await client().get(`${server.origin}/s/0`);
    expect(response.body.toString()).toBe('final');
    expect(response.url).toBe(`${server.origin}/final`);
    expect(server.seen).toEqual(['GET /s/0', 'GET /s/1', 'GET /s/2', 'GET /s/3', 'GET /s/4', 'GET /final']);
  });

  it('refuses a 6th redirect, counting per request', async () => {
    const server = await serve(chain);
    const guarded = client();
    const error = await failure(guarded.get(`${server.origin}/r/0`));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain(`${server.origin}/r/0`);
    expect(error.message).toContain('5 redirects');
    expect(server.seen).toHaveLength(6);
    // The count restarts for the next request of the same client.
    expect((await failure(guarded.get(`${server.origin}/r/0`))).code).toBe('INSECURE_URL');
    expect(server.seen).toHaveLength(12);
    const strict = await failure(client({ maxRedirects: 1 }).get(`${server.origin}/r/0`));
    expect(strict.message).toContain('1 redirects');
  });

  it('refuses an https→http redirect, even to loopback with insecureHttpLoopback', async () => {
    const plain = await serve((_req, res) => res.end('plain'), true);
    const server = await serve((_req, res) => redirect(res, `${plain.origin}/downgraded`));
    const error = await failure(client({ insecureHttpLoopback: true }).get(`${server.origin}/x`));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain(`${plain.origin}/downgraded`);
    expect(plain.seen).toEqual([]);
  });

  it('refuses a redirect to a blocked address literal before dialling it', async () => {
    // Loopback passes through insecureHttpLoopback; the private policy stays on.
    const server = await serve((_req, res) => redirect(res, 'https://10.0.0.1/latest'));
    const error = await failure(createGuardedClient({ ca: tls.cert, insecureHttpLoopback: true }).get(`${server.origin}/x`));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('10.0.0.1');
    expect(server.seen).toEqual(['GET /x']);
  });

  it('refuses a redirect to a name that resolves to a blocked address', async () => {
    const server = await serve((_req, res) => redirect(res, 'https://metadata.test/latest'));
    const asked: string[] = [];
    const resolve = async (hostname: string) => {
      asked.push(hostname);
      return [{ address: '169.254.169.254', family: 4 as const }];
    };
    const error = await failure(createGuardedClient({ ca: tls.cert, insecureHttpLoopback: true, resolve }).get(`${server.origin}/x`));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('metadata.test');
    expect(asked).toEqual(['metadata.test']);
  });

  it('drops Authorization and Cookie when a redirect leaves the origin, keeps them on the same origin', async () => {
    const other = await serve((_req, res) => res.end('other'));
    const server = await serve((req, res) => {
      if (req.url === '/same') redirect(res, '/landing');
      else if (req.url === '/cross') redirect(res, `${other.origin}/landing`);
      else res.end('landed');
    });
    const headers = { authorization: 'Bearer secret-token', cookie: 'session=1', 'x-trace': 'kept' };
    await client().get(`${server.origin}/same`, { headers });
    expect(server.headers[1]?.authorization).toBe('Bearer secret-token');
    expect(server.headers[1]?.cookie).toBe('session=1');

    const response = await client().get(`${server.origin}/cross`, { headers });
    expect(response.body.toString()).toBe('other');
    expect(server.headers[2]?.authorization).toBe('Bearer secret-token');
    expect(other.seen).toEqual(['GET /landing']);
    expect(other.headers[0]?.authorization).toBeUndefined();
    expect(other.headers[0]?.cookie).toBeUndefined();
    expect(other.headers[0]?.['x-trace']).toBe('kept');
  });
});

describe('size caps and deadlines', () => {
  it('refuses a Content-Length over the cap before reading the body', async () => {
    const server = await serve((_req, res) => {
      // Headers only: the body never comes, so only the declared length can fail the request quickly.
      res.writeHead(200, { 'content-length': '1000' });
      res.flushHeaders();
    });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 10_000 }).get(`${server.origin}/big`, { maxBytes: 100 }));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${server.origin}/big`);
    expect(error.message).toContain('100 bytes');
    expect(error.message).toContain('Content-Length 1000');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('aborts a streamed body past the cap (client cap, not raised by a request)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(60));
      setTimeout(() => res.end(Buffer.alloc(60)), 20);
    });
    const error = await failure(client({ maxBytes: 100 }).get(`${server.origin}/stream`, { maxBytes: 1_000 }));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${server.origin}/stream`);
    expect(error.message).toContain('100 bytes');
    const exact = await client({ maxBytes: 120 }).get(`${server.origin}/stream`);
    expect(exact.body.length).toBe(120);
  });

  it('fails a request past its deadline, naming the URL', async () => {
    const server = await serve(() => undefined);
    const error = await failure(client({ timeoutMs: 150 }).get(`${server.origin}/slow`));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${server.origin}/slow`);
    expect(error.message).toContain('timed out after 150 ms');
    const perRequest = await failure(client().get(`${server.origin}/slow`, { timeoutMs: 100 }));
    expect(perRequest.message).toContain('timed out after 100 ms');
  });

  it('stops on the abort signal', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = client({ signal: controller.signal }).get(`${server.origin}/hang`);
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('aborted');
    const already = await failure(client({ signal: controller.signal }).get(`${server.origin}/hang`));
    expect(already.message).toContain('aborted');
  });
});

describe('get and getJson', () => {
  it('get requires 200 and names URL and status', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404);
      res.end('missing');
    });
    const guarded = client();
    const response = await guarded.request(`${server.origin}/nope`);
    expect(response.status).toBe(404);
    expect(response.body.toString()).toBe('missing');
    const error = await failure(guarded.get(`${server.origin}/nope`));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`${server.origin}/nope`);
    expect(error.message).toContain('404');
  });

  it('getJson parses JSON and refuses anything else as RESOLVE_FAILED', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/good' ? '{"name":"pkg","versions":{}}' : '<html>not json</html>');
    });
    expect(await client().getJson(`${server.origin}/good`)).toEqual({ name: 'pkg', versions: {} });
    const error = await failure(client().getJson(`${server.origin}/bad`));
    expect(error.code).toBe('RESOLVE_FAILED');
    expect(error.message).toContain(`${server.origin}/bad`);
  });
});
