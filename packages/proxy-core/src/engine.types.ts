import type { AuditSink } from '@mcptrust/audit';
import type { Lockfile } from '@mcptrust/lockfile';

/** How the engine acts on what the lockfile does not allow. */
export type EnforcementMode = 'enforce' | 'filter-only' | 'audit-only';

/** Drift severity threshold for the preflight check. */
export type FailOn = 'critical' | 'moderate' | 'info';

/** A call the embedder's {@link ProxyEngineOptions.callGuard} is asked about. */
export interface GuardedCall {
  /** `tools/call`, `prompts/get` or `resources/read`. */
  method: string;
  /** Tool name, for `tools/call`. */
  tool?: string;
  /** Prompt name, for `prompts/get`. */
  prompt?: string;
  /** Resource URI, for `resources/read`. */
  uri?: string;
  /** Arguments of the call (already validated against the pinned schema for tools). */
  arguments?: unknown;
}

/** What a {@link ProxyEngineOptions.callGuard} decides. */
export type GuardDecision = { allow: true } | { allow: false; reason: string };

/** Where the engine's output goes. Both callbacks receive one JSON text without newline. */
export interface ProxyEngineIO {
  /** A message for the server. */
  toServer(json: string): void;
  /**
   * A message for the server as UTF-8 bytes: the concatenation of `parts` is one JSON
   * text (no LF), re-serialized from the checked message like every other. Optional:
   * without it, `toServer` gets the same message as text. Large requests use it.
   */
  toServerBytes?(parts: readonly Uint8Array[]): void;
  /** A message for the host. */
  toHost(json: string): void;
  /**
   * A message for the host as UTF-8 bytes: the concatenation of `parts` is one JSON
   * text (no LF). Optional: adapters that write bytes implement it so that messages
   * the engine already holds as bytes (cached list pages, server answers forwarded
   * with only the id replaced) are neither copied into one string nor encoded again;
   * without it, `toHost` is called with the same message as text. Parts may be views
   * of the `bytes` given to `receiveFromServer`: they are valid as long as those are.
   */
  toHostBytes?(parts: readonly Uint8Array[]): void;
  /**
   * The session cannot continue (preflight refused it, the server answered an
   * unsupported protocol version). The adapter should shut the server down.
   */
  onFatal?(error: Error): void;
}

/** Options of {@link createProxyEngine}. */
export interface ProxyEngineOptions {
  /**
   * The lockfile whose items are allowed, parsed and verified by the caller
   * (`readLockfile` / `parseLockfile` of `@mcptrust/lockfile`, which also check each
   * snapshot against its entry's hashes: preflight relies on that and accepts a live
   * tool identical to its snapshot without hashing it).
   */
  lockfile: Lockfile;
  /** `enforce` (default), `filter-only` (filter lists, allow calls) or `audit-only` (log only). */
  mode?: EnforcementMode;
  /** Preflight drift threshold that refuses the session. Default `critical`. */
  failOn?: FailOn;
  /** List everything after `initialize` and compare with the lockfile. Default true. */
  preflight?: boolean;
  /** Also allow the static resources the server lists during preflight. Default false. */
  allowStaticResources?: boolean;
  /** Per-request timeout in ms, extended by progress. Default 300 000. */
  requestTimeoutMs?: number;
  /** Timeout of `initialize` and of each preflight request, in ms. Default 30 000. */
  startupTimeoutMs?: number;
  /** Maximum host requests awaiting an answer. Default 1024. */
  maxPending?: number;
  /** Maximum server→client requests awaiting the host. Default 64. */
  maxServerRequests?: number;
  /** Maximum task IDs and elicitation IDs remembered. Default 1024. */
  maxTasks?: number;
  /** Maximum size of a `notifications/message` line from the server. Default 256 KiB. */
  maxLogMessageBytes?: number;
  /** Answer `sampling/createMessage` with -32601 and strip the sampling capability. */
  denySampling?: boolean;
  /** Answer `roots/list` with -32601 and strip the roots capability. */
  denyRoots?: boolean;
  /** Answer `elicitation/create` with -32601 and strip the elicitation capability. */
  denyElicitation?: boolean;
  /**
   * Sampling requests asking for `includeContext` other than `none`: `strip` rewrites it
   * to `none` (default), `deny` answers the server with an error.
   */
  samplingContext?: 'strip' | 'deny';
  /**
   * Runtime policy hook: asked about every `tools/call`, `prompts/get` and
   * `resources/read` the allowlist allows. Throwing counts as a denial.
   */
  callGuard?: (call: GuardedCall) => GuardDecision;
  /**
   * Where decisions are reported. Default: discarded. Every decision about a host
   * request carries its JSON-RPC id as text (`requestId`) and, when a sink is given,
   * `durationMs` (from the request line's arrival to the decision or answer, 3
   * decimals) and the host's W3C trace context from `params._meta` (`traceParent`,
   * `traceState`, only when well formed). Forwarded messages are never changed for it.
   */
  audit?: AuditSink;
  /**
   * Also emit an `allowed` event for every forwarded host request, once its answer is
   * forwarded to the host (so `durationMs` is the round trip): with `errorCode` when
   * the server answered with a JSON-RPC error, and `toolError: true` for a
   * `tools/call` whose result has `isError: true`. A request the host cancels gets it
   * when the cancellation is forwarded (`reason: 'cancelled by the host'`); one
   * already reported as `audit_only` does not. Costs an object per request.
   */
  auditAllowed?: boolean;
  /**
   * Also report the `arguments` of `tools/call` and `prompts/get` requests on their
   * decision events (`AuditEvent.arguments`). Off by default: arguments may hold
   * secrets and personal data. Needs an `audit` sink.
   */
  auditPayloads?: boolean;
  /** Source of proxy IDs; must be a CSPRNG. Default: 16 bytes of `crypto.randomFillSync` as 22 base64url characters. Throwing denies the request. */
  randomId?: () => string;
}

/** Counters of the engine's bounded tables. */
export interface ProxyEngineStats {
  /** Host requests awaiting the server. */
  pending: number;
  /** Server→client requests awaiting the host. */
  serverRequests: number;
  /** Task IDs recorded from allowed calls. */
  tasks: number;
}

/** Where the session is in its lifecycle. */
export type EngineState = 'awaiting-initialize' | 'initializing' | 'preflight' | 'ready' | 'refused' | 'closed';

/** One drifted item found by preflight. */
export interface PreflightDrift {
  /** What kind of item. */
  kind: 'tool' | 'prompt' | 'resourceTemplate' | 'resource' | 'server';
  /** Name, URI template, URI or server field. */
  id: string;
  /** `added`, `removed` or `changed`. */
  change: 'added' | 'removed' | 'changed';
  /** Severity by the severity model of `@mcptrust/drift` (ARCHITECTURE.md), as `mcptrust check` grades it. */
  severity: 'critical' | 'moderate' | 'info';
  /** Changed hash fields, for `changed`. */
  fields?: string[];
  /** One plain-English sentence from the drift model (`@mcptrust/drift`), when it graded the item. */
  message?: string;
}

/** The transport-agnostic enforcement engine (see the package README). */
export interface ProxyEngine {
  /** One line (one JSON text) from the host. `utf8Valid: false` marks malformed UTF-8. */
  receiveFromHost(line: string, utf8Valid?: boolean): void;
  /**
   * One line (one JSON text) from the server. `bytes`, when given, MUST be exactly the
   * UTF-8 bytes `line` was decoded from (the stdio bridge passes the splitter's view):
   * answers forwarded with only the id replaced are then written from them.
   */
  receiveFromServer(line: string, utf8Valid?: boolean, bytes?: Uint8Array): void;
  /**
   * Offers a long server line as its bytes (the pieces it arrived in, without the LF),
   * before it is joined and decoded. Returns true when the engine has answered it
   * from bytes alone: a list page byte-for-byte identical to one already checked,
   * under another pending proxy id. Otherwise returns false and the caller passes the
   * decoded line to `receiveFromServer`. The pieces are only read during the call.
   */
  receiveServerLineBytes(parts: readonly Uint8Array[], byteLength: number): boolean;
  /** The host sent a line over the cap (already discarded). */
  hostLineTooLong(bytes: number): void;
  /** The server sent a line over the cap (already discarded). */
  serverLineTooLong(bytes: number): void;
  /** The server is gone: every pending request is answered with an error. */
  serverClosed(reason?: string): void;
  /**
   * The upstream lost the session but can start a new one (a remote server forgot its
   * session ID; the transport was reset and expects a new `initialize`). Every request
   * still pending is answered with an error and relayed server requests are cancelled
   * toward the host. A ready session is re-established without the host seeing it: the
   * host's `initialize` (as forwarded) is sent again under a fresh proxy ID, the server
   * must answer the negotiated protocol version, then `notifications/initialized` and
   * (unless disabled) preflight against the lockfile run again while host requests wait
   * in the queue. Then the queued requests continue, or, when the new session is
   * refused (drift, another version, an error, a timeout), they are refused and
   * `onFatal` is called, exactly as for a refused start-up. A session still starting
   * fails closed (its `initialize` is answered with an error; a preflight in progress
   * refuses the session).
   */
  serverSessionLost(reason?: string): void;
  /** Stops timers and refuses further input. Pending requests are answered first. */
  close(): void;
  /** Current lifecycle state. */
  readonly state: EngineState;
  /** The negotiated protocol version, once the server answered `initialize`. */
  readonly protocolVersion: string | undefined;
  /** Drift found by preflight (empty before it ran or when disabled). */
  readonly drift: readonly PreflightDrift[];
  /** Sizes of the bounded tables. */
  stats(): ProxyEngineStats;
}
