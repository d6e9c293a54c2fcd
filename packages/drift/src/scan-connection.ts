/**
 * How a scan talks to its server: the stdio transport that spawns it (with the
 * environment the proxy would give it, stderr kept and observed, the PID and the raw
 * `initialize` result reported), and the MCP client that declares the capabilities
 * servers look for but never exposes roots, samples or elicits.
 */
import { StringDecoder } from 'node:string_decoder';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ErrorCode, ListRootsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject } from '@mcptrust/lockfile';
import type { ScanSettings } from './scan-settings.js';
import type { ScanClientInfo, ServerCommand } from './scan.types.js';
import { serverSpawnOptions } from './server-spawn.js';
import type { StderrTail } from './stderr-tail.js';

/** What the transport tells the scan as the server starts and answers. */
export interface TransportEvents {
  /** The process was spawned; `pid` is undefined when the platform gave none. */
  started: (pid: number | undefined) => void;
  /** The process could not be spawned. */
  spawnFailed: (error: unknown) => void;
  /** The server's result for `initialize`, exactly as sent (reported once). */
  initialized: (result: JsonObject) => void;
}

/** The transport of one scan and a promise that settles once its stderr has ended. */
export interface ScanTransport {
  transport: StdioClientTransport;
  stderrEnded: Promise<void>;
}

/** What the client tells the scan. */
export interface ClientEvents {
  /** A message the SDK dropped (unknown id, malformed JSON-RPC) and carried on after. */
  protocolError: (error: Error) => void;
  /** The connection closed. */
  closed: () => void;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The environment for the SDK's transport, which adds `HOME`, `PATH`, `USER`... from
 * `process.env` to whatever it is given: each of those the caller's environment lacks is
 * set to undefined (which `spawn` leaves out), so the server gets exactly `env`.
 */
function completeEnvironment(env: Record<string, string>): Record<string, string> {
  const complete: Record<string, string | undefined> = { ...env };
  for (const name of DEFAULT_INHERITED_ENV_VARS) if (!Object.hasOwn(env, name)) complete[name] = undefined;
  return complete as Record<string, string>;
}

/**
 * The stdio transport of a scan (it spawns the server when the client connects). Stderr
 * goes to `tail` and to `settings.onStderr`; `events` learn the PID, a spawn failure and
 * the raw `initialize` result.
 */
export function createTransport(server: ServerCommand, settings: ScanSettings, tail: StderrTail, events: TransportEvents): ScanTransport {
  // The same spawn options as the proxy's, so that what is scanned (and locked) is what
  // the proxy will enforce.
  const spawn = serverSpawnOptions(server, { env: settings.env });
  const transport = new StdioClientTransport({
    command: spawn.command,
    args: spawn.args,
    env: completeEnvironment(spawn.env),
    ...(spawn.cwd === undefined ? {} : { cwd: spawn.cwd }),
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  const decoder = new StringDecoder('utf8');
  const stderrEnded = new Promise<void>((resolve) => {
    if (stderr === null) resolve();
    else stderr.once('end', () => resolve()).once('close', () => resolve());
  });
  stderr?.on('error', () => undefined);
  stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    const onStderr = settings.onStderr;
    if (onStderr === undefined) return;
    try {
      onStderr(decoder.write(chunk));
    } catch {
      // A failing observer must not fail the scan.
    }
  });

  // The PID is only known once the transport has spawned; it must be reported here
  // because the transport forgets its process as soon as it is closed.
  const start = transport.start.bind(transport);
  transport.start = async () => {
    try {
      await start();
    } catch (error) {
      events.spawnFailed(error);
      throw error;
    }
    events.started(transport.pid ?? undefined);
  };
  watchInitialize(transport, events.initialized);
  return { transport, stderrEnded };
}

/**
 * Reports the server's raw `initialize` result to `initialized`, once. The SDK's parsed
 * copy drops capability keys it does not know, and the scan must record what the server
 * actually declared. The response is recognised by the id of the request the SDK sent,
 * so a stray response with another id cannot stand in for it. Call before the client
 * connects (the client keeps the `onmessage` set here and calls it first).
 *
 * @param transport - the scan's transport, stdio or remote
 * @param initialized - receives the result exactly as sent
 */
export function watchInitialize(transport: Transport, initialized: (result: JsonObject) => void): void {
  let initializeId: string | number | undefined;
  let seen = false;
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options?: TransportSendOptions) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message) initializeId = message.id;
    return send(message, options);
  };
  transport.onmessage = (message: JSONRPCMessage) => {
    if (!seen && initializeId !== undefined && 'id' in message && message.id === initializeId && 'result' in message && isObject(message.result)) {
      seen = true;
      initialized(message.result as JsonObject);
    }
  };
}

/**
 * Runs one SDK request with its own signal tied to the scan's and the time left before
 * the scan's deadline. The SDK adds an abort listener per request and never removes it;
 * giving each request a child signal keeps the scan's signal from collecting one
 * listener per page.
 *
 * @param signal - the scan's signal (caller's abort or deadline)
 * @param deadlineAt - the scan's deadline, in `Date.now()` milliseconds
 * @param send - the request, given its signal and timeout
 */
export async function requestWithin<T>(
  signal: AbortSignal,
  deadlineAt: number,
  send: (options: { signal: AbortSignal; timeout: number }) => Promise<T>,
): Promise<T> {
  const child = new AbortController();
  const forward = (): void => child.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  try {
    return await send({ signal: child.signal, timeout: Math.max(1, deadlineAt - Date.now()) });
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

/** The MCP client of a scan, announcing itself as `clientInfo`. */
export function createScanClient(clientInfo: ScanClientInfo, events: ClientEvents): Client {
  const client = new Client(clientInfo, {
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
  });
  // The capabilities above make servers list the tools that depend on them; the scanner
  // itself never exposes roots, never samples and never asks the user anything.
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  client.setRequestHandler(CreateMessageRequestSchema, () => {
    throw new McpError(ErrorCode.InvalidRequest, 'mcptrust is scanning this server and does not sample');
  });
  client.setRequestHandler(ElicitRequestSchema, () => {
    throw new McpError(ErrorCode.InvalidRequest, 'mcptrust is scanning this server and does not elicit');
  });
  client.onerror = (error) => events.protocolError(error);
  client.onclose = () => events.closed();
  return client;
}
