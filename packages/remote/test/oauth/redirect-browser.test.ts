import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBrowserUrl, systemBrowserOpener } from '../../src/oauth/browser.js';
import { startRedirectListener, type RedirectListener, type RedirectListenerOptions } from '../../src/oauth/redirect-listener.js';

let listener: RedirectListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

const ISSUER = 'http://127.0.0.1:4444';

async function listen(options: Partial<RedirectListenerOptions> = {}): Promise<RedirectListener> {
  listener = await startRedirectListener({ state: 'the-state', issuer: ISSUER, issRequired: false, timeoutMs: 5_000, ...options });
  return listener;
}

describe('startRedirectListener', () => {
  it('listens on 127.0.0.1 at /callback, accepts the first answer only, 404 elsewhere', async () => {
    const l = await listen();
    expect(l.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const code = l.waitForCode();
    expect((await fetch(l.redirectUri.replace('/callback', '/other'))).status).toBe(404);
    const first = await fetch(`${l.redirectUri}?code=abc&state=the-state&iss=${encodeURIComponent(ISSUER)}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    await expect(code).resolves.toBe('abc');
    // A second answer (a replay, another tab) is refused.
    await l.close();
    listener = undefined;
  });

  it('refuses a request whose Host is not 127.0.0.1:PORT (a rebound name) without deciding', async () => {
    const l = await listen();
    const code = l.waitForCode();
    const port = new URL(l.redirectUri).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/callback?code=evil&state=the-state', headers: { host: `rebound.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    await fetch(`${l.redirectUri}?code=good&state=the-state`);
    await expect(code).resolves.toBe('good');
  });

  it('refuses a second callback and keeps the first decision', async () => {
    const l = await listen();
    const code = l.waitForCode();
    await fetch(`${l.redirectUri}?code=first&state=the-state`);
    const second = await fetch(`${l.redirectUri}?code=second&state=the-state`);
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('Already handled');
    await expect(code).resolves.toBe('first');
  });

  it('requires iss when the server promised it, and never echoes request content into the page', async () => {
    const l = await listen({ issRequired: true });
    const outcome = expect(l.waitForCode()).rejects.toMatchObject({ code: 'OAUTH_FAILED', message: expect.stringContaining('lacks the iss parameter') });
    const answer = await fetch(`${l.redirectUri}?code=abc&state=the-state&error_description=%3Cscript%3E`);
    expect(answer.status).toBe(400);
    expect(await answer.text()).not.toContain('<script>');
    await outcome;
  });

  it('rejects when aborted and when closed', async () => {
    const controller = new AbortController();
    const l = await listen({ signal: controller.signal });
    const code = l.waitForCode();
    controller.abort(new Error('stop'));
    await expect(code).rejects.toMatchObject({ code: 'OAUTH_FAILED', message: 'Login aborted' });
    const other = await startRedirectListener({ state: 's', issuer: ISSUER, issRequired: false, timeoutMs: 5_000 });
    const pending = other.waitForCode();
    await other.close();
    await expect(pending).rejects.toMatchObject({ code: 'OAUTH_FAILED' });
  });
});

describe('RedirectListener.submit (a pasted redirect)', () => {
  it('takes the pasted callback URL (127.0.0.1 or localhost, blanks around) like the redirect itself', async () => {
    const l = await listen({ issRequired: true });
    const code = l.waitForCode();
    expect(l.submit(`  ${l.redirectUri}?code=pasted-code&state=the-state&iss=${encodeURIComponent(ISSUER)}\n`)).toEqual({ accepted: true });
    await expect(code).resolves.toBe('pasted-code');

    const other = await startRedirectListener({ state: 's2', issuer: ISSUER, issRequired: false, timeoutMs: 5_000 });
    try {
      const second = other.waitForCode();
      expect(other.submit(`${other.redirectUri.replace('127.0.0.1', 'localhost')}?state=s2&code=via-localhost`)).toEqual({ accepted: true });
      await expect(second).resolves.toBe('via-localhost');
    } finally {
      await other.close();
    }
  });

  it('ignores what is not this listener\'s callback, without echoing it, and keeps waiting', async () => {
    const l = await listen();
    const code = l.waitForCode();
    const port = Number(new URL(l.redirectUri).port);
    const query = '?code=SECRET-CODE&state=the-state';
    for (const pasted of [
      `http://127.0.0.1:${port + 1}/callback${query}`,
      `http://127.0.0.1:${port}/other${query}`,
      `https://127.0.0.1:${port}/callback${query}`,
      `http://evil.example:${port}/callback${query}`,
      `http://user:pw@127.0.0.1:${port}/callback${query}`,
      `http://[::1]:${port}/callback${query}`,
      query.slice(1),
      'not a url at all SECRET-CODE',
    ]) {
      const result = l.submit(pasted);
      expect(result).toEqual({ accepted: false, reason: `That is not the redirect of this login: paste the whole address the browser was sent to, starting with ${l.redirectUri}?` });
    }
    // Still waiting: the right URL decides.
    expect(l.submit(`${l.redirectUri}?code=right&state=the-state`)).toEqual({ accepted: true });
    await expect(code).resolves.toBe('right');
    expect(l.submit(`${l.redirectUri}?code=again&state=the-state`)).toEqual({ accepted: false, reason: 'This login has already received its answer' });
  });

  it.each([
    ['a wrong state', '?code=abc&state=forged', {}, /wrong state/],
    ['no state', '?code=abc', {}, /wrong state/],
    ['another issuer', `?code=abc&state=the-state&iss=${encodeURIComponent('http://127.0.0.1:1')}`, {}, /another issuer/],
    ['no iss when promised', '?code=abc&state=the-state', { issRequired: true }, /lacks the iss parameter/],
    ['an error', '?error=access_denied&state=the-state', {}, /refused the login: access_denied/],
    ['no code', '?state=the-state', {}, /carried no code/],
  ] as const)('ends the login like the redirect would for %s', async (_name, query, options, message) => {
    const l = await listen(options);
    const code = l.waitForCode();
    expect(l.submit(`${l.redirectUri}${query}`)).toEqual({ accepted: true });
    await expect(code).rejects.toMatchObject({ code: 'OAUTH_FAILED', message: expect.stringMatching(message) });
    // The browser arriving later finds the login decided.
    expect((await fetch(`${l.redirectUri}?code=late&state=the-state`)).status).toBe(400);
  });

  it('says how long it waited when nothing came', async () => {
    const l = await listen({ timeoutMs: 300 });
    await expect(l.waitForCode()).rejects.toMatchObject({ code: 'OAUTH_FAILED', message: 'No authorization answer within 0.3 s; login aborted' });
  });
});

describe('browser opening', () => {
  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'vbscript:x', 'mailto:a@b.c', 'not a url', 'https://user:pw@a.example/'])(
    'refuses %s',
    (url) => {
      expect(() => checkBrowserUrl(url)).toThrow(expect.objectContaining({ code: 'INSECURE_URL' }) as unknown as Error);
    },
  );

  it('accepts http(s) URLs', () => {
    expect(checkBrowserUrl('https://as.example/authorize?a=1')).toBe('https://as.example/authorize?a=1');
    expect(checkBrowserUrl('http://127.0.0.1:5/authorize')).toBe('http://127.0.0.1:5/authorize');
  });

  describe('systemBrowserOpener', () => {
    let dir = '';
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('hands the URL to xdg-open as one argument, without a shell', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mcptrust-opener-'));
      const out = join(dir, 'argv.json');
      // A stand-in xdg-open that records its arguments.
      await writeFile(join(dir, 'xdg-open'), `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`);
      await chmod(join(dir, 'xdg-open'), 0o755);
      const url = "https://as.example/authorize?q=$(touch${IFS}pwned);x=`id`&y='a'|b";
      await systemBrowserOpener({ platform: 'linux', env: { PATH: `${dir}:${process.env['PATH'] ?? ''}` } })(url);
      const deadline = Date.now() + 5_000;
      let argv: string[] | undefined;
      while (argv === undefined && Date.now() < deadline) {
        argv = await readFile(out, 'utf8').then((t) => JSON.parse(t) as string[], () => undefined);
        if (argv === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(argv).toEqual([new URL(url).href]);
    });

    it('refuses a non-http(s) URL before spawning anything', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mcptrust-opener-'));
      await expect(systemBrowserOpener({ platform: 'linux', env: { PATH: dir } })('file:///etc/passwd')).rejects.toMatchObject({ code: 'INSECURE_URL' });
    });
  });
});
