/**
 * The loopback redirect of the authorization code flow (RFC 8252 §7.3): a listener on
 * 127.0.0.1 with an ephemeral port, path `/callback`. The first request to `/callback`
 * decides the outcome (a second one is refused): its `state` must be the one sent, its
 * `iss` (RFC 9207) the expected issuer when present (and present when the server says it
 * sends it). A request whose `Host` is not `127.0.0.1:PORT` (DNS rebinding) is refused.
 * The browser gets a small fixed HTML page; nothing from the request is echoed into it.
 *
 * When the browser runs on another machine (`--no-browser` over ssh), its redirect cannot
 * reach this listener unless the port is forwarded; the user can instead paste the address
 * the browser was sent to: {@link RedirectListener.submit} checks it exactly like a
 * request to `/callback`, after making sure it is this listener's callback URL.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteError } from '../errors.js';

/** Options of {@link startRedirectListener}. */
export interface RedirectListenerOptions {
  /** The `state` sent in the authorization request. */
  state: string;
  /** The authorization server's issuer, checked against an `iss` parameter. */
  issuer: string;
  /** The server promised an `iss` parameter (`authorization_response_iss_parameter_supported`). */
  issRequired: boolean;
  /** How long to wait for the browser, in ms. */
  timeoutMs: number;
  /** Aborts the wait. */
  signal?: AbortSignal;
}

/**
 * What became of a pasted redirect URL: `accepted` when it decided the login (its code, or
 * a failure such as a wrong `state`, exactly as the same request to `/callback` would);
 * otherwise the reason it was ignored (the login still waits). The reason never repeats
 * the pasted text, which may carry a code.
 */
export type RedirectSubmission = { accepted: true } | { accepted: false; reason: string };

/** A running redirect listener. */
export interface RedirectListener {
  /** `http://127.0.0.1:PORT/callback`. */
  redirectUri: string;
  /** Starts the deadline and resolves with the authorization code, or rejects with `OAUTH_FAILED`. Call once. */
  waitForCode(): Promise<string>;
  /**
   * Submits the redirected URL by hand (what the browser's address bar shows after the
   * authorization server sent it to `http://127.0.0.1:PORT/callback?…`, or the same with
   * `localhost`). Another URL, or one after the login was decided, is ignored with a reason.
   */
  submit(url: string): RedirectSubmission;
  /** Stops listening (idempotent). */
  close(): Promise<void>;
}

const PAGE_STYLE = 'font-family:system-ui,sans-serif;margin:3em;';

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="${PAGE_STYLE}"><h1>${title}</h1><p>${text}</p></body></html>`;
}

function answer(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(page(title, text));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An OAuth error code as it may appear in a message: the RFC 6749 character set, cut short. */
function errorCode(raw: string): string {
  return raw.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 64);
}

/** The verdict on an authorization answer: the code, or why it is refused (message for the terminal, text for the page). */
type Verdict = { code: string } | { message: string; page: string };

/**
 * Checks the parameters of an authorization answer, in this order: `state` (constant
 * time), `iss` (RFC 9207), `error`, `code`.
 */
function judge(params: URLSearchParams, options: RedirectListenerOptions): Verdict {
  const state = params.get('state');
  if (state === null || !sameSecret(state, options.state)) {
    return { message: 'The authorization answer carried the wrong state (a forged or stale redirect); login aborted', page: 'The answer did not belong to this login.' };
  }
  const iss = params.get('iss');
  if (iss !== null ? iss !== options.issuer : options.issRequired) {
    return {
      message:
        iss === null
          ? `The authorization answer lacks the iss parameter ${options.issuer} promised (RFC 9207); login aborted`
          : `The authorization answer came from another issuer than ${options.issuer} (RFC 9207 mix-up defence); login aborted`,
      page: 'The answer came from an unexpected authorization server.',
    };
  }
  const error = params.get('error');
  if (error !== null) return { message: `The authorization server refused the login: ${errorCode(error)}`, page: 'The authorization server refused the login.' };
  const code = params.get('code');
  if (code === null || code === '') return { message: 'The authorization answer carried no code; login aborted', page: 'The answer carried no authorization code.' };
  return { code };
}

/** Whether a pasted URL is the callback of the listener on `port` (`127.0.0.1` or `localhost`, plain http, no credentials). */
function isCallbackOf(url: URL, port: number): boolean {
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === 'localhost') &&
    url.port === String(port) &&
    url.pathname === '/callback' &&
    url.username === '' &&
    url.password === ''
  );
}

/** A duration for messages: whole seconds, or tenths below ten seconds. */
export function secondsText(ms: number): string {
  return `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;
}

/**
 * Starts the listener on 127.0.0.1 (ephemeral port).
 *
 * @param options - {@link RedirectListenerOptions}
 * @returns the listener; its `redirectUri` goes into the registration and the authorization request
 * @throws RemoteError `OAUTH_FAILED` when the port cannot be opened
 */
export async function startRedirectListener(options: RedirectListenerOptions): Promise<RedirectListener> {
  let settle: { resolve(code: string): void; reject(error: RemoteError): void } | undefined;
  let outcome: { code: string } | { error: RemoteError } | undefined;
  const decide = (result: { code: string } | { error: RemoteError }): void => {
    if (outcome !== undefined) return;
    outcome = result;
    if (settle === undefined) return;
    if ('code' in result) settle.resolve(result.code);
    else settle.reject(result.error);
  };

  let expectedHost = '';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Only the browser following the redirect URI: a page that rebinds a name to 127.0.0.1
    // would send its own name as Host.
    if (req.headers.host !== expectedHost) {
      answer(res, 421, 'Misdirected request', 'This address only receives the answer of an mcptrust login.');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      answer(res, 404, 'Not found', 'This address only receives the answer of an mcptrust login.');
      return;
    }
    if (outcome !== undefined || req.method !== 'GET') {
      answer(res, 400, 'Already handled', 'This login has already received its answer. You can close this window.');
      return;
    }
    const result = judge(url.searchParams, options);
    if ('code' in result) {
      decide({ code: result.code });
      answer(res, 200, 'Login complete', 'mcptrust received the authorization. You can close this window and return to the terminal.');
      return;
    }
    decide({ error: new RemoteError('OAUTH_FAILED', result.message) });
    answer(res, 400, 'Login failed', `${result.page} Return to the terminal for details; you can close this window.`);
  };

  const server = createServer(handle);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new RemoteError('OAUTH_FAILED', `Cannot open the loopback redirect listener: ${error.message}`, { cause: error })));
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  expectedHost = `127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    decide({ error: new RemoteError('OAUTH_FAILED', 'Login aborted: the redirect listener was closed') });
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };

  const submit = (raw: string): RedirectSubmission => {
    let url: URL | undefined;
    try {
      url = new URL(raw.trim());
    } catch {
      url = undefined;
    }
    if (url === undefined || !isCallbackOf(url, port)) {
      return { accepted: false, reason: `That is not the redirect of this login: paste the whole address the browser was sent to, starting with http://127.0.0.1:${port}/callback?` };
    }
    if (outcome !== undefined) return { accepted: false, reason: 'This login has already received its answer' };
    const result = judge(url.searchParams, options);
    decide('code' in result ? { code: result.code } : { error: new RemoteError('OAUTH_FAILED', result.message) });
    return { accepted: true };
  };

  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    submit,
    close,
    waitForCode(): Promise<string> {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => decide({ error: new RemoteError('OAUTH_FAILED', `No authorization answer within ${secondsText(options.timeoutMs)}; login aborted`) }),
          options.timeoutMs,
        );
        const onAbort = (): void => decide({ error: new RemoteError('OAUTH_FAILED', 'Login aborted', { cause: options.signal?.reason }) });
        settle = {
          resolve: (code) => {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
            resolve(code);
          },
          reject: (error) => {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        if (outcome !== undefined) {
          if ('code' in outcome) settle.resolve(outcome.code);
          else settle.reject(outcome.error);
          return;
        }
        if (options.signal?.aborted === true) onAbort();
        else options.signal?.addEventListener('abort', onAbort);
      });
    },
  };
}
