/**
 * The configured upstream URL: what a user may write after `--url`, and the form the
 * lockfile records.
 *
 * Rules: `https://`, or plain `http://` only to a loopback host (`127.0.0.0/8`, `[::1]`,
 * `localhost`); no credentials (`user:pass@`) and no fragment. A query string is kept
 * (some servers take a key there) but never appears in an error message or in
 * {@link endpointOf}, since it may carry a token. `localhost` is a name: the guarded
 * dispatcher still checks that it resolves to loopback addresses only before a plain
 * `http://` connection is made.
 */
import { RemoteError } from '../errors.js';
import { isLoopbackAddress } from './address-policy.js';

/** The host of a URL without IPv6 brackets. */
function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A raw string as an error message may show it: before any query or fragment, and with
 * whatever precedes an `@` (possible credentials) replaced by `***`.
 */
function withoutQuery(raw: string): string {
  const cut = raw.search(/[?#]/);
  const head = cut === -1 ? raw : raw.slice(0, cut);
  const at = head.lastIndexOf('@');
  if (at === -1) return head;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(head)?.[0] ?? '';
  return `${scheme}***${head.slice(at)}`;
}

/**
 * Whether the URL's host is a loopback host: an address in `127.0.0.0/8`, `[::1]`, an
 * IPv4-mapped loopback address, or the name `localhost`.
 *
 * @param url - a parsed URL (any scheme)
 * @returns true for a loopback host
 */
export function isLoopbackUrl(url: URL): boolean {
  const host = bareHostname(url);
  return host === 'localhost' || isLoopbackAddress(host);
}

/**
 * The endpoint a URL names, as the lockfile records it and messages show it: origin and
 * path, without credentials, query or fragment.
 *
 * @param url - a parsed URL
 * @returns `origin + pathname`, e.g. `https://mcp.example.com/mcp`
 */
export function endpointOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Parses and checks the configured upstream URL.
 *
 * @param raw - the URL as the user wrote it
 * @returns the parsed URL (query kept, nothing else changed)
 * @throws RemoteError `INSECURE_URL` when the URL is malformed, not `http(s)://`, carries
 *   credentials or a fragment, or is plain `http://` to a host that is not loopback; the
 *   message names the URL without its query
 */
export function parseUpstreamUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError('INSECURE_URL', `Refusing the upstream URL ${JSON.stringify(withoutQuery(raw))}: not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RemoteError('INSECURE_URL', `Refusing the upstream URL ${JSON.stringify(withoutQuery(raw))}: only https:// (or http:// to a loopback host) is allowed`);
  }
  const shown = endpointOf(url);
  if (url.username !== '' || url.password !== '') {
    throw new RemoteError('INSECURE_URL', `Refusing the upstream URL ${shown}: credentials in URLs are not allowed (pass them as a header or use OAuth)`);
  }
  if (url.href.includes('#')) {
    throw new RemoteError('INSECURE_URL', `Refusing the upstream URL ${shown}: a fragment (#...) is not allowed`);
  }
  if (url.hostname === '') {
    throw new RemoteError('INSECURE_URL', `Refusing the upstream URL ${shown}: no host`);
  }
  if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw new RemoteError(
      'INSECURE_URL',
      `Refusing the upstream URL ${shown}: plain http:// is allowed only to a loopback host (127.0.0.0/8, [::1], localhost); use https://`,
    );
  }
  return url;
}
