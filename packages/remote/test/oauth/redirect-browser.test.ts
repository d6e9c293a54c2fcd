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
