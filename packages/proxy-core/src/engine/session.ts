/**
 * The per-session state every stage shares: the resolved options, the transport's
 * output side, where the session is in its lifecycle, and what it learned about the
 * server's items. Stages read and write it explicitly instead of reaching into each
 * other; each field says which stage writes it.
 */
import { Allowlist, type ItemKind } from '../allowlist.js';
import type { EngineState, EnforcementMode, FailOn, PreflightDrift, ProxyEngineIO, ProxyEngineOptions } from '../engine.types.js';
import { ProxyError } from '../errors.js';
import type { SupportedProtocolVersion } from '../protocol.js';
import { createRandomIdSource } from '../random-id.js';
import { isObject, type Json } from './json.js';
import { SEVERITY_RANK } from './preflight-grading.js';

/** Default per-request timeout (300 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
/** Default pending-table capacity. */
export const DEFAULT_MAX_PENDING = 1024;

/** One engine session: resolved options and shared state (see the module comment). */
export class Session {
  /** Where the engine's output goes (the transport adapter). */
  readonly io: ProxyEngineIO;
  /** The options as given (hooks and flags read where they apply). */
  readonly options: ProxyEngineOptions;
  /** The lockfile compiled into lookups. */
  readonly allow: Allowlist;
  /** `enforce`, `filter-only` or `audit-only`. */
  readonly mode: EnforcementMode;
  /** Preflight drift threshold that refuses the session. */
  readonly failOn: FailOn;
  /** Whether preflight runs after `initialize`. */
  readonly preflightEnabled: boolean;
  /** Whether static resources listed during preflight are allowed. */
  readonly allowStatic: boolean;
  /** Timeout of a host request, in ms (extended by progress). */
  readonly requestTimeout: number;
  /** Timeout of `initialize` and of each preflight request, in ms. */
  readonly startupTimeout: number;
  /** Capacity of the pending table. */
  readonly maxPending: number;
  /** Capacity of the server-request table. */
  readonly maxServerRequests: number;
  /** Capacity of the task and elicitation tables. */
  readonly maxTasks: number;
  /** Largest `notifications/message` line relayed, in characters. */
  readonly maxLogBytes: number;
  /** Source of proxy IDs (a CSPRNG; throwing fails the request closed). */
  readonly newId: () => string;

  /** Lifecycle state (lifecycle stage; the pending table refuses on an `initialize` timeout). */
  state: EngineState = 'awaiting-initialize';
  /** Negotiated protocol version, once the server answered `initialize` (lifecycle). */
  version: SupportedProtocolVersion | undefined;
  /** Client capabilities the host declared and the engine relays (lifecycle). */
  hostCaps: Json = {};
  /** Drift found by preflight (preflight). */
  drift: PreflightDrift[] = [];

  /** Items whose live definition drifted: denied for the rest of the session (preflight, lists). */
  readonly drifted = new Map<ItemKind, Set<string>>([
    ['tool', new Set()],
    ['prompt', new Set()],
    ['resourceTemplate', new Set()],
    ['resource', new Set()],
  ]);
  /** Static resources listed during preflight, allowed with `allowStaticResources` (preflight). */
  readonly startupStatic = new Set<string>();
  /** Live inputSchemas verified by hash, used when the lockfile pins hashes only (preflight, lists). */
  readonly verifiedSchemas = new Map<string, unknown>();
  /** Task IDs of allowed task-augmented calls → tool (enforcement). */
  readonly tasks = new Map<string, string>();
  /** Elicitation IDs of relayed `elicitation/create` requests (relay). */
  readonly elicitations = new Set<string>();
  /**
   * Bumped whenever something a list verdict depends on changes (drift, tasks,
   * start-up static resources), which invalidates every cached list page.
   */
  stateVersion = 0;

  /**
   * @throws ProxyError `INVALID_OPTIONS` / `INVALID_LOCKFILE`
   */
  constructor(io: ProxyEngineIO, options: ProxyEngineOptions) {
    if (options === undefined || !isObject(options.lockfile)) {
      throw new ProxyError('INVALID_OPTIONS', 'createProxyEngine needs a parsed lockfile in options.lockfile');
    }
    const mode = options.mode ?? 'enforce';
    if (mode !== 'enforce' && mode !== 'filter-only' && mode !== 'audit-only') {
      throw new ProxyError('INVALID_OPTIONS', `unknown mode ${JSON.stringify(mode)}`);
    }
    const failOn = options.failOn ?? 'critical';
    if (!(failOn in SEVERITY_RANK)) throw new ProxyError('INVALID_OPTIONS', `unknown failOn ${JSON.stringify(failOn)}`);
    const positive = (v: number | undefined, d: number, name: string): number => {
      const n = v ?? d;
      if (!Number.isFinite(n) || n <= 0) throw new ProxyError('INVALID_OPTIONS', `${name} must be a positive number`);
      return n;
    };
    this.io = io;
    this.options = options;
    try {
      this.allow = new Allowlist(options.lockfile);
    } catch (cause) {
      throw new ProxyError('INVALID_LOCKFILE', 'the lockfile cannot be compiled into an allowlist', { cause });
    }
    this.mode = mode;
    this.failOn = failOn;
    this.preflightEnabled = options.preflight ?? true;
    this.allowStatic = options.allowStaticResources ?? false;
    this.requestTimeout = positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    this.startupTimeout = positive(options.startupTimeoutMs, 30_000, 'startupTimeoutMs');
    this.maxPending = positive(options.maxPending, DEFAULT_MAX_PENDING, 'maxPending');
    this.maxServerRequests = positive(options.maxServerRequests, 64, 'maxServerRequests');
    this.maxTasks = positive(options.maxTasks, 1024, 'maxTasks');
    this.maxLogBytes = positive(options.maxLogMessageBytes, 256 * 1024, 'maxLogMessageBytes');
    this.newId = options.randomId ?? createRandomIdSource();
  }

  /** Marks an item drifted for the rest of the session. */
  markDrifted(kind: ItemKind, id: string): void {
    const set = this.drifted.get(kind)!;
    if (set.has(id)) return;
    set.add(id);
    this.stateVersion++;
  }

  /** The session cannot continue: tells the adapter, which shuts the server down. */
  fatal(err: Error): void {
    try {
      this.io.onFatal?.(err);
    } catch {
      // The adapter's handler failing must not hide the refusal already sent.
    }
  }
}
