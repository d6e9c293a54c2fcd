/**
 * Header rules of the Streamable HTTP client: which static header names the transport
 * owns, how a server's session ID is checked before it is echoed, and how it is shown
 * in logs.
 */
import { RemoteError } from '../errors.js';

/** Header names the transport sets itself; static headers may not set them. */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'last-event-id',
  'mcp-protocol-version',
  'mcp-session-id',
  'connection',
  'transfer-encoding',
]);

/** The first protocol version that has the `MCP-Protocol-Version` header. */
export const VERSION_HEADER_SINCE = '2025-06-18';

/** The only protocol version of Streamable HTTP that allows JSON-RPC batches. */
export const BATCH_VERSION = '2025-03-26';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Header values: visible ASCII, space and tab only (no CR/LF, no control bytes).
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const SESSION_ID = /^[\x21-\x7e]+$/;

/**
 * Checks the configured static headers and returns them with lower-case names.
 * @param headers - `endpoint.headers`
 * @returns the headers to send on every request to the upstream
 * @throws RemoteError `INVALID_OPTIONS` for a malformed name or value, or a name the transport controls (the value is never in the message)
 */
export function normalizeStaticHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (headers === undefined) return out;
  if (typeof headers !== 'object' || headers === null) {
    throw new RemoteError('INVALID_OPTIONS', 'endpoint.headers must be an object of header names to values');
  }
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw new RemoteError('INVALID_OPTIONS', `endpoint.headers: "${name.slice(0, 64)}" is not a valid header name`);
    if (RESERVED_HEADER_NAMES.has(lower)) {
      throw new RemoteError('INVALID_OPTIONS', `endpoint.headers: ${lower} is set by the transport and may not be configured`);
    }
    if (typeof value !== 'string' || !FIELD_VALUE.test(value)) {
      throw new RemoteError('INVALID_OPTIONS', `endpoint.headers: the value of ${lower} is not a valid header value`);
    }
    if (lower in out) throw new RemoteError('INVALID_OPTIONS', `endpoint.headers: ${lower} is given twice`);
    out[lower] = value;
  }
  return out;
}

/**
 * Whether a server-minted session ID may be echoed: only visible ASCII 0x21–0x7E (spec,
 * Streamable HTTP §Session Management).
 * @param value - the `Mcp-Session-Id` response header
 */
export function isValidSessionId(value: string): boolean {
  return value.length <= 1024 && SESSION_ID.test(value);
}

/**
 * A session ID shortened for logs: its first 4 characters and its length.
 * @param sessionId - the session ID, or undefined
 */
export function sessionLabelOf(sessionId: string | undefined): string | undefined {
  if (sessionId === undefined) return undefined;
  return `${sessionId.slice(0, 4)}…(${sessionId.length} chars)`;
}

/**
 * The media-type essence of a `Content-Type` value (type/subtype, lower case, no parameters).
 * @param value - the header value (undici gives a string or an array)
 */
export function mediaTypeOf(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const essence = raw.split(';', 1)[0]?.trim().toLowerCase();
  return essence === '' ? undefined : essence;
}

/**
 * One header value of an undici response (the first, when repeated).
 * @param headers - undici response headers
 * @param name - lower-case name
 */
export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a protocol version uses the `MCP-Protocol-Version` header (2025-06-18 and later;
 * versions are ISO dates, so they compare as strings).
 * @param version - negotiated protocol version
 */
export function sendsVersionHeader(version: string | undefined): version is string {
  return version !== undefined && version >= VERSION_HEADER_SINCE;
}
