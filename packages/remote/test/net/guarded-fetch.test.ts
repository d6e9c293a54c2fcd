import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loopbackTls } from '@mcptrust/tooling/test-support/tls.mjs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { RemoteError } from '../../src/errors.js';
import { createGuardedDispatcher } from '../../src/net/guarded-dispatcher.js';
import { createGuardedFetch, type GuardedFetchOptions } from '../../src/net/guarded-fetch.js';
import type { HostResolver } from '../../src/upstream.types.js';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';

// Loopback only: two plain servers on different ports (two origins) and one TLS server.
// Blocked targets come from redirects to IP literals or injected resolvers and are never
// dialled (the dial guard records and refuses any non-loopback socket).

interface Seen {
  url: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let guard: DialGuard;
let first: http.Server;
let second: http.Server;
let secure: https.Server;
let firstBase = '';
let secondBase = '';
let secureBase = '';
const seenFirst: Seen[] = [];
const seenSecond: Seen[] = [];
const dispatchers: Dispatcher[] = [];
/** Called when a request for /hang has been answered with its first byte. */
let onHang: (() => void) | undefined;
const toLoopback: HostResolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

/** Routes of the test servers; `other` is the base URL of the other origin. */
function handler(seen: Seen[], other: () => string): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      seen.push({ url, method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const redirect = (status: number, location: string): void => {
        res.writeHead(status, { location });
        res.end();
      };
      const path = url.split('?')[0] ?? url;
      const chain = /^\/chain\/(\d+)$/.exec(path);
      if (chain !== null) {
        const left = Number(chain[1]);
        if (left === 0) res.end('end of chain');
        else redirect(302, `/chain/${left - 1}`);
      } else if (path === '/same') redirect(302, '/echo?from=same');
      else if (path.startsWith('/same/')) redirect(Number(path.slice('/same/'.length)), '/echo?from=same');
      else if (path.startsWith('/cross/')) redirect(Number(path.slice('/cross/'.length)), `${other()}/echo`);
      else if (path === '/cross-and-back') redirect(302, `${other()}/back`);
      else if (path === '/back') redirect(302, `${other()}/echo`);
      else if (path === '/to-metadata') redirect(302, 'https://169.254.169.254/latest/meta-data/');
      else if (path === '/to-internal') redirect(302, 'https://internal.example.test/');
      else if (path === '/to-http') redirect(302, `${other()}/echo`);
      else if (path === '/to-userinfo') redirect(302, 'https://user:pass@example.test/');
      else if (path === '/big') {
        res.writeHead(200, { 'content-length': '2048' });
        res.end(Buffer.alloc(2048, 0x61));
      } else if (path === '/stream-big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 8; i += 1) res.write(Buffer.alloc(256, 0x62));
        res.end();
      } else if (path === '/no-content') {
        res.writeHead(204);
        res.end();
      } else if (path === '/hang') {
        res.writeHead(200);
        res.write('x', () => onHang?.());
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url, method: req.method, authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null }));
      }
    });
  };
}

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function guardedFetch(options: GuardedFetchOptions = {}): ReturnType<typeof createGuardedFetch> {
  const dispatcher = createGuardedDispatcher({ allowLoopback: true, resolve: toLoopback, ca: loopbackTls().cert });
  dispatchers.push(dispatcher);
  return createGuardedFetch({ allowLoopback: true, dispatcher, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteError);
    return error as RemoteError;
  }
  throw new Error('expected the fetch to fail');
}

beforeAll(async () => {
  guard = installDialGuard();
  first = http.createServer(handler(seenFirst, () => secondBase));
  second = http.createServer(handler(seenSecond, () => firstBase));
  secure = https.createServer(loopbackTls(), handler([], () => secondBase));
  firstBase = `http://127.0.0.1:${await listen(first)}`;
  secondBase = `http://127.0.0.1:${await listen(second)}`;
  secureBase = `https://localhost:${await listen(secure)}`;
});

afterEach(async () => {
  seenFirst.length = 0;
  seenSecond.length = 0;
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
});

afterAll(async () => {
  await Promise.all([close(first), close(second), close(secure)]);
  guard.restore();
  expect(guard.refused).toEqual([]);
});

describe('createGuardedFetch redirects', () => {
  it('follows a same-origin hop and keeps Authorization', async () => {
    const response = await guardedFetch()(`${firstBase}/same`, { headers: { authorization: 'Bearer t0ken' } });
    expect(response).toBeInstanceOf(Response); // Node's global class: the MCP SDK checks instanceof Response
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ url: '/echo?from=same', authorization: 'Bearer t0ken' });
    expect(response.url).toBe(`${firstBase}/echo?from=same`);
    expect(response.redirected).toBe(true);
  });

  it.each([302, 307, 308])('drops Authorization and Cookie on a cross-origin %i hop', async (status) => {
    const response = await guardedFetch()(`${firstBase}/cross/${status}`, { headers: { authorization: 'Bearer t0ken', cookie: 'sid=1', 'x-kept': 'yes' } });
    expect(await response.json()).toMatchObject({ url: '/echo', authorization: null, cookie: null });
    expect(seenFirst[0]?.headers.authorization).toBe('Bearer t0ken');
    expect(seenSecond).toHaveLength(1);
    expect(seenSecond[0]?.headers.authorization).toBeUndefined();
    expect(seenSecond[0]?.headers.cookie).toBeUndefined();
    expect(seenSecond[0]?.headers['x-kept']).toBe('yes');
  });

  it('does not restore Authorization when a later hop comes back to the first origin', async () => {
    const response = await guardedFetch()(`${firstBase}/cross-and-back`, { headers: { authorization: 'Bearer t0ken' } });
    expect(await response.json()).toMatchObject({ url: '/echo', authorization: null });
    expect(seenFirst.map((seen) => seen.url)).toEqual(['/cross-and-back', '/echo']);
  });

  it('turns a POST into a GET on 302, resends the body on a same-origin 307', async () => {
    const post = { method: 'POST', body: 'grant_type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await (await guardedFetch()(`${firstBase}/cross/302`, post)).text();
    expect(seenSecond[0]).toMatchObject({ method: 'GET', body: '' });
    expect(seenSecond[0]?.headers['content-type']).toBeUndefined();
    await (await guardedFetch()(`${firstBase}/same/307`, post)).text();
    expect(seenFirst.at(-1)).toMatchObject({ url: '/echo?from=same', method: 'POST', body: 'grant_type=x' });
  });

  it.each([307, 308])('never sends a body to another origin on a %i (a token request\'s secret, code or assertion)', async (status) => {
    const post = { method: 'POST', body: 'grant_type=client_credentials&client_secret=s3cret', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const error = await rejection(guardedFetch()(`${firstBase}/cross/${status}`, post));
    expect(error.code).toBe('CROSS_ORIGIN');
    expect(error.message).toContain('a request body is never sent to another origin');
    expect(error.message).not.toContain('s3cret');
    expect(seenSecond).toHaveLength(0);
  });

  it('follows 3 hops and refuses a 4th', async () => {
    const response = await guardedFetch()(`${firstBase}/chain/3`);
    expect(await response.text()).toBe('end of chain');
    seenFirst.length = 0;
    const error = await rejection(guardedFetch()(`${firstBase}/chain/4`));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toContain('more than 3 redirects');
    expect(seenFirst.map((seen) => seen.url)).toEqual(['/chain/4', '/chain/3', '/chain/2', '/chain/1']);
  });

  it('honours maxRedirects', async () => {
    expect(await rejection(guardedFetch({ maxRedirects: 0 })(`${firstBase}/same`))).toMatchObject({ code: 'HTTP_STATUS', status: 302 });
  });

  it('refuses a hop to a metadata address without dialling it', async () => {
    const before = guard.connects.length;
    const error = await rejection(guardedFetch()(`${firstBase}/to-metadata`));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('169.254.169.254');
    expect(guard.connects.slice(before).every((host) => host === '127.0.0.1')).toBe(true);
  });

  it('refuses a hop to a name resolving to a private address without dialling it', async () => {
    const resolve: HostResolver = (host) => Promise.resolve([{ address: host === 'internal.example.test' ? '10.0.0.1' : '127.0.0.1', family: 4 }]);
    const dispatcher = createGuardedDispatcher({ allowLoopback: true, resolve });
    dispatchers.push(dispatcher);
    const before = guard.connects.length;
    const error = await rejection(createGuardedFetch({ allowLoopback: true, dispatcher })(`${firstBase}/to-internal`));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('internal.example.test (address 10.0.0.1)');
    expect(guard.connects.slice(before)).toEqual(['127.0.0.1']);
  });

  it('refuses credentials in a redirect target', async () => {
    expect(await rejection(guardedFetch()(`${firstBase}/to-userinfo`))).toMatchObject({ code: 'INSECURE_URL' });
  });

  it('refuses an https → http downgrade without requesting the http URL', async () => {
    const error = await rejection(guardedFetch()(`${secureBase}/to-http`));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain('downgrade');
    expect(seenSecond).toEqual([]);
  });
});

describe('createGuardedFetch targets', () => {
  it('refuses plain http without allowLoopback, and to a host that is not loopback', async () => {
    expect(await rejection(createGuardedFetch({ dispatcher: createGuardedDispatcher() })(`${firstBase}/echo`))).toMatchObject({ code: 'INSECURE_URL' });
    expect(await rejection(guardedFetch()('http://example.test/echo?token=s3cret'))).toMatchObject({ code: 'INSECURE_URL' });
    expect(seenFirst).toEqual([]);
  });

  it('refuses loopback with its default dispatcher unless allowLoopback is set', async () => {
    const before = guard.connects.length;
    const error = await rejection(createGuardedFetch({ resolve: toLoopback })('https://auth.example.test/.well-known/x'));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(guard.connects.length).toBe(before);
  });

  it('verifies the certificate against the host name, not the address dialled', async () => {
    const response = await guardedFetch()(`${secureBase}/echo`);
    expect(response.status).toBe(200);
    const port = new URL(secureBase).port;
    const error = await rejection(guardedFetch()(`https://not-in-the-cert.example.test:${port}/echo`));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toMatch(/not-in-the-cert\.example\.test|altnames/);
  });

  it('never shows the query string in a message', async () => {
    const error = await rejection(guardedFetch({ maxRedirects: 0 })(`${firstBase}/same?token=s3cret`));
    expect(error.message).not.toContain('s3cret');
  });
});

describe('createGuardedFetch body cap', () => {
  it('refuses a Content-Length over the cap', async () => {
    const error = await rejection(guardedFetch({ maxBytes: 1024 })(`${firstBase}/big`));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('Content-Length 2048');
  });

  it('counts streamed bytes', async () => {
    const error = await rejection(guardedFetch({ maxBytes: 1024 })(`${firstBase}/stream-big`));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('exceeds the cap of 1024 bytes');
  });

  it('returns a body within the cap as a Response holding the bytes', async () => {
    const response = await guardedFetch({ maxBytes: 2048 })(`${firstBase}/stream-big`);
    expect((await response.text()).length).toBe(2048);
    expect(response.headers.get('content-length')).toBe('2048');
    expect(response.headers.get('content-type')).toBe('text/plain');
  });

  it('passes a 204 without a body', async () => {
    const response = await guardedFetch()(`${firstBase}/no-content`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});

describe('createGuardedFetch deadlines', () => {
  it('times out a body that never ends', async () => {
    const error = await rejection(guardedFetch({ timeoutMs: 100 })(`${firstBase}/hang`));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain('timed out after 100 ms');
  });

  it("rejects with the caller's abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    onHang = () => controller.abort(reason);
    try {
      await expect(guardedFetch()(`${firstBase}/hang`, { signal: controller.signal })).rejects.toBe(reason);
    } finally {
      onHang = undefined;
    }
  });

  it('rejects limits out of range', () => {
    expect(() => createGuardedFetch({ maxRedirects: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => createGuardedFetch({ timeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
