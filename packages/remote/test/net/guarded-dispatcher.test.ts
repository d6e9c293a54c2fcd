import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch, request, type Dispatcher } from 'undici';
import { RemoteError } from '../../src/errors.js';
import { createGuardedDispatcher } from '../../src/net/guarded-dispatcher.js';
import type { HostResolver } from '../../src/upstream.types.js';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';

// Loopback only. Blocked addresses come from injected resolvers and are never dialled:
// the dial guard records every socket connect, and refuses any that is not loopback.

let guard: DialGuard;
let server: http.Server;
let port = 0;
/** Connections the loopback server accepted. */
let accepted = 0;
const dispatchers: Dispatcher[] = [];
/** Called when the client gave up on a /silent request. */
let silentClosed: (() => void) | undefined;

function dispatcher(options: Parameters<typeof createGuardedDispatcher>[0]): Dispatcher {
  const created = createGuardedDispatcher(options);
  dispatchers.push(created);
  return created;
}

/** A resolver that answers every name with these addresses and records what it was asked. */
function fixedResolver(addresses: string[], asked: string[] = []): HostResolver {
  return (hostname) => {
    asked.push(hostname);
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

/** The error a request failed with (undici's fetch wraps it in a TypeError's cause). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error instanceof TypeError && error.cause !== undefined ? error.cause : error;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  guard = installDialGuard();
  server = http.createServer((req, res) => {
    if (req.url === '/silent') {
      req.on('close', () => silentClosed?.());
      return; // never answers
    }
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.url ?? ''}`);
  });
  server.on('connection', () => {
    accepted += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((created) => created.close()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  guard.restore();
  expect(guard.refused).toEqual([]);
});

describe('createGuardedDispatcher on loopback', () => {
  it('reaches a loopback server with allowLoopback', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/a`, { dispatcher: dispatcher({ allowLoopback: true }) });
    expect(await response.text()).toBe('hello /a');
  });

  it('reaches localhost through the resolver, pinned to the address it returned', async () => {
    const asked: string[] = [];
    const response = await request(`http://localhost:${port}/b`, { dispatcher: dispatcher({ allowLoopback: true, resolve: fixedResolver(['127.0.0.1'], asked) }) });
    expect(await response.body.text()).toBe('hello /b');
    expect(asked).toEqual(['localhost']);
    expect(guard.connects.at(-1)).toBe('127.0.0.1');
  });

  it('falls through to the next vetted address when a dial fails', async () => {
    // ::1 has no listener on this port (the server is bound to 127.0.0.1 only).
    const response = await request(`http://localhost:${port}/c`, { dispatcher: dispatcher({ allowLoopback: true, resolve: fixedResolver(['::1', '127.0.0.1']) }) });
    expect(await response.body.text()).toBe('hello /c');
    expect(guard.connects.slice(-2)).toEqual(['::1', '127.0.0.1']);
  });

  it('gives up on a server that sends no headers within headersTimeoutMs', async () => {
    const closed = new Promise<void>((resolve) => {
      silentClosed = resolve;
    });
    const error = await failure(request(`http://127.0.0.1:${port}/silent`, { dispatcher: dispatcher({ allowLoopback: true, headersTimeoutMs: 100 }) }));
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    await closed;
    silentClosed = undefined;
  });

  it('refuses loopback without allowLoopback, before any connection', async () => {
    const before = { accepted, connects: guard.connects.length };
    const error = await failure(fetch(`http://127.0.0.1:${port}/`, { dispatcher: dispatcher({}) }));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('BLOCKED_ADDRESS');
    expect((error as RemoteError).message).toContain('loopback');
    expect(guard.connects.length).toBe(before.connects);
    expect(accepted).toBe(before.accepted);
  });

  it('refuses localhost resolving to loopback without allowLoopback', async () => {
    const before = guard.connects.length;
    const error = await failure(request(`http://localhost:${port}/`, { dispatcher: dispatcher({ resolve: fixedResolver(['127.0.0.1']) }) }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(guard.connects.length).toBe(before);
  });
});

describe('createGuardedDispatcher refuses blocked addresses before dialling', () => {
  it.each([
    ['169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
  ])('refuses a host resolving to %s (%s)', async (address, range) => {
    const before = guard.connects.length;
    const error = await failure(fetch('https://metadata.example.test/latest', { dispatcher: dispatcher({ allowLoopback: true, resolve: fixedResolver([address]) }) }));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('BLOCKED_ADDRESS');
    expect((error as RemoteError).message).toContain('metadata.example.test');
    expect((error as RemoteError).message).toContain(address);
    expect((error as RemoteError).message).toContain(`the ${range} range`);
    expect(guard.connects.length).toBe(before);
  });

  it('refuses the host if ANY address is blocked, even with a public one first', async () => {
    const before = guard.connects.length;
    const error = await failure(fetch('https://mixed.example.test/', { dispatcher: dispatcher({ resolve: fixedResolver(['203.0.113.7', '10.0.0.1']) }) }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(guard.connects.length).toBe(before);
  });

  it.each(['https://169.254.169.254/latest', 'https://[fd00::1]/x', 'http://10.0.0.1/'])('checks the IP-literal host of %s without resolving', async (url) => {
    const asked: string[] = [];
    const before = guard.connects.length;
    const error = await failure(fetch(url, { dispatcher: dispatcher({ allowLoopback: true, resolve: fixedResolver(['127.0.0.1'], asked) }) }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(asked).toEqual([]);
    expect(guard.connects.length).toBe(before);
  });

  it('refuses plain http to a name resolving to a public address', async () => {
    const before = guard.connects.length;
    const error = await failure(fetch('http://localhost/', { dispatcher: dispatcher({ allowLoopback: true, resolve: fixedResolver(['203.0.113.7']) }) }));
    expect(error).toMatchObject({ code: 'INSECURE_URL' });
    expect(guard.connects.length).toBe(before);
  });

  it('reports a resolver failure and an empty answer as NETWORK_ERROR', async () => {
    const failing: HostResolver = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await failure(fetch('https://nowhere.example.test/', { dispatcher: dispatcher({ resolve: failing }) }))).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(await failure(fetch('https://nowhere.example.test/', { dispatcher: dispatcher({ resolve: fixedResolver([]) }) }))).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('times out a resolver that never answers', async () => {
    const hanging: HostResolver = () => new Promise(() => undefined);
    const error = await failure(fetch('https://slow.example.test/', { dispatcher: dispatcher({ resolve: hanging, connectTimeoutMs: 50 }) }));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect((error as Error).message).toContain('timed out after 50 ms');
  });

  it('rejects a timeout that is not a positive integer', () => {
    expect(() => createGuardedDispatcher({ connectTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => createGuardedDispatcher({ headersTimeoutMs: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('createGuardedDispatcher trusts the configured upstream origin, and only it', () => {
  it('connects to the trusted origin at an address the policy would refuse (loopback, without allowLoopback)', async () => {
    const origin = `http://internal.example.test:${port}`;
    const response = await fetch(`${origin}/mcp`, { dispatcher: dispatcher({ trustedOrigin: origin, resolve: fixedResolver(['127.0.0.1']) }) });
    expect(await response.text()).toBe('hello /mcp');
  });

  it('applies the whole policy to the same host on another port', async () => {
    const before = guard.connects.length;
    const error = await failure(fetch(`http://internal.example.test:${port}/`, { dispatcher: dispatcher({ trustedOrigin: `http://internal.example.test:${port + 1}`, resolve: fixedResolver(['127.0.0.1']) }) }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(guard.connects.length).toBe(before);
  });

  it('never trusts a link-local address, even for the configured origin', async () => {
    const before = guard.connects.length;
    const origin = 'https://internal.example.test';
    const error = await failure(fetch(`${origin}/mcp`, { dispatcher: dispatcher({ trustedOrigin: origin, resolve: fixedResolver(['169.254.169.254']) }) }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(guard.connects.length).toBe(before);
  });
});
