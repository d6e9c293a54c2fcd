// A 403 insufficient_scope in the middle of a `mcptrust proxy --url` session (step-up
// authorization): the host's request is answered at once with a JSON-RPC error naming
// the login to run, the session goes on, and once that login is done the next call
// passes in the same session. Loopback fixtures; the login runs in-process against the
// test HOME's token store, with a "browser" that follows the redirect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { loginRemote, openTokenStore } from '@mcptrust/remote';
import { startOAuthServer, startProtectedMcpServer } from '@mcptrust/tooling/test-support/oauth-server.mjs';
import { Fixtures, closeRemoteHosts, connectRemoteHost, makeHome } from './remote-helpers.js';
import type { TestHome } from './remote-helpers.js';

let home: TestHome;
const fixtures = new Fixtures();
beforeAll(async () => {
  home = await makeHome('remote-step-up');
});
afterEach(async () => {
  await closeRemoteHosts();
  await fixtures.closeAll();
});
afterAll(async () => {
  await home.remove();
});

/** Follows the authorization URL to the loopback callback, as a browser would. */
async function follow(url: string): Promise<void> {
  const answer = await fetch(url, { redirect: 'manual' });
  await answer.body?.cancel();
  const location = answer.headers.get('location');
  if (location !== null) await (await fetch(location)).text();
}

async function loginWith(url: string, scope?: string): Promise<void> {
  const store = openTokenStore({ dir: join(home.dir, '.config', 'mcptrust') });
  await loginRemote(url, { store, openBrowser: follow, timeoutMs: 10_000, ...(scope === undefined ? {} : { scope }) });
}

function textOf(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? [])[0]?.text ?? '';
}

describe('mcptrust proxy --url: step-up authorization mid-session', () => {
  it('answers the call that needs more scope with the login to run, keeps the session, and passes once that login is done', async () => {
    const as = fixtures.track(await startOAuthServer({ scopesSupported: ['mcp:read', 'mcp:admin'] }));
    const mcp = fixtures.track(await startProtectedMcpServer({ authServer: as, scopes: ['mcp:read'], tools: [{ name: 'read_notes' }, { name: 'delete_notes', scope: 'mcp:admin' }] }));
    await loginWith(mcp.url);
    const lock = home.path('step-up.json');
    const locked = await home.run(['lock', '-o', lock, '--url', mcp.url]);
    expect(locked.code).toBe(0);

    const host = await connectRemoteHost(['--lock', lock, '--url', mcp.url], home.env());
    expect(textOf(await host.client.callTool({ name: 'read_notes', arguments: {} }))).toBe('called read_notes');

    const started = Date.now();
    const refused = await host.client.callTool({ name: 'delete_notes', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(McpError);
    const message = (refused as McpError).message;
    expect(message).toContain('UNAUTHORIZED');
    expect(message).toContain(`run \`mcptrust auth login ${mcp.url} --scope "mcp:read mcp:admin"\``);
    expect(Date.now() - started).toBeLessThan(10_000); // answered, not left to time out
    // The session goes on.
    expect(textOf(await host.client.callTool({ name: 'read_notes', arguments: {} }))).toBe('called read_notes');

    // The login the message names, made meanwhile: the same session now passes the call.
    await loginWith(mcp.url, 'mcp:read mcp:admin');
    expect(textOf(await host.client.callTool({ name: 'delete_notes', arguments: {} }))).toBe('called delete_notes');
    expect(host.stderr()).toMatch(/asks for the scope "mcp:read mcp:admin"|asks for the scope "mcp:admin"/);
    for (const token of as.issuedAccessTokens()) expect(host.stderr()).not.toContain(token);
  });
});
