/**
 * Helpers of the guardTransport parity tests: the PROTOCOL.md items driven through the
 * SDK-transport adapter instead of the synchronous engine harness. An in-memory inner
 * `Transport` plays the server (it records what it is sent and lets a test inject
 * server messages); the guarded (outer) transport is driven raw, as the host: a test
 * calls `send` and reads what `onmessage` delivered. The guard delivers host-bound
 * messages in microtasks, so every step awaits a macrotask turn before it looks.
 */
import { createMemoryAuditSink } from '@mcptrust/audit';
import type { MemoryAuditSink } from '@mcptrust/audit';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { guardTransport, type GuardedTransport, type GuardTransportOptions } from '../../src/guard-transport.js';
import { SURFACE, testLockfile } from '../helpers/engine-harness.js';

export { SURFACE, testLockfile };

/** A JSON-RPC message as the tests read it. */
export type Msg = Record<string, any>;

/** Lets every queued microtask (the guard's host deliveries) and pending I/O callback run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Request helper. */
export function req(id: unknown, method: string, params?: Msg): Msg {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

/** What the scripted server answers by default: the {@link SURFACE} lists and plain results. */
export function defaultResult(request: Msg, surface: Msg = SURFACE): unknown {
  switch (request['method']) {
    case 'initialize':
      return {
        protocolVersion: request['params']?.['protocolVersion'],
        capabilities: { tools: {}, prompts: {}, resources: {} },
        serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' },
      };
    case 'tools/list':
      return { tools: surface['tools'] ?? [] };
    case 'prompts/list':
      return { prompts: surface['prompts'] ?? [] };
    case 'resources/list':
      return { resources: surface['resources'] ?? [] };
    case 'resources/templates/list':
      return { resourceTemplates: surface['resourceTemplates'] ?? [] };
    case 'tools/call':
      return { content: [{ type: 'text', text: `called ${String(request['params']?.['name'])}` }] };
    default:
      return {};
  }
}

/**
 * The inner transport: an in-memory MCP server side. `received` holds every message
 * the guard sent it; `emit` delivers a server message (any value: a transport can
 * hand over anything); `end` is the server side closing. With `answer` set it answers
 * each request it receives itself (return `undefined` to leave one unanswered).
 */
export class FakeServerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Every message sent to the server, in order (copies). */
  readonly received: Msg[] = [];
  /** Protocol versions the guard passed to `setProtocolVersion`. */
  readonly versions: string[] = [];
  starts = 0;
  closes = 0;
  /** When set, requests are answered with its result (a microtask later). */
  answer: ((request: Msg) => unknown) | undefined;
  /** When set, `send` rejects with it (a broken server transport). */
  failSends: Error | undefined;

  async start(): Promise<void> {
    this.starts++;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.failSends !== undefined) throw this.failSends;
    const m = JSON.parse(JSON.stringify(message)) as Msg;
    this.received.push(m);
    const answer = this.answer;
    if (answer !== undefined && typeof m['method'] === 'string' && m['id'] !== undefined) {
      const result = answer(m);
      if (result !== undefined) queueMicrotask(() => this.emit({ jsonrpc: '2.0', id: m['id'], result }));
    }
  }

  async close(): Promise<void> {
    this.closes++;
    this.onclose?.(); // SDK transports report their own close
  }

  setProtocolVersion(version: string): void {
    this.versions.push(version);
  }

  /** Delivers one server message to the guard, as the SDK transport would after parsing it. */
  emit(message: unknown): void {
    this.onmessage?.(message as JSONRPCMessage);
  }

  /** The server side ends (process exited, connection lost). */
  end(): void {
    this.onclose?.();
  }
}

/** A guarded transport wired to a {@link FakeServerTransport} and a raw host. */
export interface GuardSession {
  guard: GuardedTransport;
  server: FakeServerTransport;
  sink: MemoryAuditSink;
  /** Messages delivered to the host (outer `onmessage`), in order. */
  toHost: Msg[];
  /** Errors passed to `onFatal`. */
  fatal: Error[];
  /** Errors reported on the outer `onerror`. */
  errors: Error[];
  /** How many times the outer `onclose` fired. */
  readonly outerCloses: number;
  /** Messages the server received (the inner transport's `received`). */
  readonly toServer: Msg[];
  /** Sends a host message through the guard and waits for the deliveries it caused. */
  host(msg: unknown): Promise<void>;
  /** Injects a server message and waits for the deliveries it caused. */
  fromServer(msg: unknown): Promise<void>;
  /** The next message delivered to the host that matches `test` (already delivered or later). */
  nextToHost(test?: (m: Msg) => boolean): Promise<Msg>;
  lastToServer(): Msg;
  lastToHost(): Msg;
  /** Runs initialize (and, with preflight, answers its listing) so the session is ready. */
  initialize(version?: string, opts?: { capabilities?: Msg; serverResult?: Msg }): Promise<void>;
  /** Forgets what both sides and the audit sink saw so far. */
  clear(): void;
}

/** Options of {@link openGuard}: the guard's options (lockfile, preflight off by default). */
export type OpenGuardOptions = Partial<GuardTransportOptions>;

/** Builds and starts a guarded transport over a fresh fake server. */
export async function openGuard(options: OpenGuardOptions = {}): Promise<GuardSession> {
  const server = new FakeServerTransport();
  const sink = createMemoryAuditSink();
  const fatal: Error[] = [];
  const toHost: Msg[] = [];
  const waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  let outerCloses = 0;
  const guard = guardTransport(server, {
    lockfile: testLockfile(),
    preflight: false,
    audit: sink,
    ...options,
    onFatal: (err) => {
      fatal.push(err);
      options.onFatal?.(err);
    },
  });
  const errors: Error[] = [];
  guard.onmessage = (message: JSONRPCMessage) => {
    const m = message as unknown as Msg;
    toHost.push(m);
    for (const w of waiters.splice(0)) {
      if (w.test(m)) w.resolve(m);
      else waiters.push(w);
    }
  };
  guard.onerror = (err) => errors.push(err);
  guard.onclose = () => outerCloses++;
  await guard.start();
  const s: GuardSession = {
    guard,
    server,
    sink,
    toHost,
    fatal,
    errors,
    get outerCloses() {
      return outerCloses;
    },
    get toServer() {
      return server.received;
    },
    async host(msg) {
      await guard.send(msg as JSONRPCMessage);
      await flush();
    },
    async fromServer(msg) {
      server.emit(msg);
      await flush();
    },
    nextToHost(test = () => true) {
      const found = toHost.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    lastToServer() {
      const m = server.received[server.received.length - 1];
      if (m === undefined) throw new Error('nothing was sent to the server');
      return m;
    },
    lastToHost() {
      const m = toHost[toHost.length - 1];
      if (m === undefined) throw new Error('nothing was delivered to the host');
      return m;
    },
    async initialize(version = '2025-06-18', opts = {}) {
      await s.host(req(0, 'initialize', { protocolVersion: version, capabilities: opts.capabilities ?? {}, clientInfo: { name: 't', version: '1' } }));
      const init = server.received.find((m) => m['method'] === 'initialize');
      if (init === undefined) throw new Error('initialize was not forwarded');
      await s.fromServer({ jsonrpc: '2.0', id: init['id'], result: opts.serverResult ?? defaultResult(init) });
      if (options.preflight === true) await answerPreflight(s);
      await s.nextToHost((m) => m['id'] === 0);
      await s.host({ jsonrpc: '2.0', method: 'notifications/initialized' });
      s.clear();
    },
    clear() {
      server.received.length = 0;
      toHost.length = 0;
      sink.clear();
    },
  };
  return s;
}

const LIST_FIELDS: Record<string, string> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

/** Answers every preflight list request with `surface`, then waits until drift is graded. */
export async function answerPreflight(s: GuardSession, surface: Msg = SURFACE): Promise<void> {
  const answered = new Set<unknown>();
  for (let round = 0; round < 10; round++) {
    const open = s.toServer.filter((m) => typeof m['method'] === 'string' && LIST_FIELDS[m['method']] !== undefined && !answered.has(m['id']));
    if (open.length === 0) break;
    for (const r of open) {
      answered.add(r['id']);
      const field = LIST_FIELDS[r['method']]!;
      await s.fromServer({ jsonrpc: '2.0', id: r['id'], result: { [field]: surface[field] ?? [] } });
    }
  }
  // Drift is graded by a lazily loaded model: wait for the verdict.
  for (let i = 0; i < 2000 && s.guard.engine.state === 'preflight'; i++) await new Promise((r) => setTimeout(r, 1));
  await flush();
}

/** One list round trip through the guard: the host asks, the server answers `result`, the host's result is returned. */
export async function listRound(s: GuardSession, method: string, result: Msg, params?: Msg): Promise<Msg> {
  const id = `list-${s.toHost.length}-${s.toServer.length}`;
  await s.host(req(id, method, params));
  await s.fromServer({ jsonrpc: '2.0', id: s.lastToServer()['id'], result });
  const answer = await s.nextToHost((m) => m['id'] === id);
  return answer['result'] as Msg;
}

/** Waits (polling a macrotask at a time) until `check` holds; throws after `turns`. */
export async function until(check: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('condition not reached');
}
