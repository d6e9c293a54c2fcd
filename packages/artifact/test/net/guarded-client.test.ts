import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import { getDefaultAutoSelectFamily, setDefaultAutoSelectFamily, type AddressInfo } from 'node:net';
import { ArtifactError } from '../../src/errors.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { GuardedClientOptions, HostResolver } from '../../src/net/guarded-client.types.js';
import { loopbackTls } from '../support/tls.js';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';

// Every server here listens on 127.0.0.1; blocked addresses are only ever named, never dialled.
const tls = loopbackTls();
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface TestServer {
  origin: string;
  port: number;
  /** Requests received, as `METHOD path`. */
  seen: string[];
  /** Headers of each request received. */
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
  return { origin: `${plain ? 'http' : 'https'}://127.0.0.1:${port}`, port, seen, headers };
}

/** A resolver answering from a fixed table and recording what it was asked. */
function resolverOf(table: Record<string, string[]>, asked: string[] = []): HostResolver {
  return async (hostname) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

/** A client for the loopback servers (loopback allowed via allowPrivateHosts, the fixture CA trusted). */
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

const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello');
};

describe('createGuardedClient: basics', () => {
  it('fetches over HTTPS, sending identity encoding and the mcptrust user agent', async () => {
    const server = await serve(ok);
    const response = await client().get(`${server.origin}/a?b=1`, { headers: { 'Accept-Encoding': 'gzip', accept: 'text/plain' } });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello');
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.url).toBe(`${server.origin}/a?b=1`);
    expect(server.seen).toEqual(['GET /a?b=1']);
    expect(server.headers[0]?.['accept-encoding']).toBe('identity');
    expect(server.headers[0]?.['user-agent']).toBe('mcptrust');
    expect(server.headers[0]?.accept).toBe('text/plain');
  });

  it('resolves a name through the injected resolver and still verifies the certificate against the name', async () => {
    const server = await serve(ok);
    const asked: string[] = [];
    const resolve = resolverOf({ localhost: ['127.0.0.1'], 'registry.test': ['127.0.0.1'] }, asked);
    const response = await client({ resolve }).get(`https://localhost:${server.port}/x`);
    expect(response.body.toString()).toBe('hello');
    expect(asked).toEqual(['localhost']);
    // The fixture certificate does not name registry.test: TLS must refuse it.
    const error = await failure(client({ resolve }).get(`https://registry.test:${server.port}/x`));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain(`https://registry.test:${server.port}/x`);
    expect(server.seen).toEqual(['GET /x']);
  });

  it('hands the vetted address to a socket that asks for one address (no address family selection)', async () => {
    const server = await serve(ok);
    const previous = getDefaultAutoSelectFamily();
    setDefaultAutoSelectFamily(false);
    try {
      const response = await client({ resolve: resolverOf({ localhost: ['127.0.0.1'] }) }).get(`https://localhost:${server.port}/single`);
      expect(response.body.toString()).toBe('hello');
    } finally {
      setDefaultAutoSelectFamily(previous);
    }
    expect(server.seen).toEqual(['GET /single']);
  });

  it('answers HEAD without a body', async () => {
    const server = await serve(ok);
    const response = await client().request(`${server.origin}/h`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(server.seen).toEqual(['HEAD /h']);
  });

  it('calls onWarning once per client when private hosts are allowed, never otherwise', async () => {
    const server = await serve(ok);
    const warnings: string[] = [];
    const guarded = client({ onWarning: (message) => warnings.push(message) });
    await guarded.get(`${server.origin}/1`);
    await guarded.get(`${server.origin}/2`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARNING/);
    expect(warnings[0]).toContain('--unsafe-allow-private-tarball-hosts');
    const quiet: string[] = [];
    createGuardedClient({ onWarning: (message) => quiet.push(message) });
    expect(quiet).toEqual([]);
  });
});

describe('createGuardedClient: schemes and addresses', () => {
  it('refuses http:// and URLs with credentials', async () => {
    const guarded = client();
    const plain = await failure(guarded.get('http://registry.example/pkg'));
    expect(plain.code).toBe('INSECURE_URL');
    expect(plain.message).toContain('http://registry.example/pkg');
    const userinfo = await failure(guarded.get('https://user:secret@registry.example/pkg'));
    expect(userinfo.code).toBe('INSECURE_URL');
    expect(userinfo.message).not.toContain('secret');
    expect((await failure(guarded.get('ftp://registry.example/pkg'))).code).toBe('INSECURE_URL');
    expect((await failure(guarded.get('not a url'))).code).toBe('INSECURE_URL');
  });

  it('allows plain http only to loopback and only with insecureHttpLoopback', async () => {
    const server = await serve(ok, true);
    expect((await failure(client().get(`${server.origin}/p`))).code).toBe('INSECURE_URL');
    const loopback = createGuardedClient({ insecureHttpLoopback: true });
    expect((await loopback.get(`${server.origin}/p`)).body.toString()).toBe('hello');
    // A name resolving off loopback is refused for http even when the policy is off.
    const resolve = resolverOf({ 'mirror.test': ['203.0.113.9'] });
    const error = await failure(createGuardedClient({ insecureHttpLoopback: true, allowPrivateHosts: true, resolve }).get('http://mirror.test/p'));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain('loopback');
    expect(server.seen).toEqual(['GET /p']);
  });

  it('refuses a host when ANY resolved address is blocked, before any connection', async () => {
    const server = await serve(ok);
    const asked: string[] = [];
    // Loopback is allowed here (insecureHttpLoopback), so only 10.0.0.1 can cause the refusal.
    const mixed = createGuardedClient({ ca: tls.cert, insecureHttpLoopback: true, resolve: resolverOf({ localhost: ['127.0.0.1', '10.0.0.1'] }, asked) });
    const error = await failure(mixed.get(`https://localhost:${server.port}/x`));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('localhost');
    expect(error.message).toContain('10.0.0.1');
    expect(error.message).toContain('private');
    expect(asked).toEqual(['localhost']);
    expect(server.seen).toEqual([]);
  });

  it('refuses a public + private answer', async () => {
    const resolve = resolverOf({ 'registry.example': ['203.0.113.10', '10.0.0.1'] });
    const error = await failure(createGuardedClient({ resolve }).get('https://registry.example/pkg'));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('10.0.0.1');
    // The socket was created for the name, but the guarded lookup never handed it an address.
    expect(dials.connects).toContain('registry.example');
  });

  it('refuses blocked IP literals before any request, without resolving or opening a socket', async () => {
    const asked: string[] = [];
    const sockets = dials.connects.length;
    const started = Date.now();
    const guarded = createGuardedClient({ resolve: resolverOf({}, asked) });
    for (const [url, range] of [
      ['https://10.0.0.1/x', 'private'],
      ['https://169.254.169.254/latest/meta-data/', 'linkLocal'],
      ['https://[::ffff:10.0.0.1]/x', 'ipv4Mapped(private)'],
      ['https://[64:ff9b::a00:1]/x', 'nat64'],
      ['https://127.0.0.1/x', 'loopback'],
      ['https://0x7f.1/x', 'loopback'], // WHATWG URL normalises to 127.0.0.1
    ] as const) {
      const error = await failure(guarded.get(url));
      expect(error.code).toBe('BLOCKED_ADDRESS');
      expect(error.message).toContain(range);
    }
    expect(asked).toEqual([]);
    expect(dials.connects.length).toBe(sockets);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reports a resolver failure as DOWNLOAD_FAILED naming the URL', async () => {
    const error = await failure(createGuardedClient({ resolve: resolverOf({}) }).get('https://nowhere.test/pkg'));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('https://nowhere.test/pkg');
  });
});
