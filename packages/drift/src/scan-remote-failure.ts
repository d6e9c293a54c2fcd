/**
 * What a failed scan of a remote server says: whatever stopped it (the caller's abort,
 * the deadline, the URL or address guard, the network, an HTTP status, credentials, the
 * session ending, an error answer, an invalid result) as one {@link DriftError} naming
 * the endpoint (origin and path, never the query string, a header or a token) and the
 * phase, with the `RemoteError` behind it as the cause.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { RemoteError } from '@mcptrust/remote/errors';
import { endpointOf } from '@mcptrust/remote/url';
import type { RemoteErrorCode } from '@mcptrust/remote/errors';
import { DriftError } from './errors.js';
import type { DriftErrorCode } from './errors.js';
import { describeIssues, isZodError } from './scan-failure.js';
import type { ScanSettings } from './scan-settings.js';
import { toEvidence } from './unicode.js';

/** What the scan knew when it stopped. */
export interface RemoteScanFailureFacts {
  /** The endpoint as messages show it (see {@link describeRemoteEndpoint}). */
  endpoint: string;
  settings: ScanSettings;
  /** What the scan was doing (`initialize`, `tools/list (page 2)`...). */
  phase: string;
  /** Whether the scan's own deadline passed. */
  deadlinePassed: boolean;
  /** Whether the connection closed before the scan was done with it. */
  closedEarly: boolean;
  /** The last transport failure the client reported (through `onerror`), if any. */
  transportError: RemoteError | undefined;
  /** The first protocol problems the SDK reported. */
  protocolErrors: readonly string[];
}

/** What each transport failure becomes. */
const REMOTE_CODES: Readonly<Record<RemoteErrorCode, DriftErrorCode>> = {
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  INSECURE_URL: 'REMOTE_REFUSED',
  BLOCKED_ADDRESS: 'REMOTE_REFUSED',
  CROSS_ORIGIN: 'REMOTE_REFUSED',
  NETWORK_ERROR: 'REMOTE_UNREACHABLE',
  HTTP_STATUS: 'REMOTE_HTTP_ERROR',
  CONTENT_TYPE: 'INVALID_SERVER_RESPONSE',
  TOO_LARGE: 'INVALID_SERVER_RESPONSE',
  PROTOCOL_ERROR: 'INVALID_SERVER_RESPONSE',
  SESSION_LOST: 'SERVER_EXITED',
  UNAUTHORIZED: 'REMOTE_UNAUTHORIZED',
  STREAM_ENDED: 'SERVER_EXITED',
  CLOSED: 'SERVER_EXITED',
  OAUTH_FAILED: 'REMOTE_UNAUTHORIZED',
  TOKEN_STORE: 'REMOTE_UNAUTHORIZED',
};

/** What a message says first for each code a transport failure maps to. */
function lead(code: DriftErrorCode, endpoint: string, phase: string): string {
  switch (code) {
    case 'REMOTE_REFUSED':
      return `refusing to scan ${endpoint}`;
    case 'REMOTE_UNREACHABLE':
      return `could not reach ${endpoint} (during ${phase})`;
    case 'REMOTE_UNAUTHORIZED':
      return `${endpoint} refused the scan for lack of valid credentials (during ${phase})`;
    case 'REMOTE_HTTP_ERROR':
      return `${endpoint} answered ${phase} with an HTTP error`;
    case 'SERVER_EXITED':
      return `the session with ${endpoint} ended before the scan finished (during ${phase})`;
    case 'INVALID_SERVER_RESPONSE':
      return `the answer of ${endpoint} to ${phase} cannot be accepted`;
    default:
      return `the scan of ${endpoint} failed during ${phase}`;
  }
}

/**
 * The endpoint of a remote server as messages show it: origin and path, without
 * credentials, query string or fragment, with control and invisible characters escaped.
 * A string that is not a URL is cut before any `?` or `#`, and whatever precedes an `@`
 * is replaced by `***`.
 *
 * @param url - the URL as configured (it need not be valid)
 * @returns e.g. `https://mcp.example.com/mcp`
 */
export function describeRemoteEndpoint(url: string): string {
  let shown: string;
  try {
    const parsed = new URL(url);
    // Schemes other than http(s) have no origin; their host and path still show.
    shown = parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}${parsed.pathname}` : endpointOf(parsed);
  } catch {
    const cut = url.search(/[?#]/);
    const head = cut === -1 ? url : url.slice(0, cut);
    const at = head.lastIndexOf('@');
    shown = at === -1 ? head : `${/^[a-z][a-z0-9+.-]*:\/\//i.exec(head)?.[0] ?? ''}***${head.slice(at)}`;
  }
  return toEvidence(shown, 200);
}

/** The first `RemoteError` in `error`'s cause chain. */
export function findRemoteError(error: unknown): RemoteError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof RemoteError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A transport failure as a {@link DriftError}.
 *
 * @param remote - the failure
 * @param endpoint - the endpoint as messages show it
 * @param phase - what the scan was doing
 */
export function remoteFailure(remote: RemoteError, endpoint: string, phase: string): DriftError {
  const code = REMOTE_CODES[remote.code] ?? 'SERVER_ERROR';
  // The URL check's own message already names the endpoint and what is wrong with it.
  if (remote.code === 'INSECURE_URL') return new DriftError(code, toEvidence(remote.message, 400), { cause: remote });
  const status = remote.status === undefined || remote.message.includes(String(remote.status)) ? '' : ` (HTTP ${remote.status})`;
  return new DriftError(code, `${lead(code, endpoint, phase)}: ${toEvidence(remote.message, 300)}${status}`, { cause: remote });
}

/** The transport failure behind an error answer the transport made up for a request it could not send. */
function answeredFailure(error: unknown): RemoteError | undefined {
  return error instanceof McpError && error.data instanceof RemoteError ? error.data : undefined;
}

/**
 * Turns whatever stopped a remote scan into a {@link DriftError}.
 *
 * @param error - what the scan rejected with
 * @param facts - what the scan knew when it stopped
 */
export function remoteScanFailure(error: unknown, facts: RemoteScanFailureFacts): DriftError {
  const { endpoint, settings, phase } = facts;
  const make = (code: DriftErrorCode, message: string, cause: unknown = error): DriftError => {
    const full = facts.protocolErrors.length > 0 ? `${message}\nprotocol errors seen: ${facts.protocolErrors.join('; ')}` : message;
    return new DriftError(code, full, { cause });
  };

  if (settings.signal?.aborted === true) {
    return new DriftError('ABORTED', `the scan of ${endpoint} was aborted`, { cause: settings.signal.reason });
  }
  const timedOut = `the scan of ${endpoint} did not finish within ${settings.timeoutMs} ms (stuck at ${phase})`;
  // The SDK's own request timer is set to the time left, so it can fire just before ours.
  if (facts.deadlinePassed || (error instanceof McpError && error.code === ErrorCode.RequestTimeout)) return make('SERVER_TIMEOUT', timedOut);
  if (error instanceof DriftError) return error;

  // The transport's own failure: carried by the error, by the answer the transport made
  // up for a request it could not send, or reported before the connection closed.
  const remote =
    findRemoteError(error) ?? answeredFailure(error) ?? (facts.closedEarly || !(error instanceof McpError) ? facts.transportError : undefined);
  if (remote !== undefined) {
    const failure = remoteFailure(remote, endpoint, phase);
    return make(failure.code, failure.message, remote);
  }
  if (facts.closedEarly || (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)) {
    return make('SERVER_EXITED', `the session with ${endpoint} ended before the scan finished (during ${phase})`);
  }
  if (error instanceof McpError) {
    const text = error.message.replace(/^MCP error -?\d+: /, '');
    return make('SERVER_ERROR', `${endpoint} answered ${phase} with error ${error.code}: ${toEvidence(text, 300)}`);
  }
  if (isZodError(error)) {
    return make('INVALID_SERVER_RESPONSE', `the answer of ${endpoint} to ${phase} is not a valid MCP result: ${toEvidence(describeIssues(error.issues), 300)}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return make('SERVER_ERROR', `the scan of ${endpoint} failed during ${phase}: ${toEvidence(message, 300)}`);
}
