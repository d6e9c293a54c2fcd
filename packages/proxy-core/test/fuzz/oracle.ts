/**
 * The fuzzers' oracle: it sees every text the engine was given and every text it wrote,
 * and checks the invariants after each step:
 *
 * 1. no host id reaches the server: every request to the server carries an id the
 *    engine generated (each used once), and every answer to the server carries the id
 *    of a request the server made and has not had answered yet;
 * 2. no server id reaches the host: every answer to the host carries the id of a host
 *    request still owed an answer, and every request or cancellation the host gets
 *    carries an engine id;
 * 3. every host request gets exactly one answer, or none once the host cancelled it
 *    (checked at the end, after every timeout has expired and the engine closed);
 * 4. no denied, unknown or drifted item reaches the host in a list, and no call of one
 *    reaches the server;
 * 5. nothing but JSON-RPC the MCP SDK accepts on the host stream, one line each;
 * 6. no exception escapes the engine, and none is swallowed inside it (an
 *    `INTERNAL_FAILURE` refusal or an "internal error" drop is a violation too).
 */
import type { AuditEvent } from '@mcptrust/audit';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { hostIdOf } from '../../src/engine/id-text.js';
import { findTopLevelId } from '../../src/raw-json.js';
import { TEST_SURFACE, canonical, uriAllowed, type Surface } from './surface.js';

type Msg = Record<string, any>;

/** Counters the fuzzers report (docs/FUZZING.md). */
export interface FuzzStats {
  runs: number;
  steps: number;
  hostMessages: number;
  serverMessages: number;
  engineOutputs: number;
  invariantChecks: number;
}

/** Figures summed over a test file (reported by the long mode). */
export const STATS: FuzzStats = { runs: 0, steps: 0, hostMessages: 0, serverMessages: 0, engineOutputs: 0, invariantChecks: 0 };

const LIST_METHODS: Record<string, string> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};
const SERVER_METHODS = new Set([
  'initialize', 'ping', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/read',
  'resources/templates/list', 'resources/subscribe', 'resources/unsubscribe', 'completion/complete', 'logging/setLevel',
  'tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list',
]);
const HOST_NOTIFICATIONS = new Set([
  'notifications/message', 'notifications/tools/list_changed', 'notifications/prompts/list_changed',
  'notifications/resources/list_changed', 'notifications/elicitation/complete', 'notifications/tasks/status',
]);
const RELAYED = new Set(['roots/list', 'sampling/createMessage', 'elicitation/create']);

/** Key of a server's request id as the engine must echo it: a string by value, a number by its text. */
function serverIdKey(text: string): string {
  const v: unknown = JSON.parse(text);
  return typeof v === 'string' ? JSON.stringify(v) : text;
}

/** The oracle of one run. */
export class Oracle {
  readonly violations: string[] = [];
  /** Engine-generated ids (proxy ids and host-facing ids of relayed requests). */
  readonly engineIds = new Set<string>();
  /** Proxy ids the engine used on a request to the server. */
  private readonly usedProxyIds = new Set<string>();
  /** Host requests owed an answer, by host-id key (`s…`/`n…`), and how many of them the host cancelled. */
  private readonly owed = new Map<string, number>();
  private readonly cancelled = new Map<string, number>();
  /** Methods of host requests by host-id key (for the list checks). */
  private readonly methods = new Map<string, string[]>();
  /** Progress tokens the host attached to its requests (JSON text). */
  private readonly hostTokens = new Set<string>();
  /** Server→client requests the server made, owed an answer, by id key. */
  private readonly serverOwed = new Map<string, number>();
  /** Progress tokens the server attached to its requests (JSON text). */
  private readonly serverTokens = new Set<string>();
  /** Requests the engine sent the server: proxy id, method, whether it asked for progress. */
  readonly forwarded: { id: string; method: string; params: Msg | undefined; answered: number }[] = [];
  /** Host-facing ids of server→client requests the host was sent. */
  readonly relayed: string[] = [];
  /** Every text the host was sent, in order. */
  readonly hostLog: string[] = [];
  /** Every host-id text the host used, for cancellations. */
  readonly hostIds: unknown[] = [];
  private checkedAudit = 0;

  constructor(private readonly surface: Surface = TEST_SURFACE) {}
  /** The negotiated protocol version (batches are messages only under 2025-03-26, PROTOCOL 5). */
  version: () => string | undefined = () => undefined;

  /** A fresh CSPRNG stand-in: distinct, recognisable, at least 16 characters. */
  randomId(): () => string {
    let n = 0;
    return () => {
      const id = 'pxid-' + String(++n).padStart(12, '0');
      this.engineIds.add(id);
      return id;
    };
  }

  private fail(what: string, detail: unknown): void {
    let d: string;
    try {
      d = typeof detail === 'string' ? detail : JSON.stringify(detail);
    } catch {
      d = String(detail);
    }
    this.violations.push(`${what}: ${d.length > 400 ? d.slice(0, 400) + '…' : d}`);
  }

  // ------------------------------------------------------------------ inputs

  /**
   * A text the engine received from the host, exactly as the engine received it;
   * `sign` -1 takes back one the adapter refused before the engine saw it.
   */
  hostText(text: string, utf8Valid = true, sign: 1 | -1 = 1): void {
    if (sign > 0) STATS.hostMessages++;
    if (!utf8Valid) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (Array.isArray(msg)) {
      if (this.version() === '2025-03-26') for (const el of msg) this.hostMessage(el, undefined, sign);
      return;
    }
    this.hostMessage(msg, text, sign);
  }

  private hostMessage(msg: unknown, raw: string | undefined, sign: 1 | -1): void {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const m = msg as Msg;
    const id = hostIdOf(m, raw);
    if (id === undefined) {
      if (m['method'] === 'notifications/cancelled' && m['jsonrpc'] === '2.0' && sign > 0) this.hostCancel(m['params']?.['requestId']);
      return;
    }
    if (typeof id === 'string') return; // invalid id: answered without one
    if (sign > 0) this.hostIds.push(m['id']);
    const hasResult = Object.hasOwn(m, 'result');
    const hasError = Object.hasOwn(m, 'error');
    // A reply to a server request is not answered; everything else with a valid id is.
    if (m['jsonrpc'] === '2.0' && !Object.hasOwn(m, 'method') && hasResult !== hasError) return;
    this.owed.set(id.key, (this.owed.get(id.key) ?? 0) + sign);
    if (sign < 0) return;
    if (typeof m['method'] === 'string') {
      const list = this.methods.get(id.key) ?? [];
      list.push(m['method']);
      this.methods.set(id.key, list);
    }
    const token = m['params']?.['_meta']?.['progressToken'];
    if (token !== undefined) this.hostTokens.add(JSON.stringify(token));
  }

  private hostCancel(requestId: unknown): void {
    const key = typeof requestId === 'string' ? 's' + requestId : typeof requestId === 'number' && Number.isSafeInteger(requestId) ? 'n' + String(requestId) : undefined;
    if (key === undefined) return;
    const owed = this.owed.get(key) ?? 0;
    if (owed > (this.cancelled.get(key) ?? 0)) this.cancelled.set(key, (this.cancelled.get(key) ?? 0) + 1);
  }

  /** A text the engine received from the server. */
  serverText(text: string, utf8Valid = true): void {
    STATS.serverMessages++;
    if (!utf8Valid) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const all = Array.isArray(msg) ? msg : [msg];
    for (const el of all) {
      if (typeof el !== 'object' || el === null || typeof el['method'] !== 'string' || !Object.hasOwn(el, 'id')) continue;
      const id: unknown = el['id'];
      const text1 = Array.isArray(msg) ? JSON.stringify(id) : this.idText(text) ?? JSON.stringify(id);
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      const key = serverIdKey(text1);
      this.serverOwed.set(key, (this.serverOwed.get(key) ?? 0) + 1);
      const token = el['params']?.['_meta']?.['progressToken'];
      if (token !== undefined) this.serverTokens.add(JSON.stringify(token));
    }
  }

  private idText(raw: string): string | undefined {
    const span = findTopLevelId(raw);
    return span === undefined ? undefined : raw.slice(span.start, span.end);
  }

  // ------------------------------------------------------------------ outputs

  /** A text the engine wrote to the host. */
  toHost(text: string): void {
    STATS.engineOutputs++;
    STATS.invariantChecks++;
    this.hostLog.push(text);
    if (text.includes('\n')) this.fail('host stream: a raw LF inside one message', text);
    let msg: Msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.fail('host stream: not JSON', text);
    }
    // The id is the host's own (echoed as written, PROTOCOL 8; the SDK refuses unsafe
    // integers); its correctness is checked below.
    const shape = typeof msg === 'object' && msg !== null && typeof msg['id'] === 'number' ? { ...msg, id: 0 } : msg;
    if (!JSONRPCMessageSchema.safeParse(shape).success) this.fail('host stream: not a JSON-RPC message the SDK accepts', text);
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const method = msg['method'];
    if (typeof method === 'string') {
      if (Object.hasOwn(msg, 'id')) {
        if (typeof msg['id'] !== 'string' || !this.engineIds.has(msg['id'])) this.fail('server id reached the host on a relayed request', text);
        if (!RELAYED.has(method)) this.fail('host got a server request that is not relayed', method);
        const token = msg['params']?.['_meta']?.['progressToken'];
        if (token !== undefined && (typeof token !== 'string' || !this.engineIds.has(token))) this.fail('server progress token reached the host', text);
        if (method === 'sampling/createMessage') {
          const p = msg['params'] ?? {};
          if ((p['includeContext'] ?? 'none') !== 'none' || 'tools' in p || 'toolChoice' in p) this.fail('sampling request relayed unchanged', text);
        }
        this.relayed.push(msg['id']);
      } else if (method === 'notifications/cancelled') {
        if (!this.engineIds.has(msg['params']?.['requestId'])) this.fail('host got a cancellation of a non-engine id', text);
      } else if (method === 'notifications/progress') {
        if (!this.hostTokens.has(JSON.stringify(msg['params']?.['progressToken']))) this.fail('host got progress under a token it never sent', text);
      } else if (method === 'notifications/resources/updated') {
        if (!uriAllowed(msg['params']?.['uri'], this.surface)) this.fail('host got an update of a resource that is not allowed', text);
      } else if (!HOST_NOTIFICATIONS.has(method)) this.fail('host got a notification that is not allowed', method);
      return;
    }
    if (!Object.hasOwn(msg, 'id')) {
      if (!Object.hasOwn(msg, 'error')) this.fail('host got a result without id', text);
      return;
    }
    const idText = this.idText(text) ?? JSON.stringify(msg['id']);
    const key = typeof msg['id'] === 'string' ? 's' + msg['id'] : 'n' + idText;
    const owed = this.owed.get(key) ?? 0;
    if (owed <= 0) return this.fail('host got an answer under an id it is not owed (a server id, or a second answer)', text);
    this.owed.set(key, owed - 1);
    const cancelled = this.cancelled.get(key) ?? 0;
    if (cancelled > owed - 1) this.cancelled.set(key, owed - 1);
    if (Object.hasOwn(msg, 'result')) this.checkList(key, msg['result'], text);
  }

  private checkList(key: string, result: unknown, text: string): void {
    if (typeof result !== 'object' || result === null) return;
    const methods = this.methods.get(key) ?? [];
    for (const [method, field] of Object.entries(LIST_METHODS)) {
      const items = (result as Msg)[field];
      if (!methods.includes(method) || !Array.isArray(items)) continue;
      for (const it of items) {
        if (!this.listItemAllowed(field, it)) this.fail(`host got a ${field} item that is not pinned`, text);
      }
    }
  }

  private listItemAllowed(field: string, it: Msg): boolean {
    if (typeof it !== 'object' || it === null) return false;
    const sf = this.surface;
    if (field === 'tools') {
      const pinned = typeof it['name'] === 'string' ? sf.tools.get(it['name']) : undefined;
      return pinned !== undefined && (it['description'] ?? '') === (pinned.description ?? '') && canonical(it['inputSchema']) === canonical(pinned.inputSchema);
    }
    if (field === 'prompts') {
      const pinned = typeof it['name'] === 'string' ? sf.prompts.get(it['name']) : undefined;
      return pinned !== undefined && (it['description'] ?? '') === (pinned.description ?? '');
    }
    if (field === 'resources') return uriAllowed(it['uri'], sf);
    return sf.templates.includes(it['uriTemplate']);
  }

  /** A text the engine wrote to the server. */
  toServer(text: string): void {
    STATS.engineOutputs++;
    STATS.invariantChecks++;
    if (text.includes('\n')) this.fail('server stream: a raw LF inside one message', text);
    let msg: Msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.fail('server stream: not JSON', text);
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg['jsonrpc'] !== '2.0') return this.fail('server stream: not a JSON-RPC message', text);
    const method = msg['method'];
    const params: Msg | undefined = msg['params'];
    if (typeof method === 'string' && Object.hasOwn(msg, 'id')) {
      const id = msg['id'];
      if (typeof id !== 'string' || !this.engineIds.has(id)) return this.fail('host id reached the server', text);
      if (this.usedProxyIds.has(id)) this.fail('a proxy id was used twice', text);
      this.usedProxyIds.add(id);
      if (!SERVER_METHODS.has(method)) this.fail('server got a method that is not allowed', text);
      const token = params?.['_meta']?.['progressToken'];
      if (token !== undefined && !this.engineIds.has(token)) this.fail('host progress token reached the server', text);
      const sf = this.surface;
      const name = params?.['name'];
      if (method === 'tools/call' && !(typeof name === 'string' && sf.tools.has(name) && (sf.argsValid?.(name, params?.['arguments']) ?? true))) this.fail('a call of a denied tool (or with bad arguments) was forwarded', text);
      if (method === 'prompts/get' && !(typeof name === 'string' && sf.prompts.has(name))) this.fail('a denied prompt was forwarded', text);
      if ((method === 'resources/read' || method === 'resources/subscribe') && !uriAllowed(params?.['uri'], sf)) this.fail('a denied resource was forwarded', text);
      this.forwarded.push({ id, method, params, answered: 0 });
      return;
    }
    if (typeof method === 'string') {
      if (method === 'notifications/cancelled') {
        if (!this.engineIds.has(params?.['requestId'])) this.fail('host id reached the server in a cancellation', text);
      } else if (method === 'notifications/progress') {
        if (!this.serverTokens.has(JSON.stringify(params?.['progressToken']))) this.fail('server got progress under a token it never sent', text);
      } else if (method !== 'notifications/initialized' && method !== 'notifications/roots/list_changed') this.fail('server got a notification that is not allowed', text);
      return;
    }
    const idText = this.idText(text);
    if (idText === undefined) return this.fail('server got an answer without id', text);
    const key = serverIdKey(idText);
    const owed = this.serverOwed.get(key) ?? 0;
    if (owed <= 0) return this.fail('server got an answer under an id it is not owed (a host id, or a second answer)', text);
    this.serverOwed.set(key, owed - 1);
  }

  /** Audit events since the last call: an internal failure is a swallowed exception. */
  audit(events: readonly AuditEvent[]): void {
    for (; this.checkedAudit < events.length; this.checkedAudit++) {
      const ev = events[this.checkedAudit]!;
      STATS.invariantChecks++;
      if (ev.code === 'INTERNAL_FAILURE' || (ev.reason ?? '').startsWith('internal error')) this.fail('an exception was swallowed inside the engine', ev);
    }
  }

  /** An exception that escaped an engine call. */
  escaped(where: string, err: unknown): void {
    this.fail(`exception escaped ${where}`, err instanceof Error ? err.stack ?? err.message : err);
  }

  /** The end of a run (every timeout expired, engine closed): every host request was answered once. */
  finish(): void {
    STATS.invariantChecks++;
    for (const [key, owed] of this.owed) {
      if (owed > (this.cancelled.get(key) ?? 0)) this.fail('a host request was never answered', { key, owed, cancelled: this.cancelled.get(key) ?? 0 });
    }
  }
}
