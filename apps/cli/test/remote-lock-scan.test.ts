// `mcptrust scan --url` and `mcptrust lock --url`, end to end through the built CLI,
// against loopback Streamable HTTP and legacy HTTP+SSE servers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm } from 'node:fs/promises';
import { startLegacySseServer, startMcpHttpServer, startMisbehavingServer, startServerEverything } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { FIXTURE } from './helpers.js';
import { Fixtures, endpointOf, makeHome, readDials, readLock, unusedPort, writeDialRecorder } from './remote-helpers.js';
import type { TestHome } from './remote-helpers.js';

/** The tools the Streamable HTTP fixture serves from the start. */
const FIXTURE_TOOLS = ['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow'];

let home: TestHome;
const fixtures = new Fixtures();
beforeAll(async () => {
  home = await makeHome('remote-lock');
});
afterEach(async () => {
  await fixtures.closeAll();
});
afterAll(async () => {
  await home.remove();
});

describe('mcptrust scan --url', () => {
  it('prints the ScanReport of a Streamable HTTP server, server.url being its endpoint', async () => {
    const server = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['scan', '--url', server.url]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { server: { name: string; url?: string }; tools: Array<{ name: string }> };
    expect(report.server.url).toBe(server.url);
    expect(report.server.name).toBe('mcptrust-http-fixture');
    expect(report.tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    // The scan ends its session.
    await server.waitForRequest((q) => q.method === 'DELETE');
  });

  it('keeps a query string of --url out of the report (it may carry a token)', async () => {
    const server = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['scan', '--url', `${server.url}?token=q-secret-31`]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { server: { url?: string } }).server.url).toBe(server.url);
    expect(r.stdout + r.stderr).not.toContain('q-secret-31');
    expect(server.requests.some((q) => q.url === '/mcp?token=q-secret-31')).toBe(true);
  });

  it.each([
    [['--header', 'X-Tenant: a'], /--header needs --url/],
    [['--transport', 'sse'], /--transport needs --url/],
  ])('exits 2 for %j with a server command instead of --url, before starting it', async (flags, message) => {
    const started = home.path(`scan-started-${flags[0]!.slice(2)}.log`);
    const r = await home.run(['scan', ...flags, '--', process.execPath, FIXTURE, '--log-requests', started]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    await expect(readFile(started)).rejects.toThrow();
  });
});

describe('mcptrust lock --url', () => {
  it('records server.url without the query string and pins the tools; re-locking an unchanged server leaves the bytes as they are', async () => {
    const server = fixtures.track(await startMcpHttpServer());
    const out = home.path('fixture.json');
    const first = await home.run(['lock', '-o', out, '--url', `${server.url}?tenant=a&sig=secret`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/--url has a query string/);
    expect(first.stderr).toContain('written');
    // The query string did reach the server.
    expect(server.requests.some((q) => q.url === '/mcp?tenant=a&sig=secret')).toBe(true);
    const bytes = await readFile(out, 'utf8');
    expect(bytes).not.toContain('sig=secret');
    const lock = await readLock(out);
    expect(lock.lockFileVersion).toBe('3.0');
    expect(lock.server.url).toBe(server.url);
    expect(Object.keys(lock.tools).sort()).toEqual(FIXTURE_TOOLS);

    const again = await home.run(['lock', '-o', out, '--url', server.url]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/up to date/);
    expect(await readFile(out, 'utf8')).toBe(bytes);
  });

  it('refuses a server that added exec_shell (exit 1, file untouched) and pins it with --force', async () => {
    const server = fixtures.track(await startMcpHttpServer());
    const out = home.path('drifted.json');
    expect((await home.run(['lock', '-o', out, '--url', server.url])).code).toBe(0);
    const before = await readFile(out, 'utf8');
    server.addTool('exec_shell');

    const refused = await home.run(['lock', '-o', out, '--url', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tool `exec_shell` was added/);
    expect(refused.stderr).toMatch(/--force/);
    expect(await readFile(out, 'utf8')).toBe(before);

    const forced = await home.run(['lock', '--force', '-o', out, '--url', server.url]);
    expect(forced.code).toBe(0);
    const lock = await readLock(out);
    expect(lock.tools['exec_shell']?.riskLevel).toBe('HIGH');
    expect(lock.server.url).toBe(server.url);
  });

  it('refuses another endpoint as a change of the lockfile unless --force', async () => {
    const a = fixtures.track(await startMcpHttpServer());
    const b = fixtures.track(await startMcpHttpServer());
    const out = home.path('moved.json');
    expect((await home.run(['lock', '-o', out, '--url', a.url])).code).toBe(0);
    const before = await readFile(out, 'utf8');

    const refused = await home.run(['lock', '-o', out, '--url', b.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/server `mcptrust-http-fixture` changed: url/);
    expect(refused.stderr).toContain(`endpoint: ${a.url} → ${b.url}`);
    expect(await readFile(out, 'utf8')).toBe(before);

    const forced = await home.run(['lock', '--force', '-o', out, '--url', b.url]);
    expect(forced.code).toBe(0);
    expect((await readLock(out)).server.url).toBe(b.url);
  });

  it('pins the same tools of server-everything over Streamable HTTP and over legacy SSE (--transport sse)', async () => {
    const http = fixtures.track(await startServerEverything({ transport: 'streamableHttp' }));
    const sse = fixtures.track(await startServerEverything({ transport: 'sse' }));
    const overHttp = home.path('everything-http.json');
    const overSse = home.path('everything-sse.json');
    const r1 = await home.run(['lock', '-o', overHttp, '--url', http.url, '--transport', 'streamable-http']);
    expect(r1.code).toBe(0);
    const r2 = await home.run(['lock', '-o', overSse, '--url', sse.url, '--transport', 'sse']);
    expect(r2.code).toBe(0);

    const httpLock = await readLock(overHttp);
    const sseLock = await readLock(overSse);
    expect(httpLock.server.url).toBe(http.url);
    expect(sseLock.server.url).toBe(sse.url);
    const httpTools = Object.keys(httpLock.tools).sort();
    expect(httpTools).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    expect(Object.keys(sseLock.tools).sort()).toEqual(httpTools);
    // --transport sse speaks the legacy transport only: a GET stream, never a Streamable HTTP POST to /sse.
    expect(sse.requests.some((q) => q.method === 'GET' && q.url.startsWith('/sse'))).toBe(true);
    expect(sse.requests.filter((q) => q.method === 'POST' && q.url.startsWith('/sse'))).toEqual([]);
    expect(http.requests.some((q) => q.method === 'POST' && q.rpcMethods.includes('tools/list'))).toBe(true);
  });

  describe('with --header', () => {
    const TOKEN = 'e2e-bearer-7f3a9c';

    it('sends "Authorization: Bearer ${TOKEN}" taken from the environment to a server that requires it', async () => {
      const server = fixtures.track(await startMcpHttpServer({ requireAuth: TOKEN }));
      const out = home.path('auth.json');
      const r = await home.run(['lock', '-o', out, '--url', server.url, '--header', 'Authorization: Bearer ${MCPTRUST_E2E_TOKEN}'], { MCPTRUST_E2E_TOKEN: TOKEN });
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/literal value/);
      expect(r.stderr).not.toContain(TOKEN);
      expect(Object.keys((await readLock(out)).tools).sort()).toEqual(FIXTURE_TOOLS);
      const mcpRequests = server.requests.filter((q) => q.url.startsWith('/mcp'));
      expect(mcpRequests.length).toBeGreaterThan(0);
      expect(mcpRequests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(mcpRequests.every((q) => q.status !== 401)).toBe(true);
    });

    it('exits 2 naming the 401 when the server requires a token and none is given, and writes no lockfile', async () => {
      const server = fixtures.track(await startMcpHttpServer({ requireAuth: TOKEN }));
      const out = home.path('no-auth.json');
      const r = await home.run(['lock', '-o', out, '--url', server.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/401|unauthori[sz]ed/i);
      expect(r.stderr).toContain(server.url);
      await expect(readFile(out)).rejects.toThrow();
      await server.waitForRequest((q) => q.status === 401);
    });

    it('warns about a literal Authorization value without ever printing it', async () => {
      const server = fixtures.track(await startMcpHttpServer({ requireAuth: TOKEN }));
      const r = await home.run(['scan', '--url', server.url, '--header', 'Authorization: Bearer wrong-literal-5e1d']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/warning: --header Authorization carries a literal value/);
      expect(r.stderr).toMatch(/401/);
      expect(r.stderr).not.toContain('wrong-literal-5e1d');
    });

    it('exits 2 naming an unset variable, before connecting', async () => {
      const server = fixtures.track(await startMcpHttpServer({ requireAuth: TOKEN }));
      const r = await home.run(['lock', '-o', home.path('unset.json'), '--url', server.url, '--header', 'Authorization: Bearer ${MCPTRUST_E2E_UNSET}'], { MCPTRUST_E2E_UNSET: undefined });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/MCPTRUST_E2E_UNSET/);
      expect(r.stderr).toMatch(/not set/);
      expect(server.requests).toEqual([]);
    });
  });

  describe('refusals before any connection', () => {
    it('exits 2 for plain http:// to a host that is not loopback, without a DNS lookup or a connection', async () => {
      const recorder = await writeDialRecorder(home);
      // The recorder works: a loopback scan shows up in its log.
      const server = fixtures.track(await startMcpHttpServer());
      const control = await home.run(['scan', '--url', `http://localhost:${server.port}/mcp`], { NODE_OPTIONS: recorder.options });
      expect(control.code).toBe(0);
      const controlDials = await readDials(recorder.log);
      expect(controlDials).toContain('lookup localhost');
      expect(controlDials).toContain(`:${server.port}`);
      await rm(recorder.log, { force: true });

      const r = await home.run(['lock', '-o', home.path('insecure.json'), '--url', 'http://example.com/mcp'], { NODE_OPTIONS: recorder.options });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--url/);
      expect(r.stderr).toMatch(/http:\/\/example\.com\/mcp/);
      expect(r.stderr).toMatch(/loopback|https/);
      expect(await readDials(recorder.log)).toBe('');
      await expect(readFile(home.path('insecure.json'))).rejects.toThrow();
    });

    it('exits 2 when --url and a server command after -- are both given', async () => {
      const server = fixtures.track(await startMcpHttpServer());
      const r = await home.run(['lock', '-o', home.path('both.json'), '--url', server.url, '--', process.execPath, '-e', '0']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/either --url or a server command/);
      expect(server.requests).toEqual([]);
    });

    it('exits 2 for --pin with --url (a remote server has no package to pin)', async () => {
      const server = fixtures.track(await startMcpHttpServer());
      const r = await home.run(['lock', '--pin', '-o', home.path('pin.json'), '--url', server.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--pin/);
      expect(r.stderr).toMatch(/--url/);
      expect(server.requests).toEqual([]);
    });
  });

  it.each([
    ['stateless', { stateless: true }],
    ['JSON answers', { jsonResponse: true }],
    ['stateless with JSON answers', { stateless: true, jsonResponse: true }],
    ['resumable (event store)', { eventStore: true }],
  ])('locks a %s server, and check passes against it', async (name, options) => {
    const server = fixtures.track(await startMcpHttpServer(options));
    const out = home.path(`mode-${name.replace(/\W+/g, '-')}.json`);
    const r = await home.run(['lock', '-o', out, '--url', server.url]);
    expect(r.code).toBe(0);
    expect(Object.keys((await readLock(out)).tools).sort()).toEqual(FIXTURE_TOOLS);
    expect((await home.run(['check', '--lock', out, '--url', server.url])).code).toBe(0);
  });

  it('exits 2 when --transport streamable-http meets a legacy SSE server (no fallback), and auto falls back', async () => {
    const server = fixtures.track(await startLegacySseServer());
    const strict = await home.run(['scan', '--transport', 'streamable-http', '--url', server.url]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(server.url);
    expect(server.requests.some((q) => q.method === 'GET')).toBe(false);

    const auto = await home.run(['scan', '--url', server.url]);
    expect(auto.code).toBe(0);
    const report = JSON.parse(auto.stdout) as { server: { name: string; url?: string }; tools: Array<{ name: string }> };
    expect(report.server).toMatchObject({ name: 'mcptrust-sse-fixture', url: server.url });
    expect(report.tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
  });

  describe('when the server breaks the transport', () => {
    const KEY = 'api-key-value-9d2e';
    it.each([
      ['status-500', /HTTP 500/],
      ['wrong-content-type', /content type text\/html/],
      ['oversized-event', /cap/],
      ['stream-ends-early', /ended the stream before the response/],
    ] as const)('%s: exits 2 naming the endpoint, never the header value, and writes no lockfile', async (behaviour, message) => {
      const server = fixtures.track(await startMisbehavingServer(behaviour));
      const out = home.path(`broken-${behaviour}.json`);
      const r = await home.run(['lock', '--timeout', '5s', '-o', out, '--url', server.url, '--header', 'X-Api-Key: ${MCPTRUST_E2E_KEY}'], { MCPTRUST_E2E_KEY: KEY });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(server.url);
      expect(r.stderr).toMatch(message);
      expect(r.stderr + r.stdout).not.toContain(KEY);
      await expect(readFile(out)).rejects.toThrow();
      // The server was reached: the failure is its answer, not a refused connection.
      expect(server.requests.some((q) => q.rpcMethods.includes('initialize'))).toBe(true);
    });

    it('hang: exits 2 at the --timeout deadline, naming where it was stuck', async () => {
      const server = fixtures.track(await startMisbehavingServer('hang'));
      const started = Date.now();
      const r = await home.run(['scan', '--timeout', '1500ms', '--url', server.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/did not finish within 1500 ms/);
      expect(r.stderr).toMatch(/tools\/list/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('redirect-private: exits 2 without following the redirect to a link-local address', async () => {
      const recorder = await writeDialRecorder(home);
      await rm(recorder.log, { force: true });
      const server = fixtures.track(await startMisbehavingServer('redirect-private', { fromStart: true }));
      const r = await home.run(['scan', '--url', server.url], { NODE_OPTIONS: recorder.options });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/307/);
      const dials = await readDials(recorder.log);
      expect(dials).toContain(`127.0.0.1:${server.port}`);
      expect(dials).not.toContain('169.254');
    });
  });

  it('exits 2 with a clear message when nothing listens on the port', async () => {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const r = await home.run(['lock', '-o', home.path('unreachable.json'), '--url', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/could not reach|unreachable|ECONNREFUSED/i);
    expect(r.stderr).toContain(endpointOf(url));
    await expect(readFile(home.path('unreachable.json'))).rejects.toThrow();
  });
});
