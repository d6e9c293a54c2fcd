/**
 * The HTTP bridge against upstreams that fail (a raw misbehaving server), the legacy
 * HTTP+SSE transport and the reference server-everything, all on 127.0.0.1: the host
 * always gets an answer (never silence) and the guarantees hold on every transport.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startLegacySseServer, startMisbehavingServer, startServerEverything } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { DENIAL_CODES } from '../../src/protocol.js';
import { connectHost, errorCode, lockRemote, misbehavingLockfile, startHttpBridge, type HttpBridgeRun } from './helpers.js';

const servers: Array<{ close(): Promise<void> }> = [];
const runs: HttpBridgeRun[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) await run.bridge.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function track<T extends { close(): Promise<void> }>(server: T): T {
  servers.push(server);
  return server;
}

function bridge(url: string, options: Parameters<typeof startHttpBridge>[1]): HttpBridgeRun {
  const run = startHttpBridge(url, options);
  runs.push(run);
  return run;
}

describe('HTTP bridge against failing upstreams', () => {
  it('PROTOCOL 43 twin: an upstream 500 gets the host a JSON-RPC error for that request, and the session goes on', async () => {
    // tools/list (preflight) is answered, then every request gets 500.
    const s = track(await startMisbehavingServer('status-500', { misbehaveAfter: 1 }));
    const run = bridge(s.url, { lockfile: misbehavingLockfile() });
    const client = await connectHost(run);
    const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe(DENIAL_CODES.SERVER_UNAVAILABLE);
    expect(String((err as Error).message)).toContain('upstream HTTP_STATUS');
    expect(run.warnings.some((w) => w.includes('HTTP_STATUS'))).toBe(true);
    // a second request is answered too (no wedged state)
    await expect(client.ping()).rejects.toMatchObject({ code: DENIAL_CODES.SERVER_UNAVAILABLE });
    expect(run.bridge.engine.stats().pending).toBe(0);
  });

  it('refuses the session fail-closed when a preflight list fails upstream', async () => {
    const s = track(await startMisbehavingServer('status-500'));
    const run = bridge(s.url, { lockfile: misbehavingLockfile() });
    await expect(connectHost(run)).rejects.toMatchObject({ code: DENIAL_CODES.SESSION_REFUSED });
    const exit = await run.bridge.closed;
    expect(exit).toMatchObject({ reason: 'fatal', crashed: true });
    expect(run.fatal[0]).toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });

  it('answers a host initialize the upstream cannot reach with an error, never silence', async () => {
    const s = track(await startMisbehavingServer('status-500', { fromStart: true }));
    const run = bridge(s.url, { lockfile: misbehavingLockfile() });
    const err = await connectHost(run).catch((e: unknown) => e);
    expect(errorCode(err)).toBe(DENIAL_CODES.SERVER_UNAVAILABLE);
    expect(run.bridge.engine.state).toBe('awaiting-initialize');
  });

  it('re-initializes after a 404 on the session (session-404) and refuses when the new session keeps failing', async () => {
    // every request after initialize gets 404: the preflight of the first session meets it
    const s = track(await startMisbehavingServer('session-404'));
    const run = bridge(s.url, { lockfile: misbehavingLockfile() });
    await expect(connectHost(run)).rejects.toMatchObject({ code: DENIAL_CODES.SESSION_REFUSED });
    expect((await run.bridge.closed).reason).toBe('fatal');
    expect(run.fatal[0]).toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });
});

describe('HTTP bridge over the legacy HTTP+SSE transport', () => {
  it('passes preflight, relays an allowed call, refuses an unlisted one and re-establishes a dropped session', async () => {
    const twin = track(await startLegacySseServer());
    const lockfile = await lockRemote(twin.url, 'sse', (scan) => {
      scan.tools = scan.tools.filter((t) => t.name !== 'add');
    });
    const s = track(await startLegacySseServer());
    const run = bridge(s.url, { lockfile, transport: 'sse', preflight: false });
    const client = await connectHost(run);
    expect(run.bridge.upstream.transport).toBe('sse');
    const res = await client.callTool({ name: 'echo', arguments: { text: 'legacy' } });
    expect(res.content).toEqual([{ type: 'text', text: 'legacy' }]);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('add');
    await expect(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: DENIAL_CODES.TOOL_NOT_ALLOWED });
    s.dropStreams();
    // the loss is seen when the stream drops; the next call waits for the new session
    await s.waitForRequest((r) => r.method === 'GET' && s.requests.filter((q) => q.method === 'GET').length >= 2);
    const again = await client.callTool({ name: 'echo', arguments: { text: 'again' } });
    expect(again.content).toEqual([{ type: 'text', text: 'again' }]);
    expect(s.requests.filter((r) => r.rpcMethods.includes('initialize'))).toHaveLength(2);
  });

  it('reaches a legacy server through the fallback of transport auto', async () => {
    const twin = track(await startLegacySseServer());
    const lockfile = await lockRemote(twin.url, 'sse');
    const s = track(await startLegacySseServer());
    const run = bridge(s.url, { lockfile, transport: 'auto' });
    const client = await connectHost(run);
    expect(run.bridge.upstream.transport).toBe('sse');
    const res = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(res.content).toEqual([{ type: 'text', text: '5' }]);
  });
});

describe('HTTP bridge against server-everything (Streamable HTTP)', () => {
  it('passes preflight against its own scan and serves tools, prompts and resources', async () => {
    const twin = track(await startServerEverything({ transport: 'streamableHttp' }));
    const lockfile = await lockRemote(twin.url);
    await twin.close();
    const s = track(await startServerEverything({ transport: 'streamableHttp' }));
    const run = bridge(s.url, { lockfile });
    const client = await connectHost(run);
    expect(run.bridge.engine.drift.filter((d) => d.severity === 'critical')).toEqual([]);
    // Some of its tools depend on the capabilities a client declares: every tool listed is
    // pinned, and the plain ones are all there.
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-env']));
    for (const name of tools) expect(Object.keys(lockfile.tools)).toContain(name);
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello everything' } });
    expect(JSON.stringify(echo.content)).toContain('hello everything');
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
    expect(prompts).toEqual(Object.keys(lockfile.prompts.definitions).sort());
  });
});
