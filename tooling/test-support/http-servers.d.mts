import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** One HTTP request a fixture server received. */
export interface RecordedRequest {
    /** HTTP method (`POST`, `GET`, `DELETE`, …). */
    method: string;
    /** Path and query as sent (`/mcp`, `/messages?sessionId=…`). */
    url: string;
    /** Whether an `Mcp-Session-Id` header was sent. */
    hasSessionId: boolean;
    /** The `Mcp-Session-Id` header, when sent. */
    sessionId?: string;
    /** `MCP-Protocol-Version`, when sent. */
    protocolVersion?: string;
    /** `Authorization`, when sent. */
    authorization?: string;
    /** `Last-Event-ID`, when sent. */
    lastEventId?: string;
    accept?: string;
    contentType?: string;
    /** The JSON-RPC messages of a POST body (one per batch item): method (requests and notifications) and id (requests and responses). */
    rpc: Array<{ method?: string; id?: string | number | null }>;
    /** The `method` of each JSON-RPC request or notification of a POST body, in order. */
    rpcMethods: string[];
    /** The status answered, once the response head is written. */
    status?: number;
}

/** Tool names of the fixture servers. `exec_shell` is off until `addTool('exec_shell')`. */
export type FixtureToolName = 'echo' | 'add' | 'slow' | 'sample' | 'elicit' | 'drop_stream' | 'exec_shell';

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpServerOptions {
    /** No sessions: a fresh server+transport per POST; GET and DELETE answer 405. A client's answer to `sample`/`elicit` reaches a fresh server, so those tools need stateful mode. */
    stateless?: boolean;
    /** Answer requests with `application/json` instead of an SSE stream (`enableJsonResponse`). */
    jsonResponse?: boolean;
    /**
     * An in-memory event store: SSE events get ids (`<stream>_<n>`), POST streams start with a
     * priming event (protocol ≥ 2025-11-25; `retry: retryInterval`), and streams can be resumed
     * with `Last-Event-ID` (GET). `drop_stream` then closes its stream mid-call. The GET stream
     * has no priming event (SDK 1.32), so a client resumes it with `Last-Event-ID` only once an
     * event arrived on it.
     */
    eventStore?: boolean;
    /** The `retry:` of priming events, in ms (with `eventStore`; default 100). */
    retryInterval?: number;
    /** SSE keep-alive comment interval in ms (SDK default 15000; 0 disables). */
    keepAliveMs?: number;
    /** The tools served from the start (default: echo, add, slow, sample, elicit, drop_stream). */
    tools?: readonly string[];
    /** Require `Authorization: Bearer <requireAuth>` on /mcp; else 401 with `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"` (served without auth). */
    requireAuth?: string;
    /** The protected-resource metadata document served with `requireAuth` (default `{ resource: <url>, authorization_servers: [<origin>], bearer_methods_supported: ['header'] }`). */
    resourceMetadata?: Record<string, unknown>;
    /** `serverInfo.name` (default `mcptrust-http-fixture`). */
    serverName?: string;
}

/** A running Streamable HTTP fixture server. */
export interface McpHttpServer {
    /** `http://127.0.0.1:PORT/mcp`. */
    url: string;
    port: number;
    /** Every request received, in order (the resource-metadata document's included). */
    requests: RecordedRequest[];
    /** Resolves with the first request (already received or coming) matching `test` — checked again as bodies are read and statuses answered; rejects after `timeoutMs` (default 10000). */
    waitForRequest(test?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
    /** Ids of the live sessions, in order of creation (empty when stateless). */
    sessionIds(): string[];
    /** The McpServer of session `sessionId`, or of the latest session (stateless: of the latest request). Throws when there is none. */
    server(sessionId?: string): McpServer;
    /** The transport of session `sessionId`, or of the latest one (e.g. for `closeStandaloneSSEStream()`). Throws when there is none. */
    transport(sessionId?: string): StreamableHTTPServerTransport;
    /** Closes and forgets every session: a later request with an old session id gets 404. */
    expireSessions(): void;
    /** Sends `notifications/tools/list_changed` to every session (on its GET stream; dropped when none is open). */
    sendToolListChanged(): Promise<void>;
    /** Adds tool `name` (a {@link FixtureToolName}, or a tool without arguments answering its name) to every session and to later ones; connected sessions get `list_changed`. No-op when present. */
    addTool(name: string): void;
    /** Closes every session and the listener, destroying open connections. */
    close(): Promise<void>;
}

/** Starts a Streamable HTTP MCP server on 127.0.0.1 (random port), endpoint /mcp. */
export declare function startMcpHttpServer(options?: McpHttpServerOptions): Promise<McpHttpServer>;

/** Options of {@link startLegacySseServer}. */
export interface LegacySseServerOptions {
    /** The tools served from the start (default: echo, add, slow, sample, elicit, drop_stream). */
    tools?: readonly string[];
    /** Require `Authorization: Bearer <requireAuth>` on /sse and /messages; else 401 with `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/sse"`. */
    requireAuth?: string;
    /** The protected-resource metadata document served with `requireAuth`. */
    resourceMetadata?: Record<string, unknown>;
    /** `serverInfo.name` (default `mcptrust-sse-fixture`). */
    serverName?: string;
}

/** A running legacy HTTP+SSE fixture server (GET /sse, POST /messages?sessionId=). */
export interface LegacySseServer {
    /** `http://127.0.0.1:PORT/sse`. */
    url: string;
    port: number;
    /** Every request received, in order. */
    requests: RecordedRequest[];
    /** Resolves with the first request (already received or coming) matching `test` — checked again as bodies are read and statuses answered; rejects after `timeoutMs` (default 10000). */
    waitForRequest(test?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
    /** Ids of the live sessions (one per open GET stream), in order of creation. */
    sessionIds(): string[];
    /** The McpServer of session `sessionId`, or of the latest session. Throws when there is none. */
    server(sessionId?: string): McpServer;
    /** Ends every GET stream; their sessions are gone (a later POST to one gets 404). */
    dropStreams(): void;
    /** Same as {@link LegacySseServer.dropStreams} (a legacy session lives as long as its stream). */
    expireSessions(): void;
    /** Sends `notifications/tools/list_changed` to every session. */
    sendToolListChanged(): Promise<void>;
    /** Adds tool `name` to every session and to later ones; sessions get `list_changed`. No-op when present. */
    addTool(name: string): void;
    /** Ends every stream and closes the listener, destroying open connections. */
    close(): Promise<void>;
}

/** Starts a legacy HTTP+SSE (2024-11-05) MCP server on 127.0.0.1 (random port). */
export declare function startLegacySseServer(options?: LegacySseServerOptions): Promise<LegacySseServer>;

/** Options of {@link startServerEverything}. */
export interface ServerEverythingOptions {
    /** `streamableHttp`: endpoint /mcp (stateful, resumable). `sse`: GET /sse + POST /message?sessionId=. */
    transport: 'streamableHttp' | 'sse';
}

/** A running `@modelcontextprotocol/server-everything` (in process, 127.0.0.1). */
export interface ServerEverything {
    /** `http://127.0.0.1:PORT/mcp` (streamableHttp) or `http://127.0.0.1:PORT/sse` (sse). */
    url: string;
    port: number;
    /** Every request received, in order. */
    requests: RecordedRequest[];
    /** Resolves with the first request (already received or coming) matching `test` — checked again as bodies are read and statuses answered; rejects after `timeoutMs` (default 10000). */
    waitForRequest(test?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
    /** Ids of the live sessions. */
    sessionIds(): string[];
    /** Closes every session (running server-everything's cleanup) and the listener, destroying open connections. */
    close(): Promise<void>;
}

/**
 * Serves the reference server `@modelcontextprotocol/server-everything` (its `createServer()`
 * factory, one instance per session) on 127.0.0.1, random port. Unlike its CLI it binds
 * loopback only. An unknown session id gets 400 under streamableHttp (as server-everything
 * does) and 404 under sse. Never call its `gzip-file-as-resource` tool with a remote URL (it
 * fetches it); `get-env` returns the test process's environment.
 * @throws Error when `transport` is neither 'streamableHttp' nor 'sse'.
 */
export declare function startServerEverything(options: ServerEverythingOptions): Promise<ServerEverything>;

/** The ways {@link startMisbehavingServer} breaks the transport (documented in servers/http/misbehaving.mjs). */
export type Misbehaviour =
    | 'wrong-content-type'
    | 'oversized-event'
    | 'redirect-private'
    | 'cross-origin-endpoint'
    | 'hostile-resource-metadata'
    | 'invalid-session-id'
    | 'batch'
    | 'status-500'
    | 'stream-ends-early'
    | 'session-404'
    | 'hang';

/** Options of {@link startMisbehavingServer}; each names the behaviours it affects. */
export interface MisbehavingServerOptions {
    /** Misbehave from the first request, initialize included (default: only for hostile-resource-metadata). */
    fromStart?: boolean;
    /** Answer this many JSON-RPC requests after initialize correctly before misbehaving (default 0). */
    misbehaveAfter?: number;
    /** The `protocolVersion` of the initialize result (default: the one the client asked for). */
    protocolVersion?: string;
    /** The Mcp-Session-Id of initialize answers (default `misbehaving-<n>`; false: none). invalid-session-id: the invalid value (default `bad session-id`; bytes node:http refuses are written raw). */
    sessionId?: string | false;
    /** oversized-event: size of the event's data in bytes (default 5 MiB). */
    bytes?: number;
    /** oversized-event: send one `application/json` body of that size instead of an SSE event. */
    asJson?: boolean;
    /** redirect-private: the Location (default `http://169.254.169.254/latest/meta-data/`). */
    location?: string;
    /** cross-origin-endpoint: the `endpoint` event's data (default `http://localhost:<port>/messages?sessionId=cross-origin`). */
    endpoint?: string;
    /** hostile-resource-metadata: the `resource_metadata` URL (default `http://169.254.169.254/x`). */
    resourceMetadata?: string;
    /** batch: send the array as the data of one SSE event instead of a JSON body. */
    sse?: boolean;
    /** hang: send 200 text/event-stream headers, then nothing. */
    afterHeaders?: boolean;
}

/** A running misbehaving server. */
export interface MisbehavingServer {
    /** `http://127.0.0.1:PORT/mcp` (cross-origin-endpoint: `…/sse`). */
    url: string;
    port: number;
    behaviour: Misbehaviour;
    /** Every request received, in order. */
    requests: RecordedRequest[];
    /** Resolves with the first request (already received or coming) matching `test` — checked again as bodies are read and statuses answered; rejects after `timeoutMs` (default 10000). */
    waitForRequest(test?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
    /** Closes the listener, destroying open connections (hung requests included). */
    close(): Promise<void>;
}

/**
 * Starts a raw node:http MCP server on 127.0.0.1 (random port) that answers initialize
 * correctly and then misbehaves as `behaviour` says.
 * @throws Error for an unknown behaviour.
 */
export declare function startMisbehavingServer(behaviour: Misbehaviour, options?: MisbehavingServerOptions): Promise<MisbehavingServer>;
