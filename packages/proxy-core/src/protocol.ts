/**
 * Protocol constants: the MCP versions the engine implements, the methods each
 * direction may use per version (unknown methods are denied, PROTOCOL 27), and the
 * JSON-RPC error codes the engine answers with.
 */

/** Protocol versions the engine implements, oldest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;

/** One of {@link SUPPORTED_PROTOCOL_VERSIONS}. */
export type SupportedProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/** The newest version; a host asking for a newer one is negotiated down to it. */
export const LATEST_PROTOCOL_VERSION: SupportedProtocolVersion = '2025-11-25';

/**
 * JSON-RPC error codes of the answers the engine produces itself: one per denial class
 * (message `MCPTRUST_DENIED: <reason>`) plus the standard protocol errors. MCP's
 * `-32002` (resource not found) is never used, so a host can tell a denial from a
 * missing resource.
 */
export const DENIAL_CODES = {
  /** `tools/call` of a tool not in the lockfile. */
  TOOL_NOT_ALLOWED: -32050,
  /** `prompts/get` of a prompt not in the lockfile. */
  PROMPT_NOT_ALLOWED: -32051,
  /** `resources/read|subscribe|unsubscribe` of a URI no pinned resource or template allows. */
  RESOURCE_NOT_ALLOWED: -32052,
  /** The item's live definition differs from the lockfile (runtime or preflight drift). */
  DEFINITION_DRIFTED: -32053,
  /** `tools/call` arguments do not validate against the pinned inputSchema. */
  INVALID_ARGUMENTS: -32054,
  /** A method the engine does not know for the negotiated version, or not allowed in this state. */
  METHOD_NOT_ALLOWED: -32055,
  /** `completion/complete` for a prompt or template that is not allowed. */
  COMPLETION_NOT_ALLOWED: -32056,
  /** The embedder's `callGuard` (policy) refused the call. */
  POLICY_DENIED: -32057,
  /** The pending-request table (or another bounded table) is full. */
  LIMIT_EXCEEDED: -32058,
  /** An internal failure (CSPRNG, serialization); the request is refused, fail closed. */
  INTERNAL_FAILURE: -32059,
  /** The request was not answered within the request timeout. */
  REQUEST_TIMEOUT: -32060,
  /** The server exited or its transport closed before answering. */
  SERVER_UNAVAILABLE: -32061,
  /** The session was refused (preflight drift, unsupported server version). */
  SESSION_REFUSED: -32062,
  /** `tools/call`, `prompts/get` or `resources/read|subscribe|unsubscribe` of an item the lockfile denies (`denied`). */
  ITEM_DENIED: -32063,
  /** `tasks/*` for a task ID this session did not create, or tasks before 2025-11-25 (PROTOCOL 37, 39). */
  TASK_NOT_ALLOWED: -32602,
  /** A host line that is not JSON, or a line over the size cap. */
  PARSE_ERROR: -32700,
  /** Envelope or ID violations, batches outside 2025-03-26, duplicate IDs, a second `initialize`. */
  INVALID_REQUEST: -32600,
  /** `initialize` with a protocol version the engine does not implement. */
  UNSUPPORTED_PROTOCOL_VERSION: -32602,
  /**
   * A server→client request the host did not declare a capability for (or denied by
   * option); a host request of a newer protocol (`server/discover`, 2026-07-28), so
   * that a newer client falls back to `initialize`.
   */
  METHOD_NOT_FOUND: -32601,
} as const;

/** A key of {@link DENIAL_CODES}; used as the audit `code`. */
export type DenialClass = keyof typeof DENIAL_CODES;

const BASE_HOST_REQUESTS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'resources/templates/list',
  'completion/complete',
  'logging/setLevel',
];
const TASK_REQUESTS = ['tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list'];

/** Every host→server request method of any supported version. */
export const HOST_REQUEST_METHODS: readonly string[] = [...BASE_HOST_REQUESTS, ...TASK_REQUESTS];

const HOST_REQUESTS: Record<SupportedProtocolVersion, ReadonlySet<string>> = {
  '2024-11-05': new Set(BASE_HOST_REQUESTS),
  '2025-03-26': new Set(BASE_HOST_REQUESTS),
  '2025-06-18': new Set(BASE_HOST_REQUESTS),
  '2025-11-25': new Set([...BASE_HOST_REQUESTS, ...TASK_REQUESTS]),
};

// Requests of protocol versions newer than the proxy implements (2026-07-28), answered
// -32601 in every state so that a newer client falls back to initialize.
const NEWER_PEER_METHODS: ReadonlySet<string> = new Set(['server/discover']);

/** Whether a host request belongs to a newer protocol version (answered -32601, never forwarded). */
export function isNewerPeerMethod(method: string): boolean {
  return NEWER_PEER_METHODS.has(method);
}

/** Host→server requests known for a version. */
export function isKnownHostRequest(version: SupportedProtocolVersion, method: string): boolean {
  return HOST_REQUESTS[version].has(method);
}

/** Whether a string is one of the supported versions. */
export function isSupportedVersion(v: unknown): v is SupportedProtocolVersion {
  return typeof v === 'string' && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(v);
}

/** Whether `a` is at least `b` (versions are ISO dates, so string order is date order). */
export function versionAtLeast(a: SupportedProtocolVersion, b: SupportedProtocolVersion): boolean {
  return a >= b;
}
