/**
 * One HTTP exchange with the upstream's MCP endpoint: the headers every request carries,
 * the deadline for response headers, and the one retry after a 401 when the credential
 * source has fresh credentials.
 */
import { request, type Dispatcher } from 'undici';
import { RemoteError } from '../errors.js';
import type { CredentialSource } from '../upstream.types.js';
import type { ResponseBody } from './body.js';
import { drain } from './body.js';
import { headerOf, sendsVersionHeader } from './headers.js';

/** What every request of one connection shares. */
export interface RequestSettings {
  /** The MCP endpoint. */
  readonly url: URL;
  /** The guarded dispatcher. */
  readonly dispatcher: Dispatcher;
  /** Checked static headers, lower-case names. */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** Dynamic `Authorization`. */
  readonly credentials: CredentialSource | undefined;
  /** `User-Agent`. */
  readonly userAgent: string;
  /** Deadline for connect + response headers, in ms. */
  readonly headersTimeoutMs: number;
}

/** One request. */
export interface UpstreamRequest {
  readonly method: 'POST' | 'GET' | 'DELETE';
  /** JSON body (POST). */
  readonly body?: string;
  /** `Mcp-Session-Id`, when a session exists. */
  readonly sessionId?: string | undefined;
  /** The negotiated version; sent as `MCP-Protocol-Version` from 2025-06-18 on. */
  readonly protocolVersion?: string | undefined;
  /** `Last-Event-ID` of a resumption. */
  readonly lastEventId?: string | undefined;
  /** Aborts the request and its body (close, session loss, the headers deadline). */
  readonly controller: AbortController;
  /** Overrides the headers deadline (DELETE on close uses a short one). */
  readonly timeoutMs?: number;
}

/** The answer, headers received. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: ResponseBody;
  /** Whether the request carried `Mcp-Session-Id` (a 404 then means the session is gone). */
  readonly sentSession: boolean;
}

async function buildHeaders(settings: RequestSettings, req: UpstreamRequest): Promise<Record<string, string>> {
  const headers: Record<string, string> = { ...settings.staticHeaders, 'user-agent': settings.userAgent };
  const authorization = settings.credentials === undefined ? undefined : await settings.credentials.authorization();
  if (authorization !== undefined) headers.authorization = authorization;
  if (req.method === 'POST') {
    headers.accept = 'application/json, text/event-stream';
    headers['content-type'] = 'application/json';
  } else if (req.method === 'GET') {
    headers.accept = 'text/event-stream';
  }
  if (req.sessionId !== undefined) headers['mcp-session-id'] = req.sessionId;
  if (sendsVersionHeader(req.protocolVersion)) headers['mcp-protocol-version'] = req.protocolVersion;
  if (req.lastEventId !== undefined) headers['last-event-id'] = req.lastEventId;
  return headers;
}

function remoteErrorIn(error: unknown): RemoteError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof RemoteError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a failure of an exchange to a RemoteError: the abort reason when we aborted, the
 * address guard's own error, else `NETWORK_ERROR` (no headers or URLs with secrets).
 * @param error - what undici or the body stream threw
 * @param controller - the exchange's controller
 */
export function toRemoteError(error: unknown, controller: AbortController): RemoteError {
  if (controller.signal.aborted) {
    const reason: unknown = controller.signal.reason;
    return reason instanceof RemoteError ? reason : new RemoteError('CLOSED', 'the request was aborted', { cause: reason });
  }
  const own = remoteErrorIn(error);
  if (own !== undefined) return own;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
  return new RemoteError('NETWORK_ERROR', `the upstream could not be reached (${detail})`, { cause: error });
}

async function exchange(settings: RequestSettings, req: UpstreamRequest): Promise<UpstreamResponse> {
  const timeoutMs = req.timeoutMs ?? settings.headersTimeoutMs;
  const timer = setTimeout(() => {
    req.controller.abort(new RemoteError('NETWORK_ERROR', `the upstream sent no response headers within ${timeoutMs} ms`));
  }, timeoutMs);
  try {
    const headers = await buildHeaders(settings, req);
    if (req.controller.signal.aborted) throw req.controller.signal.reason;
    const response = await request(settings.url, {
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      dispatcher: settings.dispatcher,
      signal: req.controller.signal,
      headersTimeout: timeoutMs + 1000,
      bodyTimeout: 0,
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      sentSession: req.sessionId !== undefined,
    };
  } catch (error) {
    throw toRemoteError(error, req.controller);
  } finally {
    clearTimeout(timer);
  }
}

function needsAuth(response: UpstreamResponse): boolean {
  if (response.status === 401) return true;
  if (response.status !== 403) return false;
  return /insufficient_scope/i.test(headerOf(response.headers, 'www-authenticate') ?? '');
}

/**
 * Sends one request. A 401 (or a 403 `insufficient_scope`) asks the credential source
 * once; when it has new credentials the request is sent again, else it fails.
 * @param settings - the connection's settings
 * @param req - the request
 * @returns the response, headers received; the caller reads or drains the body
 * @throws RemoteError `UNAUTHORIZED` (with the status), `NETWORK_ERROR`, the guard's `BLOCKED_ADDRESS`, or the abort reason
 */
export async function sendUpstream(settings: RequestSettings, req: UpstreamRequest): Promise<UpstreamResponse> {
  let response = await exchange(settings, req);
  if (!needsAuth(response)) return response;
  const challenge = headerOf(response.headers, 'www-authenticate');
  const status = response.status;
  await drain(response.body);
  let refreshed = false;
  if (settings.credentials?.unauthorized !== undefined) {
    try {
      refreshed = await settings.credentials.unauthorized(challenge, status);
    } catch (error) {
      // A source that explains why (a step-up needing a new login) is passed on as it is.
      if (error instanceof RemoteError && error.code === 'UNAUTHORIZED') throw error;
      refreshed = false;
    }
  }
  if (refreshed) {
    response = await exchange(settings, req);
    if (!needsAuth(response)) return response;
    await drain(response.body);
  }
  throw new RemoteError('UNAUTHORIZED', `the upstream refused the credentials (HTTP ${status})`, { status });
}
