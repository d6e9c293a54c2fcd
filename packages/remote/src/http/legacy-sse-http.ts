/**
 * The HTTP requests of the legacy HTTP+SSE transport (protocol 2024-11-05): the headers
 * every request to the upstream's origin carries, one retry after a 401 with fresh
 * credentials, a deadline on connecting and on response headers, and the conversion of
 * every failure into a {@link RemoteError}.
 */
import type { Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { CredentialSource, UpstreamOptions } from '../upstream.types.js';
import { mediaTypeOf, normalizeStaticHeaders } from './headers.js';

/** Default cap of one SSE event's data, in bytes (4 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Default deadline to connect and receive response headers (and the `endpoint` event), in ms. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;

/** Default `User-Agent`. */
const DEFAULT_USER_AGENT = 'mcptrust';

/** How much of a POST's response body is read (and discarded) before the socket is dropped. */
const POST_BODY_LIMIT = 64 * 1024;

/** The resolved settings every request of one connection uses. */
export interface LegacySseSettings {
  /** Every request goes through it (the guarded dispatcher). */
  readonly dispatcher: Dispatcher;
  /** Static headers, names lower-cased. */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** The dynamic `Authorization` source, if any. */
  readonly credentials: CredentialSource | undefined;
  /** `User-Agent` value. */
  readonly userAgent: string;
  /** Deadline to connect and receive headers (a POST: and its body; the GET: and the endpoint event), in ms. */
  readonly headersTimeoutMs: number;
  /** Cap of one SSE event's data, in bytes. */
  readonly maxMessageBytes: number;
}

/** One request to the upstream's origin. */
export interface LegacySseRequest {
  /** `GET` (the event stream) or `POST` (one message). */
  readonly method: 'GET' | 'POST';
  /** The SSE URL or the endpoint (same origin). */
  readonly url: URL;
  /** `Accept` value, or undefined for none. */
  readonly accept: string | undefined;
  /** JSON text of a POST. */
  readonly body?: string;
  /** Aborts the request (the session ended or the connection closed). */
  readonly signal: AbortSignal;
}

/** A response: status and headers; the body is still open for GET and already read for POST. */
export type LegacySseResponse = Dispatcher.ResponseData;

/**
 * Checks and resolves the options one connection uses.
 *
 * @param options - the caller's options
 * @param dispatcher - the (guarded) dispatcher every request goes through
 * @returns the settings
 * @throws RemoteError `INVALID_OPTIONS` for a size or deadline that is not a positive
 *   integer, or a static header that is malformed, repeated or one the transport controls
 *   (the value is never in the message)
 */
export function resolveLegacySseSettings(options: UpstreamOptions, dispatcher: Dispatcher): LegacySseSettings {
  const maxMessageBytes = positiveInteger(options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
  const headersTimeoutMs = positiveInteger(options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS, 'headersTimeoutMs');
  const staticHeaders = normalizeStaticHeaders(options.endpoint.headers);
  return {
    dispatcher,
    staticHeaders,
    credentials: options.credentials,
    userAgent: options.userAgent ?? staticHeaders['user-agent'] ?? DEFAULT_USER_AGENT,
    headersTimeoutMs,
    maxMessageBytes,
  };
}

/**
 * A URL as it may appear in a message: origin and path, never the query (the legacy
 * endpoint's query carries the session ID).
 *
 * @param url - any URL
 * @returns origin + pathname
 */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Whether a `Content-Type` value is `text/event-stream` (media-type essence, any parameters).
 *
 * @param value - the header value(s)
 * @returns true for an event stream
 */
export function isEventStream(value: string | string[] | undefined): boolean {
  return mediaTypeOf(value) === 'text/event-stream';
}

/**
 * Sends one request; after a 401 (or a 403 whose challenge says `insufficient_scope`),
 * asks the credential source for new credentials and retries once. A POST's response
 * body is read and discarded before this resolves; a GET's body is left open.
 *
 * @param settings - the connection's settings
 * @param request - the request
 * @returns the response (any status but an authentication failure)
 * @throws RemoteError `UNAUTHORIZED` (401/403 and no new credentials), `NETWORK_ERROR`
 *   (connection failure, deadline), `CLOSED` (aborted through `request.signal`), or the
 *   dispatcher's own RemoteError (e.g. `BLOCKED_ADDRESS`)
 */
export async function requestWithAuth(settings: LegacySseSettings, request: LegacySseRequest): Promise<LegacySseResponse> {
  for (let attempt = 0; ; attempt++) {
    const response = await requestOnce(settings, request);
    const status = authFailureStatus(response);
    if (status === undefined) return response;
    const challenge = firstHeader(response.headers['www-authenticate']);
    await discardBody(response);
    const renewed = attempt === 0 && (await askForCredentials(settings.credentials, challenge, status));
    if (!renewed) {
      const again = attempt === 0 ? '' : ' again after new credentials';
      throw new RemoteError('UNAUTHORIZED', `${describeUrl(request.url)} answered HTTP ${status}${again}`, { status });
    }
  }
}

/**
 * Reads and drops what is left of a response body (bounded); never throws.
 *
 * @param response - a response
 */
export async function discardBody(response: LegacySseResponse): Promise<void> {
  try {
    await response.body.dump({ limit: POST_BODY_LIMIT });
  } catch {
    // The status decided already; a body that fails to drain only costs its socket.
  }
}

/** One attempt, with the deadline on connect + headers (and, for POST, the body). */
async function requestOnce(settings: LegacySseSettings, request: LegacySseRequest): Promise<LegacySseResponse> {
  const headers = await buildHeaders(settings, request);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), settings.headersTimeoutMs);
  try {
    const response = await settings.dispatcher.request({
      origin: request.url.origin,
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method,
      headers,
      body: request.body ?? null,
      signal: AbortSignal.any([request.signal, deadline.signal]),
      headersTimeout: settings.headersTimeoutMs,
      // The GET stream is long-lived and may be silent for minutes; its end is the session's end.
      bodyTimeout: request.method === 'GET' ? 0 : settings.headersTimeoutMs,
    });
    if (request.method === 'POST') await discardBody(response);
    return response;
  } catch (error) {
    throw toRemoteError(error, request, deadline.signal.aborted, settings.headersTimeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Static headers, then the credential, then the headers the transport controls. */
async function buildHeaders(settings: LegacySseSettings, request: LegacySseRequest): Promise<Record<string, string>> {
  const headers: Record<string, string> = { ...settings.staticHeaders };
  let authorization: string | undefined;
  try {
    authorization = await settings.credentials?.authorization();
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    throw new RemoteError('UNAUTHORIZED', 'the credential source failed to supply an Authorization value', { cause: error });
  }
  if (authorization !== undefined) headers['authorization'] = authorization;
  headers['user-agent'] = settings.userAgent;
  if (request.accept !== undefined) headers['accept'] = request.accept;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

/** 401, or 403 with `insufficient_scope`: a status the credential source may fix. */
function authFailureStatus(response: LegacySseResponse): number | undefined {
  if (response.statusCode === 401) return 401;
  if (response.statusCode === 403) {
    const challenge = firstHeader(response.headers['www-authenticate']) ?? '';
    if (challenge.includes('insufficient_scope')) return 403;
  }
  return undefined;
}

/** The credential source's answer; a source that throws counts as "no new credentials", unless it throws `UNAUTHORIZED` (its reason is kept). */
async function askForCredentials(credentials: CredentialSource | undefined, challenge: string | undefined, status: number): Promise<boolean> {
  if (credentials?.unauthorized === undefined) return false;
  try {
    return (await credentials.unauthorized(challenge, status)) === true;
  } catch (error) {
    // A source that explains why (a step-up needing a new login) is passed on as it is.
    if (error instanceof RemoteError && error.code === 'UNAUTHORIZED') throw error;
    return false;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toRemoteError(error: unknown, request: LegacySseRequest, timedOut: boolean, timeoutMs: number): RemoteError {
  if (error instanceof RemoteError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof RemoteError) return cause;
  const where = `${request.method} ${describeUrl(request.url)}`;
  if (request.signal.aborted) return new RemoteError('CLOSED', `${where} was aborted`, { cause: error });
  if (timedOut) return new RemoteError('NETWORK_ERROR', `${where}: no response headers within ${timeoutMs} ms`, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return new RemoteError('NETWORK_ERROR', `${where} failed: ${detail}`, { cause: error });
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RemoteError('INVALID_OPTIONS', `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
