/**
 * The guarded HTTPS client every download of the artifact package goes through.
 *
 * Rules it enforces:
 * - HTTPS only. Plain `http://` only with `insecureHttpLoopback` (a library/test option)
 *   and only to a loopback address. URLs carrying credentials (`user:pass@`) are refused.
 * - Resolve once, connect to the vetted address: a custom `lookup` resolves the host,
 *   refuses it if ANY address is blocked by the address policy, and hands exactly the
 *   vetted addresses to the socket. IP-literal hosts never reach `lookup`, so they are
 *   checked before the request. TLS still verifies the certificate against the host name.
 * - Redirects (301/302/303/307/308): at most `maxRedirects` per request, each target
 *   re-validated (scheme, userinfo, address), never HTTPS→HTTP; `authorization` and
 *   `cookie` are dropped for good once a redirect leaves the original origin.
 * - Size caps: a `Content-Length` over the cap is refused before the body is read, and
 *   streamed bytes are counted (the download is aborted past the cap).
 * - A deadline covering the whole request (redirects and body included), and `signal`.
 * - `accept-encoding: identity` (bytes are hashed as served), `user-agent: mcptrust`,
 *   no proxy, no connection reuse.
 *
 * `insecureHttpLoopback` also lets loopback addresses pass the address policy (other
 * private addresses stay blocked); `allowPrivateHosts` skips the policy entirely.
 */
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
// The policy alone (its own entry): the package's index would bring the HTTP client along.
import { assertAddressAllowed as assertRemoteAddressAllowed, classifyAddress, isLoopbackAddress } from '@mcptrust/remote/address-policy';
import { RemoteError } from '@mcptrust/remote/errors';
import { ArtifactError } from '../errors.js';
import type { GuardedClient, GuardedClientOptions, GuardedRequest, GuardedResponse, HostResolver } from './guarded-client.types.js';

const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that never follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];
/** Headers the client sets itself; a caller's value is ignored. */
const CONTROLLED_HEADERS = new Set(['host', 'accept-encoding', 'user-agent', 'connection', 'content-length', 'transfer-encoding']);

/**
 * Classifies one IP address (IPv4 dotted-decimal or IPv6, optionally with a zone id):
 * the address policy of `@mcptrust/remote`. Anything that does not parse as an IP
 * address is refused (`range: 'invalid'`).
 */
export { classifyAddress };

/**
 * Throws `ArtifactError('BLOCKED_ADDRESS')`, naming the host, the address and its range,
 * unless the address may be connected to (the address policy of `@mcptrust/remote`).
 * `allowPrivateHosts` skips the policy (an address that does not parse is still refused).
 *
 * @param ip - the resolved address
 * @param host - the host name it was resolved from
 * @param options - `allowPrivateHosts`
 * @throws ArtifactError `BLOCKED_ADDRESS`
 */
export function assertAddressAllowed(ip: string, host: string, options: { allowPrivateHosts?: boolean } = {}): void {
  try {
    assertRemoteAddressAllowed(ip, host, { allowPrivateHosts: options.allowPrivateHosts === true });
  } catch (error) {
    if (!(error instanceof RemoteError)) throw error;
    const hint = classifyAddress(ip).range === 'invalid' ? '' : ' (--unsafe-allow-private-tarball-hosts allows private hosts)';
    throw new ArtifactError('BLOCKED_ADDRESS', `${error.message}${hint}`);
  }
}

/** The default resolver: every address of the host, in the resolver's order. */
const defaultResolve: HostResolver = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** State shared by the hops of one request. */
interface RequestContext {
  /** The URL the caller asked for (named in deadline and abort errors). */
  readonly url: string;
  readonly signal: AbortSignal;
  readonly maxBytes: number;
  /** Why the request was aborted (deadline or caller), once it was. */
  abortReason(): ArtifactError;
}

/** One answered hop, before redirects are followed. */
interface HopResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function insecure(message: string): ArtifactError {
  return new ArtifactError('INSECURE_URL', message);
}

/** Parses and checks a URL's form (scheme, credentials); addresses are checked later. */
function parseTarget(raw: string, insecureHttpLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw insecure(`Refusing ${JSON.stringify(raw)}: not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw insecure(`Refusing ${url.protocol}//${url.host}${url.pathname}: credentials in URLs are not allowed (use the registry's auth configuration)`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && insecureHttpLoopback) return url;
  throw insecure(`Refusing ${url.href}: only https:// URLs are allowed`);
}

/** The host of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Creates the guarded client. With `allowPrivateHosts`, `onWarning` is called once,
 * here, with a loud message (the policy is off for every request of this client).
 */
export function createGuardedClient(options: GuardedClientOptions = {}): GuardedClient {
  const allowPrivateHosts = options.allowPrivateHosts === true;
  const insecureHttpLoopback = options.insecureHttpLoopback === true;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const clientTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clientMaxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const resolve = options.resolve ?? defaultResolve;
  const extraCa = options.ca === undefined ? undefined : Array.isArray(options.ca) ? options.ca : [options.ca];
  // Passing `ca` replaces Node's trust store, so keep the bundled roots next to the extras.
  const ca = extraCa === undefined ? undefined : [...rootCertificates, ...extraCa];

  if (allowPrivateHosts) {
    options.onWarning?.(
      'WARNING: private-address protection is OFF (--unsafe-allow-private-tarball-hosts): downloads may reach loopback, ' +
        'private, link-local and cloud-metadata addresses. Use this only with a registry you control on a trusted network.',
    );
  }

  /** Refuses an address the policy (and the scheme) does not allow for this URL. */
  function vetAddress(address: string, url: URL): void {
    const host = bareHost(url);
    if (url.protocol === 'http:') {
      if (!isLoopbackAddress(address)) {
        throw insecure(`Refusing ${url.href}: plain http:// is allowed only to loopback addresses, and ${host} is ${address}`);
      }
      return;
    }
    if (insecureHttpLoopback && isLoopbackAddress(address)) return;
    assertAddressAllowed(address, host, { allowPrivateHosts });
  }

  /** A `lookup` that resolves once, vets every address, and returns only those. */
  function guardedLookup(url: URL): LookupFunction {
    return (hostname, lookupOptions, callback) => {
      const done = callback as (error: Error | null, address: unknown, family?: number) => void;
      resolve(hostname).then(
        (found) => {
          if (found.length === 0) throw new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed: ${hostname} resolved to no address`);
          for (const { address } of found) vetAddress(address, url);
          const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? found.filter((a) => a.family === lookupOptions.family) : found;
          if (wanted.length === 0) {
            throw new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed: ${hostname} has no IPv${String(lookupOptions.family)} address`);
          }
          if (lookupOptions.all === true) done(null, wanted.map(({ address, family }) => ({ address, family })));
          else done(null, wanted[0]?.address, wanted[0]?.family);
        },
      ).catch((error: unknown) => {
        const failure = error instanceof ArtifactError
          ? error
          : new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed: cannot resolve ${hostname}`, { cause: error });
        done(failure, undefined);
      });
    };
  }

  /** One request/response exchange; redirect bodies are discarded unread. */
  function hop(url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>, ctx: RequestContext): Promise<HopResult> {
    const host = bareHost(url);
    if (isIP(host) !== 0) vetAddress(host, url);
    return new Promise<HopResult>((resolveHop, rejectHop) => {
      let settled = false;
      let response: http.IncomingMessage | undefined;
      const finish = (error: ArtifactError | undefined, result?: HopResult): void => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        if (error !== undefined) {
          response?.destroy();
          request.destroy();
          rejectHop(error);
        } else if (result !== undefined) {
          resolveHop(result);
        }
      };
      const onAbort = (): void => finish(ctx.abortReason());
      const requestOptions: https.RequestOptions = {
        protocol: url.protocol,
        host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, 'accept-encoding': 'identity', 'user-agent': 'mcptrust' },
        lookup: guardedLookup(url),
        agent: false,
        ...(ca === undefined ? {} : { ca }),
      };
      const request = url.protocol === 'https:' ? https.request(requestOptions) : http.request(requestOptions);
      request.on('error', (error: Error) => {
        finish(error instanceof ArtifactError ? error : new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed: ${error.message}`, { cause: error }));
      });
      request.on('response', (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        const resHeaders = flattenHeaders(res.headers);
        if ((REDIRECT_STATUSES.has(status) && resHeaders.location !== undefined) || method === 'HEAD') {
          res.destroy();
          finish(undefined, { status, headers: resHeaders, body: Buffer.alloc(0) });
          return;
        }
        const declared = resHeaders['content-length'];
        if (declared !== undefined && Number(declared) > ctx.maxBytes) {
          finish(new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} refused: Content-Length ${declared} exceeds the cap of ${ctx.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > ctx.maxBytes) {
            finish(new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} aborted: the body exceeds the cap of ${ctx.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(undefined, { status, headers: resHeaders, body: Buffer.concat(chunks, received) }));
        res.on('error', (error: Error) => {
          finish(new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed while reading the body: ${error.message}`, { cause: error }));
        });
        res.on('close', () => {
          if (!res.complete) finish(new ArtifactError('DOWNLOAD_FAILED', `Download of ${url.href} failed: the connection closed before the body was complete`));
        });
      });
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort);
      request.end();
    });
  }

  async function request(rawUrl: string, init: GuardedRequest = {}): Promise<GuardedResponse> {
    const firstUrl = parseTarget(rawUrl, insecureHttpLoopback);
    const timeoutMs = init.timeoutMs ?? clientTimeout;
    const maxBytes = Math.min(init.maxBytes ?? clientMaxBytes, clientMaxBytes);
    const controller = new AbortController();
    let reason: ArtifactError | undefined;
    const abort = (error: ArtifactError): void => {
      if (reason !== undefined) return;
      reason = error;
      controller.abort(error);
    };
    const timer = setTimeout(() => abort(new ArtifactError('DOWNLOAD_FAILED', `Download of ${rawUrl} timed out after ${timeoutMs} ms`)), timeoutMs);
    const onCallerAbort = (): void => abort(new ArtifactError('DOWNLOAD_FAILED', `Download of ${rawUrl} was aborted`, { cause: options.signal?.reason }));
    if (options.signal?.aborted === true) onCallerAbort();
    else options.signal?.addEventListener('abort', onCallerAbort);
    const ctx: RequestContext = {
      url: rawUrl,
      signal: controller.signal,
      maxBytes,
      abortReason: () => reason ?? new ArtifactError('DOWNLOAD_FAILED', `Download of ${rawUrl} was aborted`),
    };

    let method = init.method ?? 'GET';
    let headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (!CONTROLLED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    try {
      let url = firstUrl;
      for (let redirects = 0; ; redirects += 1) {
        const result = await hop(url, method, headers, ctx);
        const location = result.headers.location;
        if (!REDIRECT_STATUSES.has(result.status) || location === undefined) {
          return { status: result.status, headers: result.headers, body: result.body, url: url.href };
        }
        if (redirects >= maxRedirects) {
          throw insecure(`Refusing ${rawUrl}: more than ${maxRedirects} redirects (last to ${location})`);
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw insecure(`Refusing the redirect from ${url.href}: invalid Location ${JSON.stringify(location)}`);
        }
        if (url.protocol === 'https:' && next.protocol !== 'https:') {
          throw insecure(`Refusing the redirect from ${url.href} to ${next.href}: downgrade from https://`);
        }
        next = parseTarget(next.href, insecureHttpLoopback);
        if (next.origin !== firstUrl.origin) {
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
        }
        if (result.status === 303 && method !== 'HEAD') method = 'GET';
        url = next;
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async function get(url: string, init: Omit<GuardedRequest, 'method'> = {}): Promise<GuardedResponse> {
    const response = await request(url, { ...init, method: 'GET' });
    if (response.status !== 200) {
      const where = response.url === url ? url : `${url} (redirected to ${response.url})`;
      throw new ArtifactError('DOWNLOAD_FAILED', `Download of ${where} failed: HTTP ${response.status}`);
    }
    return response;
  }

  async function getJson(url: string, init: Omit<GuardedRequest, 'method'> = {}): Promise<unknown> {
    const response = await get(url, init);
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch (error) {
      throw new ArtifactError('RESOLVE_FAILED', `The answer of ${response.url} is not valid JSON`, { cause: error });
    }
  }

  return { request, get, getJson };
}
