/**
 * A `fetch` for URLs a server supplies (OAuth discovery and token endpoints, redirects):
 * they are not trusted the way the configured upstream is.
 *
 * Rules it enforces, on top of the guarded dispatcher's address policy:
 * - `https://` only; plain `http://` only with `allowLoopback` and to a loopback host.
 *   No credentials in URLs.
 * - Redirects are followed by hand (`redirect: 'manual'`), at most `maxRedirects`, each
 *   target re-validated (scheme, credentials, and the address policy when it is dialled),
 *   never `https://` → `http://` (a caller's `redirect` option is ignored). `authorization`
 *   and `cookie` are dropped for good once a
 *   hop leaves the first request's origin. 301/302 turn a POST into a GET and 303 any
 *   method but HEAD, without the body (as fetch does); 307/308 resend the body, but only
 *   to the same origin (a body carrying a secret never goes to another origin).
 * - A body cap: a `Content-Length` over the cap is refused before the body is read, and
 *   streamed (decoded) bytes are counted. The answer is a `Response` (Node's global class,
 *   which the MCP SDK's `instanceof Response` checks need) holding the capped bytes.
 * - A deadline over the whole exchange (redirects and body included), and the caller's
 *   `signal` (whose reason the promise rejects with, as fetch does).
 */
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { HostResolver } from '../upstream.types.js';
import { createGuardedDispatcher } from './guarded-dispatcher.js';
import { endpointOf, isLoopbackUrl } from './upstream-url.js';

/** A fetch with the shape the MCP SDK's `fetchFn` takes. */
export type GuardedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link createGuardedFetch}. */
export interface GuardedFetchOptions {
  /** The dispatcher to use (it decides the address policy); default a guarded dispatcher built from these options. */
  dispatcher?: Dispatcher;
  /** Allow plain `http://` to loopback hosts, and loopback addresses (default dispatcher). */
  allowLoopback?: boolean;
  /** Host resolver of the default dispatcher. */
  resolve?: HostResolver;
  /** Extra trusted CA certificates (PEM) of the default dispatcher. */
  ca?: string | string[];
  /** Redirects followed per request. Default 3. */
  maxRedirects?: number;
  /** Response body cap, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Deadline of one call (redirects and body included), in ms. Default 30 000. */
  timeoutMs?: number;
}

const DEFAULT_MAX_REDIRECTS = 3;
const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** Headers that never follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];
/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

function checkCount(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) {
    throw new RemoteError('INVALID_OPTIONS', `${name} must be an integer of at least ${minimum}, got ${String(value)}`);
  }
  return value;
}

/** Whether a request body can be sent again (a stream cannot). */
function replayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || body instanceof Blob;
}

/** Reads a body up to the cap; refuses a declared or streamed size over it. */
async function readCapped(response: Awaited<ReturnType<typeof undiciFetch>>, url: URL, maxBytes: number): Promise<Uint8Array | null> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new RemoteError('TOO_LARGE', `Refusing the answer of ${endpointOf(url)}: Content-Length ${declared} exceeds the cap of ${maxBytes} bytes`);
  }
  if (response.body === null) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RemoteError('TOO_LARGE', `Refusing the answer of ${endpointOf(url)}: the body exceeds the cap of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Creates the guarded fetch. Without a `dispatcher` it builds one guarded dispatcher on
 * first use and keeps it (its idle sockets do not hold the process open); pass your own
 * to close it when done.
 *
 * @param options - {@link GuardedFetchOptions}
 * @returns a fetch; it rejects with `RemoteError`: `INSECURE_URL` (scheme, credentials,
 *   a downgrade to http), `BLOCKED_ADDRESS` (the address policy), `HTTP_STATUS` (too many
 *   redirects, a redirect that cannot resend a streamed body), `TOO_LARGE` (body cap),
 *   `NETWORK_ERROR` (connection failure, deadline; `cause` holds the original error) —
 *   or with the caller's `signal.reason` when the caller aborts
 * @throws RemoteError `INVALID_OPTIONS` for a limit out of range
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): GuardedFetch {
  const allowLoopback = options.allowLoopback === true;
  const maxRedirects = checkCount('maxRedirects', options.maxRedirects, DEFAULT_MAX_REDIRECTS, 0);
  const maxBytes = checkCount('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES, 0);
  const timeoutMs = checkCount('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1);
  let dispatcher = options.dispatcher;
  const dispatcherOf = (): Dispatcher => {
    dispatcher ??= createGuardedDispatcher({
      allowLoopback,
      ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    });
    return dispatcher;
  };

  /** Refuses a URL this fetch may not request (the address is checked when it is dialled). */
  function checkTarget(url: URL, from: URL | undefined): void {
    const shown = endpointOf(url);
    if (url.username !== '' || url.password !== '') {
      throw new RemoteError('INSECURE_URL', `Refusing ${shown}: credentials in URLs are not allowed`);
    }
    if (from?.protocol === 'https:' && url.protocol !== 'https:') {
      throw new RemoteError('INSECURE_URL', `Refusing the redirect from ${endpointOf(from)} to ${shown}: downgrade from https://`);
    }
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && allowLoopback && isLoopbackUrl(url)) return;
    throw new RemoteError('INSECURE_URL', `Refusing ${shown}: only https:// URLs are allowed${allowLoopback ? ' (or http:// to a loopback host)' : ''}`);
  }

  return async function guardedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new RemoteError('INSECURE_URL', 'Refusing a URL that is not valid');
    }
    checkTarget(url, undefined);
    const firstOrigin = url.origin;
    const controller = new AbortController();
    const callerSignal = init.signal ?? undefined;
    const deadline = new RemoteError('NETWORK_ERROR', `Request to ${endpointOf(url)} timed out after ${timeoutMs} ms`);
    const timer = setTimeout(() => controller.abort(deadline), timeoutMs);
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted === true) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort);

    /** What a failure of the exchange becomes. */
    const failure = (error: unknown, at: URL): unknown => {
      if (controller.signal.aborted) return controller.signal.reason;
      const cause = error instanceof TypeError && error.cause !== undefined ? error.cause : error;
      if (cause instanceof RemoteError) return cause;
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      return new RemoteError('NETWORK_ERROR', `Request to ${endpointOf(at)} failed${detail}`, { cause });
    };

    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? null;
    const headers = new Headers(init.headers);
    let leftOrigin = false;
    try {
      for (let redirects = 0; ; redirects += 1) {
        if (controller.signal.aborted) throw controller.signal.reason;
        let response: Awaited<ReturnType<typeof undiciFetch>>;
        try {
          // undici's RequestInit is structurally the global one; its own type names differ.
          response = await undiciFetch(url, {
            ...(init as object),
            method,
            headers,
            body,
            redirect: 'manual',
            signal: controller.signal,
            dispatcher: dispatcherOf(),
          } as Parameters<typeof undiciFetch>[1]);
        } catch (error) {
          throw failure(error, url);
        }
        const location = response.headers.get('location');
        if (!REDIRECT_STATUSES.has(response.status) || location === null) {
          let bytes: Uint8Array | null;
          try {
            bytes = await readCapped(response, url, maxBytes);
          } catch (error) {
            throw failure(error, url);
          }
          return toResponse(response, bytes, url, redirects > 0);
        }
        await response.body?.cancel().catch(() => undefined);
        if (redirects >= maxRedirects) {
          throw new RemoteError('HTTP_STATUS', `Refusing ${endpointOf(url)}: more than ${maxRedirects} redirects`, { status: response.status });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new RemoteError('HTTP_STATUS', `Refusing the redirect from ${endpointOf(url)}: invalid Location`, { status: response.status });
        }
        checkTarget(next, url);
        if (next.origin !== firstOrigin) leftOrigin = true;
        if (leftOrigin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        const status = response.status;
        if ((status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = null;
          for (const name of BODY_HEADERS) headers.delete(name);
        } else if (body !== null && next.origin !== url.origin) {
          // A body (a token request's secret, code or client assertion) never follows a
          // redirect to another origin.
          throw new RemoteError('CROSS_ORIGIN', `Refusing the ${status} redirect from ${endpointOf(url)} to ${endpointOf(next)}: a request body is never sent to another origin`, { status });
        } else if (!replayable(body)) {
          throw new RemoteError('HTTP_STATUS', `Refusing the ${status} redirect from ${endpointOf(url)}: a streamed body cannot be sent again`, { status });
        }
        url = next;
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  };
}

/** The final answer as Node's global `Response`, holding the capped bytes. */
function toResponse(response: Awaited<ReturnType<typeof undiciFetch>>, bytes: Uint8Array | null, url: URL, redirected: boolean): Response {
  if (response.status < 200 || response.status > 599) {
    throw new RemoteError('PROTOCOL_ERROR', `Refusing the answer of ${endpointOf(url)}: HTTP status ${response.status}`, { status: response.status });
  }
  const headers = new Headers();
  for (const [name, value] of response.headers) {
    // The body is decoded and complete: its original encoding and length no longer apply.
    if (name !== 'content-encoding' && name !== 'content-length') headers.append(name, value);
  }
  const hasBody = !NULL_BODY_STATUSES.has(response.status) && bytes !== null;
  if (hasBody) headers.set('content-length', String(bytes.byteLength));
  const result = new Response(hasBody ? bytes : null, { status: response.status, statusText: response.statusText, headers });
  Object.defineProperty(result, 'url', { value: url.href });
  Object.defineProperty(result, 'redirected', { value: redirected });
  return result;
}

/** Where the fetch of an OAuth path comes from: the caller's own, or a guarded fetch built from a resolver and CAs. */
export interface GuardedFetchChoice {
  /** The fetch for every OAuth request. Default a guarded fetch (loopback allowed only for a loopback server). */
  fetchFn?: GuardedFetch;
  /** Host resolver of the default guarded fetch. */
  resolve?: HostResolver;
  /** Extra trusted CA certificates (PEM) of the default guarded fetch. */
  ca?: string | string[];
}

/**
 * The caller's fetch, or a guarded fetch built on first use (a command that never needs
 * OAuth never builds a dispatcher).
 *
 * @param choice - {@link GuardedFetchChoice}
 * @param allowLoopback - the server is loopback, so loopback http is allowed
 * @returns a function giving the same fetch on every call
 */
export function lazyGuardedFetch(choice: GuardedFetchChoice, allowLoopback: boolean): () => GuardedFetch {
  let fetchFn = choice.fetchFn;
  return () =>
    (fetchFn ??= createGuardedFetch({
      allowLoopback,
      ...(choice.resolve === undefined ? {} : { resolve: choice.resolve }),
      ...(choice.ca === undefined ? {} : { ca: choice.ca }),
    }));
}
