/**
 * The undici dispatcher every outbound connection of this package goes through.
 *
 * Resolve once, connect to the vetted address: its `connect` resolves the host itself,
 * refuses the connection if ANY address is blocked by the address policy, and dials one
 * of exactly those addresses (the next one if a dial fails, within the connect timeout).
 * An IP-literal host is checked the same way. TLS still verifies the certificate against
 * the host name (`servername`). A plain `http://` connection must reach loopback
 * addresses only, whatever the name (`localhost` included).
 *
 * Keep-alive on, pipelining 1, no body timeout (SSE streams are long-lived; callers set
 * their own deadlines per request), a headers timeout.
 */
import { promises as dns } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { HostResolver } from '../upstream.types.js';
import { assertAddressAllowed, classifyAddress, isLoopbackAddress } from './address-policy.js';

/** Options of {@link createGuardedDispatcher}. */
export interface GuardedDispatcherOptions {
  /** Host resolver (default `dns.lookup` with `all: true`, in the resolver's order). */
  resolve?: HostResolver;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string | string[];
  /**
   * Let loopback addresses through the address policy (for an upstream the user
   * configured on loopback). Every other private, link-local or metadata range stays
   * blocked.
   */
  allowLoopback?: boolean;
  /**
   * The configured upstream's origin (`https://mcp.internal.example:8443`): the user
   * chose it, so its addresses may be private or loopback (an internal platform), but
   * never link-local (cloud metadata lives there). Every other origin — what a server
   * supplies: redirects, OAuth metadata, a legacy endpoint on another host — gets the
   * whole policy.
   */
  trustedOrigin?: string;
  /** Budget for resolving and connecting (TCP and TLS), in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Time to wait for a response's headers, in ms. Default 30 000. */
  headersTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;

/** The default resolver: every address of the host, in the resolver's order. */
const defaultResolve: HostResolver = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};


function checkTimeout(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RemoteError('INVALID_OPTIONS', `${name} must be a positive integer (ms), got ${String(value)}`);
  }
  return value;
}

/**
 * Creates the guarded dispatcher (an undici 7 `Agent`). Close it (`close()`) when done.
 *
 * Connection errors reach the request as `RemoteError`: `BLOCKED_ADDRESS` (an address
 * the policy refuses, naming host, address and range), `INSECURE_URL` (plain `http://`
 * to an address that is not loopback), `NETWORK_ERROR` (resolution, TCP or TLS failure,
 * connect timeout; `cause` holds the original error). undici's `fetch` wraps them in a
 * `TypeError` whose `cause` is the `RemoteError`.
 *
 * @param options - {@link GuardedDispatcherOptions}
 * @returns the dispatcher, to pass as `dispatcher` to undici's `fetch`/`request`
 * @throws RemoteError `INVALID_OPTIONS` for a timeout that is not a positive integer
 */
export function createGuardedDispatcher(options: GuardedDispatcherOptions = {}): Dispatcher {
  const resolve = options.resolve ?? defaultResolve;
  const allowLoopback = options.allowLoopback === true;
  const trustedOrigin = options.trustedOrigin === undefined ? undefined : new URL(options.trustedOrigin).origin;
  const connectTimeoutMs = checkTimeout('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
  const headersTimeout = checkTimeout('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS);
  const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  // Passing `ca` replaces Node's trust store, so keep the bundled roots next to the extras.
  const ca = extraCa.length === 0 ? {} : { ca: [...rootCertificates, ...extraCa] };
  // The timeout is ours (it covers resolution and every dial), so undici's is off.
  const dial = buildConnector({ ...ca, timeout: 0, keepAlive: true });

  /** Every address the host may be dialled at, each vetted; throws if any is refused. */
  async function vettedAddresses(host: string, protocol: string, origin: string): Promise<string[]> {
    const found = isIP(host) !== 0 ? [host] : (await resolveHost(host)).map(({ address }) => address);
    if (found.length === 0) throw new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}: it resolved to no address`);
    const trusted = origin === trustedOrigin;
    for (const address of found) {
      if (!trusted || classifyAddress(address).range.includes('linkLocal')) assertAddressAllowed(address, host, { allowLoopback });
      if (protocol === 'http:' && !isLoopbackAddress(address)) {
        throw new RemoteError('INSECURE_URL', `Refusing plain http:// to ${host}: it resolved to ${address}, which is not a loopback address`);
      }
    }
    return found;
  }

  async function resolveHost(host: string): Promise<Array<{ address: string }>> {
    try {
      return await resolve(host);
    } catch (error) {
      throw new RemoteError('NETWORK_ERROR', `Cannot resolve ${host}`, { cause: error });
    }
  }

  function connect(connectOptions: buildConnector.Options, callback: buildConnector.Callback): void {
    const { hostname, protocol } = connectOptions;
    const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
    const port = connectOptions.port === '' ? (protocol === 'https:' ? '443' : '80') : connectOptions.port;
    let settled = false;
    let socket: Socket | undefined;
    const finish = (error: Error | null, connected?: Socket): void => {
      if (settled) {
        connected?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error === null && connected !== undefined) callback(null, connected);
      else {
        socket?.destroy();
        callback(error ?? new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}:${port}`), null);
      }
    };
    const timer = setTimeout(() => {
      finish(new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}:${port}: timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);

    const attempt = (addresses: string[], index: number, lastError?: Error): void => {
      if (settled) return;
      const address = addresses[index];
      if (address === undefined) {
        finish(new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}:${port}: ${lastError?.message ?? 'no address'}`, { cause: lastError }));
        return;
      }
      try {
        const options = {
          ...connectOptions,
          hostname: address,
          // The certificate is checked against the name the caller asked for, not the address.
          ...(isIP(host) === 0 ? { servername: host } : {}),
        };
        // undici's connector returns the socket it dials, although its type says void.
        socket = dial(options, (error, connected) => {
          if (error === null && connected !== null) finish(null, connected as Socket);
          else attempt(addresses, index + 1, error ?? undefined);
        }) as unknown as Socket | undefined;
      } catch (error) {
        finish(new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}:${port}`, { cause: error }));
      }
    };

    const origin = new URL(`${protocol}//${isIP(host) === 6 ? `[${host}]` : host}:${port}`).origin;
    vettedAddresses(host, protocol, origin).then(
      (addresses) => attempt(addresses, 0),
      (error: unknown) => {
        finish(error instanceof Error ? error : new RemoteError('NETWORK_ERROR', `Cannot connect to ${host}:${port}`, { cause: error }));
      },
    );
  }

  return new Agent({
    connect,
    pipelining: 1,
    bodyTimeout: 0,
    headersTimeout,
  });
}
