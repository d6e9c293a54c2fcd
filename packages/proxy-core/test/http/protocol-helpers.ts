/**
 * Helpers of the PROTOCOL (HTTP) twins: a scripted Streamable HTTP server on 127.0.0.1
 * (raw node:http, so a test can play a hostile or unusual server message by message) and
 * a raw host that writes NDJSON lines to the bridge and reads its answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SURFACE, testLockfile } from '../helpers/engine-harness.js';
import { startHttpBridge, type HttpBridgeRun } from './helpers.js';

type Msg = Record<string, any>;

/** One SSE answer stream of a POSTed request. */
export interface SseReply {
  /** Sends one message (an object is serialized; a string is sent as the event data as is). */
  send(message: unknown): void;
  /** Sends the response `{ id, result }` to the request and ends the stream. */
  result(result: unknown): void;
  /** Ends the stream. */
  end(): void;
}

/** Plays one request: return true when handled, false for the default answer. */
export type ScriptHandler = (request: Msg, reply: SseReply) => boolean | void;

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** The `protocolVersion` of the initialize result (default: the one requested). */
  version?: string;
  /** The server capabilities (default tools, prompts, resources with subscribe, logging, completions). */
  capabilities?: Msg;
  /** `instructions` of the initialize result. */
  instructions?: string;
  /** Plays requests other than initialize. */
  handle?: ScriptHandler;
  /** Keep a GET stream open (for server messages outside a request); default 405. */
  getStream?: boolean;
}

/** A running scripted server. */
export interface ScriptedServer {
  url: string;
  /** Every JSON-RPC message POSTed, in order (batch elements one by one). */
  received: Msg[];
  /** Every POST body as received. */
  bodies: string[];
  /** How many DELETE requests (session ends) arrived. */
  readonly deletes: number;
  /** Resolves with the first message received (already or later) matching `test`. */
  waitFor(test: (message: Msg) => boolean): Promise<Msg>;
  /** Resolves once the GET stream is open. */
  getOpen: Promise<void>;
  /** Sends a message on the GET stream. */
  push(message: unknown): void;
  close(): Promise<void>;
}

/** The default answers: the {@link SURFACE} lists, ping, echo-like calls, prompts, reads. */
export function defaultResult(request: Msg): unknown {
  switch (request['method']) {
    case 'tools/list':
      return { tools: SURFACE.tools };
    case 'prompts/list':
      return { prompts: SURFACE.prompts };
    case 'resources/list':
      return { resources: SURFACE.resources };
    case 'resources/templates/list':
      return { resourceTemplates: SURFACE.resourceTemplates };
    case 'tools/call':
      return { content: [{ type: 'text', text: `called ${String(request['params']?.['name'])}` }] };
    case 'prompts/get':
      return { messages: [] };
    case 'resources/read':
      return { contents: [{ uri: request['params']?.['uri'], text: 'content' }] };
    case 'completion/complete':
      return { completion: { values: ['v'] } };
    default:
      return {};
  }
}

/** Starts a scripted Streamable HTTP server on 127.0.0.1 (endpoint /mcp, session `s-1`). */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const received: Msg[] = [];
  const bodies: string[] = [];
  let deletes = 0;
  const waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  const open = new Set<ServerResponse>();
  let getStream: ServerResponse | undefined;
  let markGetOpen!: () => void;
  const getOpen = new Promise<void>((r) => (markGetOpen = r));
  const record = (m: Msg): void => {
    received.push(m);
    for (const w of waiters.splice(0)) {
      if (w.test(m)) w.resolve(m);
      else waiters.push(w);
    }
  };
  const sseHead = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': 's-1' });
    res.flushHeaders();
  };
  const event = (res: ServerResponse, message: unknown): void => {
    if (!res.writableEnded) res.write(`event: message\ndata: ${typeof message === 'string' ? message : JSON.stringify(message)}\n\n`);
  };

  const onPost = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    bodies.push(body);
    const value = JSON.parse(body) as Msg | Msg[];
    const messages = Array.isArray(value) ? value : [value];
    for (const m of messages) record(m);
    const requests = messages.filter((m) => typeof m['method'] === 'string' && m['id'] !== undefined);
    if (requests.length === 0) {
      res.writeHead(202).end();
      return;
    }
    const request = requests[0]!;
    if (request['method'] === 'initialize') {
      const result: Msg = {
        protocolVersion: options.version ?? request['params']['protocolVersion'],
        capabilities: options.capabilities ?? { tools: {}, prompts: {}, resources: { subscribe: true }, logging: {}, completions: {} },
        serverInfo: { name: 'mcptrust-fixture', version: '1.0.0' },
      };
      if (options.instructions !== undefined) result['instructions'] = options.instructions;
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: request['id'], result }));
      return;
    }
    sseHead(res);
    const reply: SseReply = {
      send: (message) => event(res, message),
      result: (result) => {
        event(res, { jsonrpc: '2.0', id: request['id'], result });
        res.end();
      },
      end: () => res.end(),
    };
    if (options.handle?.(request, reply) !== true) reply.result(defaultResult(request));
    void req;
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    if (req.method === 'GET') {
      if (options.getStream !== true) {
        res.writeHead(405).end();
        return;
      }
      sseHead(res);
      getStream = res;
      markGetOpen();
      return;
    }
    if (req.method !== 'POST') {
      if (req.method === 'DELETE') deletes++;
      res.writeHead(200).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => onPost(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    received,
    bodies,
    get deletes() {
      return deletes;
    },
    getOpen,
    waitFor: (test) =>
      new Promise((resolve) => {
        const hit = received.find(test);
        if (hit !== undefined) resolve(hit);
        else waiters.push({ test, resolve });
      }),
    push: (message) => {
      if (getStream !== undefined) event(getStream, message);
    },
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A host writing raw lines to the bridge and reading every line it answers. */
export class RawHost {
  /** Every line received, parsed. */
  readonly lines: Msg[] = [];
  /** Every line received, as written. */
  readonly raw: string[] = [];
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];
  private buf = '';

  constructor(private readonly run: HttpBridgeRun) {
    run.hostOut.on('data', (chunk: Buffer) => {
      this.buf += chunk.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) !== -1) {
        this.raw.push(this.buf.slice(0, nl));
        this.lines.push(JSON.parse(this.buf.slice(0, nl)) as Msg);
        this.buf = this.buf.slice(nl + 1);
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  /** Writes one line (an object is serialized; a string is written as is, then LF). */
  send(message: unknown): void {
    this.run.hostIn.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n');
  }

  /** The first line received (already or later) that matches `test` (default: any) and no earlier call took. */
  next(test: (m: Msg) => boolean = () => true): Promise<Msg> {
    return new Promise((resolve) => {
      const look = (): void => {
        for (let i = 0; i < this.lines.length; i++) {
          if (this.taken.has(i) || !test(this.lines[i]!)) continue;
          this.taken.add(i);
          resolve(this.lines[i]!);
          return;
        }
        this.waiters.push(look);
      };
      look();
    });
  }

  /** Sends a request and resolves with the answer carrying its id. */
  request(id: string | number, method: string, params?: unknown): Promise<Msg> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return this.next((m) => m['id'] === id && m['method'] === undefined);
  }

  /** initialize (id `init`) + notifications/initialized; resolves with the initialize answer. */
  async initialize(version = '2025-06-18', capabilities: Msg = {}): Promise<Msg> {
    const answer = await this.request('init', 'initialize', { protocolVersion: version, capabilities, clientInfo: { name: 'raw-host', version: '1' } });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return answer;
  }
}

/** Requests (with method and id) the server received, after initialize, optionally of one method. */
export function forwarded(server: ScriptedServer, method?: string): Msg[] {
  return server.received.filter((m) => m['id'] !== undefined && typeof m['method'] === 'string' && m['method'] !== 'initialize' && (method === undefined || m['method'] === method));
}

/** Cleanups run after each test, last registered first. */
export type Cleanups = Array<() => Promise<unknown>>;

/** Runs and empties `cleanups` (bridges before the servers they dial). */
export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A scripted server and a bridge to it (lockfile: the SURFACE lockfile, preflight off unless set) with a raw host. */
export interface ScriptedSession {
  server: ScriptedServer;
  run: HttpBridgeRun;
  host: RawHost;
}

/** Starts a scripted server and a bridge to it; both are closed by {@link runCleanups}. */
export async function scriptedSession(
  cleanups: Cleanups,
  serverOptions: ScriptedServerOptions = {},
  bridgeOptions: Partial<Parameters<typeof startHttpBridge>[1]> = {},
): Promise<ScriptedSession> {
  const server = await startScriptedServer(serverOptions);
  cleanups.push(() => server.close());
  const run = startHttpBridge(server.url, { lockfile: testLockfile(), preflight: false, ...bridgeOptions });
  cleanups.push(() => run.bridge.close());
  return { server, run, host: new RawHost(run) };
}

/** Sends a ping and waits for its answer: everything the host wrote before it was decided on. */
export async function barrier(host: RawHost, id = `barrier-${Math.random()}`): Promise<Msg> {
  return host.request(id, 'ping');
}

/** A handler answering the methods of `results` with their result (a function gets the request), others by default. */
export function answering(results: Record<string, unknown | ((request: Msg) => unknown)>): ScriptHandler {
  return (request, reply) => {
    const method = request['method'] as string;
    if (!(method in results)) return false;
    const result = results[method];
    reply.result(typeof result === 'function' ? (result as (r: Msg) => unknown)(request) : result);
    return true;
  };
}

/** An audit sink whose events a test can wait for. */
export interface WatchedAuditSink {
  events: Array<Record<string, any>>;
  emit(event: object): void;
  /** Resolves with the first event (already or later) matching `test`. */
  waitFor(test: (event: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

/** A memory audit sink with {@link WatchedAuditSink.waitFor}. */
export function watchedAuditSink(): WatchedAuditSink {
  const events: Array<Record<string, any>> = [];
  const waiters: Array<{ test: (e: Record<string, any>) => boolean; resolve: (e: Record<string, any>) => void }> = [];
  return {
    events,
    emit(event) {
      const e = event as Record<string, any>;
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.test(e)) w.resolve(e);
        else waiters.push(w);
      }
    },
    waitFor: (test) =>
      new Promise((resolve) => {
        const hit = events.find(test);
        if (hit !== undefined) resolve(hit);
        else waiters.push({ test, resolve });
      }),
  };
}
