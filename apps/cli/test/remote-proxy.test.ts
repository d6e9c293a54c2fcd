// `mcptrust proxy --url`, end to end: a real host (the MCP SDK `Client` over
// `StdioClientTransport`) runs the built proxy, which enforces the lockfile in front of a
// loopback Streamable HTTP server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startLegacySseServer, startMcpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import type { McpHttpServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { FIXTURE, NODE, isAlive } from './helpers.js';
import { Fixtures, closeRemoteHosts, connectRemoteHost, makeHome, readLock } from './remote-helpers.js';
import type { TestHome } from './remote-helpers.js';

/** The tools the Streamable HTTP fixture serves from the start. */
const FIXTURE_TOOLS = ['add', 'drop_stream', 'echo', 'elicit', 'sample', 'slow'];
/** The engine's error code for a refused call. */
const DENIED = -32050;

let home: TestHome;
const fixtures = new Fixtures();
beforeAll(async () => {
  home = await makeHome('remote-proxy');
});
afterEach(async () => {
  await closeRemoteHosts();
  await fixtures.closeAll();
});
afterAll(async () => {
  await home.remove();
});

/** Starts a fixture server and locks it into `name`. */
async function lockedServer(name: string, options: Parameters<typeof startMcpHttpServer>[0] = {}, lockArgs: string[] = [], env: Record<string, string> = {}): Promise<{ server: McpHttpServer; lock: string }> {
  const server = fixtures.track(await startMcpHttpServer(options));
  const lock = home.path(name);
  const r = await home.run(['lock', '-o', lock, '--url', server.url, ...lockArgs], env);
  expect(r.code).toBe(0);
  expect((await readLock(lock)).server.url).toBe(server.url);
  return { server, lock };
}

/** The text of the first content block of a tool result. */
function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}

describe('mcptrust proxy --url with an SDK host', () => {
  it('lists exactly the pinned tools and forwards an allowed call', async () => {
    const { server, lock } = await lockedServer('proxy.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    const result = await host.client.callTool({ name: 'echo', arguments: { text: 'through the firewall' } });
    expect(textOf(result)).toBe('through the firewall');
    expect(server.requests.some((q) => q.method === 'POST' && q.rpcMethods.includes('tools/call'))).toBe(true);
  });

  it('hides a tool added upstream after locking and refuses to call it, without the call reaching the server', async () => {
    const { server, lock } = await lockedServer('proxy-drift.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    server.addTool('exec_shell');
    const listsBefore = server.requests.filter((q) => q.rpcMethods.includes('tools/list')).length;

    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    // The list did come from the server, which now offers exec_shell: the proxy filtered it.
    expect(server.requests.filter((q) => q.rpcMethods.includes('tools/list')).length).toBeGreaterThan(listsBefore);
    await host.waitForStderr(/action=filtered method=tools\/list count=1 reason="not in allowlist" items=exec_shell/);

    const refused = await host.client.callTool({ name: 'exec_shell', arguments: { command: 'id' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(DENIED);
    expect(server.requests.some((q) => q.rpcMethods.includes('tools/call'))).toBe(false);
    await host.waitForStderr(/action=blocked method=tools\/call tool=exec_shell reason="not in allowlist"/);
  });

  it('refuses the session at preflight when the server already drifted (the host gets the error naming exec_shell)', async () => {
    const { server, lock } = await lockedServer('proxy-preflight.json');
    server.addTool('exec_shell');
    const error = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env()).then(
      () => undefined,
      (e: unknown) => e as Error & { stderr?: string },
    );
    expect(error).toBeDefined();
    expect(String(error?.message)).toContain('exec_shell');
    expect(server.requests.some((q) => q.rpcMethods.includes('tools/call'))).toBe(false);
    // The refused session is ended upstream too.
    const initialized = server.requests.filter((q) => q.rpcMethods.includes('tools/list') && q.sessionId !== undefined).at(-1);
    await server.waitForRequest((q) => q.method === 'DELETE' && q.sessionId === initialized?.sessionId);
  });

  it('sends the --header taken from the environment on every request to the server', async () => {
    const token = 'proxy-token-41c2';
    const { server, lock } = await lockedServer('proxy-auth.json', { requireAuth: token }, ['--header', 'Authorization: Bearer ${MCPTRUST_E2E_TOKEN}'], { MCPTRUST_E2E_TOKEN: token });
    const from = server.requests.length;
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url, '--header', 'Authorization: Bearer ${MCPTRUST_E2E_TOKEN}'], home.env({ MCPTRUST_E2E_TOKEN: token }));
    expect(textOf(await host.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    const mine = server.requests.slice(from).filter((q) => q.url.startsWith('/mcp'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((q) => q.authorization === `Bearer ${token}`)).toBe(true);
    expect(host.stderr()).not.toContain(token);
  });

  it('ends the upstream session with DELETE when the host closes', async () => {
    const { server, lock } = await lockedServer('proxy-close.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    await host.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const call = server.requests.find((q) => q.rpcMethods.includes('tools/call'));
    const session = call?.sessionId;
    expect(session).toBeDefined();
    expect(server.requests.some((q) => q.method === 'DELETE' && q.sessionId === session)).toBe(false);

    await host.client.close();
    const deleted = await server.waitForRequest((q) => q.method === 'DELETE' && q.sessionId === session, 10_000);
    expect(deleted.sessionId).toBe(session);
    // The proxy exits once the host is gone.
    const until = Date.now() + 10_000;
    while (isAlive(host.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(isAlive(host.pid)).toBe(false);
  });
});

describe('mcptrust proxy --url across server modes', () => {
  it.each([
    ['stateless', { stateless: true }],
    ['stateless with JSON answers', { stateless: true, jsonResponse: true }],
    ['resumable (event store)', { eventStore: true }],
  ])('a %s server: pinned tools listed, calls forwarded, exec_shell refused', async (name, options) => {
    const { server, lock } = await lockedServer(`proxy-mode-${name.replace(/\W+/g, '-')}.json`, options);
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    expect(textOf(await host.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }))).toBe('3');
    server.addTool('exec_shell');
    expect((await host.client.listTools()).tools.map((t) => t.name)).not.toContain('exec_shell');
    const refused = await host.client.callTool({ name: 'exec_shell', arguments: { command: 'id' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as McpError | undefined)?.code).toBe(DENIED);
  });
});

describe('mcptrust proxy --url audit log', () => {
  it('records the endpoint as the server of the chain (no query string, no header value), and the chain verifies', async () => {
    const token = 'audit-token-8b0f';
    const { server, lock } = await lockedServer('proxy-audit.json', { requireAuth: token }, ['--header', 'Authorization: Bearer ${MCPTRUST_E2E_TOKEN}'], { MCPTRUST_E2E_TOKEN: token });
    const chain = home.path('proxy-audit.jsonl');
    const host = await connectRemoteHost(
      ['--lock', lock, '--url', `${server.url}?tenant=q-secret-77`, '--header', 'Authorization: Bearer ${MCPTRUST_E2E_TOKEN}', '--audit-log', chain],
      home.env({ MCPTRUST_E2E_TOKEN: token }),
    );
    expect(textOf(await host.client.callTool({ name: 'echo', arguments: { text: 'audited' } }))).toBe('audited');
    await host.client.close();
    await server.waitForRequest((q) => q.method === 'DELETE');
    const until = Date.now() + 10_000;
    while (isAlive(host.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));

    const text = await readFile(chain, 'utf8');
    expect(text).toContain(server.url);
    expect(text).not.toContain('q-secret-77');
    expect(text).not.toContain(token);
    expect(text).toMatch(/"tool":"echo"/);
    const verified = await home.run(['audit', 'verify', chain]);
    expect(verified.code).toBe(0);
  });
});

describe('mcptrust proxy --url when the upstream session or server goes away', () => {
  it('starts a new session when the server lost it, checks it against the lockfile, and calls go through again', async () => {
    const { server, lock } = await lockedServer('proxy-expiry.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    expect(textOf(await host.client.callTool({ name: 'echo', arguments: { text: 'before' } }))).toBe('before');
    const first = server.sessionIds();
    expect(first).toHaveLength(1);
    server.expireSessions();

    // The call that meets the 404 may fail (it was in flight when the session was lost); a later one must succeed.
    let answer = '';
    for (let attempt = 0; attempt < 3 && answer === ''; attempt += 1) {
      answer = await host.client.callTool({ name: 'echo', arguments: { text: 'after' } }).then(textOf, () => '');
    }
    expect(answer).toBe('after');
    expect(server.sessionIds()).toHaveLength(1);
    expect(server.sessionIds()[0]).not.toBe(first[0]);
    await host.waitForStderr(/lost the session/);
  });

  it('refuses the new session when the server drifted meanwhile: even a pinned tool is refused, and no call reaches a live session', async () => {
    const { server, lock } = await lockedServer('proxy-expiry-drift.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url], home.env());
    expect(textOf(await host.client.callTool({ name: 'echo', arguments: { text: 'before' } }))).toBe('before');
    server.addTool('exec_shell');
    server.expireSessions();
    const callsBefore = server.requests.filter((q) => q.rpcMethods.includes('tools/call')).length;

    const outcomes: unknown[] = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // echo is pinned: only the refused session stops it.
      outcomes.push(await host.client.callTool({ name: 'echo', arguments: { text: 'after' } }).then(() => 'answered', (error: unknown) => error));
    }
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(McpError);
    expect((outcomes.at(-1) as McpError).code).toBe(-32062);
    // At most the call in flight met the lost session (404); none reached a live session.
    const after = server.requests.filter((q) => q.rpcMethods.includes('tools/call')).slice(callsBefore);
    expect(after.length).toBeLessThanOrEqual(1);
    expect(after.every((q) => q.status === 404)).toBe(true);
    await host.waitForStderr(/action=blocked method=preflight tool=exec_shell/);
  });

  it('answers a call with an error, and does not hang, once the server is gone', async () => {
    const { server, lock } = await lockedServer('proxy-gone.json');
    const host = await connectRemoteHost(['--lock', lock, '--url', server.url, '--timeout', '5s'], home.env());
    expect(textOf(await host.client.callTool({ name: 'echo', arguments: { text: 'up' } }))).toBe('up');
    await server.close();
    const started = Date.now();
    const outcome = await host.client.callTool({ name: 'echo', arguments: { text: 'down' } }, undefined, { timeout: 20_000 }).then(
      () => 'answered',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(McpError);
    // An error from the proxy, not the host's own request timeout (-32001).
    expect((outcome as McpError).code).not.toBe(-32001);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('mcptrust proxy --url in front of a legacy HTTP+SSE server', () => {
  it('locks it (auto falls back to SSE), lists the pinned tools, forwards a call and refuses a tool added later', async () => {
    const server = fixtures.track(await startLegacySseServer());
    const lock = home.path('proxy-sse.json');
    expect((await home.run(['lock', '-o', lock, '--url', server.url])).code).toBe(0);
    expect((await readLock(lock)).server.url).toBe(server.url);
    // auto tried Streamable HTTP first (a POST to /sse), then fell back.
    expect(server.requests.some((q) => q.method === 'POST' && q.url.startsWith('/sse'))).toBe(true);
    const from = server.requests.length;

    const host = await connectRemoteHost(['--lock', lock, '--url', server.url, '--transport', 'sse'], home.env());
    expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(FIXTURE_TOOLS);
    expect(textOf(await host.client.callTool({ name: 'add', arguments: { a: 20, b: 22 } }))).toBe('42');
    server.addTool('exec_shell');
    expect((await host.client.listTools()).tools.map((t) => t.name)).not.toContain('exec_shell');
    const refused = await host.client.callTool({ name: 'exec_shell', arguments: { command: 'id' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as McpError | undefined)?.code).toBe(DENIED);
    // With --transport sse the proxy spoke the legacy transport only: a GET stream and POSTs to its message endpoint.
    const proxied = server.requests.slice(from);
    expect(proxied.some((q) => q.method === 'GET' && q.url.startsWith('/sse'))).toBe(true);
    expect(proxied.some((q) => q.method === 'POST' && q.url.startsWith('/messages'))).toBe(true);
    expect(proxied.filter((q) => q.method === 'POST' && q.url.startsWith('/sse'))).toEqual([]);
  });
});

describe('mcptrust proxy --url refusals (exit 2, before connecting)', () => {
  it('refuses a lockfile locked from another origin, pointing at --allow-url-change', async () => {
    const { server: a, lock } = await lockedServer('proxy-origin.json');
    const b = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['proxy', '--lock', lock, '--url', b.url]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(a.url);
    expect(r.stderr).toContain(b.url);
    expect(r.stderr).toContain('--allow-url-change');
    expect(b.requests).toEqual([]);
  });

  it('refuses a lockfile of a stdio server with --url', async () => {
    const stdioLock = home.path('proxy-stdio.json');
    expect((await home.run(['lock', '-o', stdioLock, '--', NODE, FIXTURE, '--tools', 'read_file'])).code).toBe(0);
    const server = fixtures.track(await startMcpHttpServer());
    const r = await home.run(['proxy', '--lock', stdioLock, '--url', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/locked from a stdio server/);
    expect(server.requests).toEqual([]);
  });

  it('refuses a lockfile of a remote server with a command after --, without starting it', async () => {
    const { server, lock } = await lockedServer('proxy-remote-vs-stdio.json');
    const started = home.path('proxy-started.log');
    const r = await home.run(['proxy', '--lock', lock, '--', NODE, FIXTURE, '--tools', 'read_file', '--log-requests', started]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(server.url);
    expect(r.stderr).toContain('--allow-url-change');
    await expect(readFile(started)).rejects.toThrow();
  });

  it('refuses plain http:// to a host that is not loopback', async () => {
    const { lock } = await lockedServer('proxy-insecure.json');
    const r = await home.run(['proxy', '--lock', lock, '--url', 'http://example.com/mcp', '--allow-url-change']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/http:\/\/example\.com\/mcp/);
  });
});
