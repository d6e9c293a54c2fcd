/**
 * The audit event model: one event per decision the enforcement engine takes. This is
 * the contract later sinks (JSONL, SIEM, OpenTelemetry) serialize, so fields are flat,
 * named for what they mean, and optional only when a decision genuinely lacks them.
 */

/** What the engine did with a message. */
export type AuditAction =
  /** The message was forwarded after every check passed. */
  | 'allowed'
  /** A request was refused and answered locally with a JSON-RPC error. */
  | 'blocked'
  /** A message was discarded without an answer (spoofed response, denied notification, junk). */
  | 'dropped'
  /** Items were removed from a list response before it reached the host. */
  | 'filtered'
  /** Audit-only mode: the message was forwarded but would have been blocked or filtered. */
  | 'audit_only'
  /** A pending request expired and was answered with a timeout error. */
  | 'timeout'
  /** The session was refused (preflight drift, unsupported protocol version) or ended. */
  | 'session';

/** Which way the message was travelling. */
export type AuditDirection = 'host_to_server' | 'server_to_host' | 'internal';

/** One audited decision. */
export interface AuditEvent {
  /** When the decision was taken (ISO 8601, UTC). */
  time: string;
  /** What was done. */
  action: AuditAction;
  /** Which way the message was travelling. */
  direction: AuditDirection;
  /** JSON-RPC method of the message (or of the request a response belongs to). */
  method?: string;
  /** Tool name named by the message (attacker-controlled text). */
  tool?: string;
  /** Prompt name named by the message (attacker-controlled text). */
  prompt?: string;
  /** Resource URI or URI template named by the message (attacker-controlled text). */
  uri?: string;
  /** Short human-readable reason ("not in allowlist", "definition drifted"). */
  reason?: string;
  /** Stable machine-readable reason code (the engine's denial class). */
  code?: string;
  /** JSON-RPC error code sent to the host, when one was sent. */
  errorCode?: number;
  /** How many items a list filter removed. */
  count?: number;
  /** Names of the items a list filter removed (attacker-controlled text). */
  items?: string[];
  /** Enforcement mode the engine was running in. */
  mode?: 'enforce' | 'filter-only' | 'audit-only';
  /** Negotiated protocol version, when known. */
  protocolVersion?: string;
  /**
   * JSON-RPC id of the host request this decision answers, as text (`7`, `abc`):
   * present on every decision about a host request (allowed, blocked, audit_only,
   * timeout, the `dropped` answers of a server that went away, the `session` event of a
   * refused `initialize`), absent for notifications and server-side messages.
   * Attacker-controlled. In filter-only and audit-only modes a request reported as
   * `audit_only` may be reported again if it then times out or its server goes away.
   */
  requestId?: string;
  /** Milliseconds from the request's arrival to its answer, on decisions about host requests. */
  durationMs?: number;
  /**
   * W3C `traceparent` the host sent in the request's `params._meta`, only when it has
   * the version-00 shape (`00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero).
   */
  traceParent?: string;
  /** W3C `tracestate` sent with {@link AuditEvent.traceParent} (at most 512 characters). */
  traceState?: string;
  /** On an `allowed` tools/call: the server answered with `isError: true`. */
  toolError?: boolean;
  /**
   * The request's `arguments` (tools/call, prompts/get), only when the engine was asked
   * to report payloads (`auditPayloads`, the CLI's `--log-payloads`). Attacker-controlled
   * and possibly secret: sinks other than the opted-in log leave it out.
   */
  arguments?: unknown;
}
