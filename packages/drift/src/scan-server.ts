import { StringDecoder } from 'node:string_decoder';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  ResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, ScannedServer, ScanReport } from '@mcptrust/lockfile';
import { analyzeScanReport } from './analyze-scan-report.js';
import type { ScanReportInput } from './analyze-scan-report.js';
import {
  assertUnique,
  toPromptDefinition,
  toResourceDefinition,
  toResourceTemplateDefinition,
  toScannedServer,
  toToolDefinition,
} from './definitions.js';
import { DriftError } from './errors.js';
import type { DriftErrorCode } from './errors.js';
import {
  delay,
  isAlive,
  killSurvivors,
  killTreeOnWindows,
  listDescendants,
  signalProcess,
  waitUntil,
} from './process-tree.js';
import type { ProcessRef } from './process-tree.js';
import type { ScanClientInfo, ScanOptions, ServerCommand } from './scan.types.js';
import { listErrorMeansNone } from './list-methods.js';
import { serverSpawnOptions } from './server-spawn.js';
import { StderrTail } from './stderr-tail.js';
import { toEvidence } from './unicode.js';

/** Default deadline of a whole scan (spawn, initialize and every list), in milliseconds. */
export const DEFAULT_SCAN_TIMEOUT_MS = 10_000;
/** Default number of trailing stderr bytes kept for error messages. */
export const DEFAULT_STDERR_TAIL_BYTES = 4096;
/** Default time a stopping server gets after stdin is closed, and again after SIGTERM. */
export const DEFAULT_KILL_GRACE_MS = 1000;
/** Default cap on the pages of one paginated list. */
export const DEFAULT_MAX_PAGES = 1000;

const DEFAULT_CLIENT_INFO: ScanClientInfo = { name: 'mcptrust', version: '0.1.0' };
/** Protocol problems kept for the error message of a failed scan. */
const MAX_PROTOCOL_ERRORS = 3;
/** How long to wait for the last stderr bytes of a process that has exited. */
const STDERR_DRAIN_MS = 200;

interface Settings {
  timeoutMs: number;
  stderrTailBytes: number;
  killGraceMs: number;
  maxPages: number;
  clientInfo: ScanClientInfo;
  signal: AbortSignal | undefined;
  onStderr: ((chunk: string) => void) | undefined;
  env: NodeJS.ProcessEnv;
}

function positiveInteger(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new DriftError('INVALID_OPTIONS', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
  }
  return value;
}

function resolveSettings(options: ScanOptions): Settings {
  return {
    timeoutMs: positiveInteger(options.timeoutMs, DEFAULT_SCAN_TIMEOUT_MS, 'timeoutMs'),
    stderrTailBytes: positiveInteger(options.stderrTailBytes, DEFAULT_STDERR_TAIL_BYTES, 'stderrTailBytes', true),
    killGraceMs: positiveInteger(options.killGraceMs, DEFAULT_KILL_GRACE_MS, 'killGraceMs'),
    maxPages: positiveInteger(options.maxPages, DEFAULT_MAX_PAGES, 'maxPages'),
    clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
    signal: options.signal,
    onStderr: options.onStderr,
    env: options.env ?? process.env,
  };
}

function assertServerCommand(server: ServerCommand): void {
  const ok =
    typeof server === 'object' &&
    server !== null &&
    typeof server.command === 'string' &&
    server.command.length > 0 &&
    Array.isArray(server.args) &&
    server.args.every((arg) => typeof arg === 'string');
  if (!ok) throw new DriftError('INVALID_COMMAND', 'the server command needs a non-empty `command` and string `args`');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isZodError(error: unknown): error is Error & { issues: unknown[] } {
  return error instanceof Error && Array.isArray((error as { issues?: unknown }).issues);
}

/** The first few problems of a schema validation error, on one line. */
function describeIssues(issues: unknown[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const { path, message } = issue as { path?: unknown[]; message?: string };
      const where = Array.isArray(path) && path.length > 0 ? path.map(String).join('.') : '(root)';
      return `${where}: ${message ?? 'invalid'}`;
    })
    .join('; ');
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

/** One connection to one server, from spawn to the last process of its tree being gone. */
class ScanSession {
  readonly #server: ServerCommand;
  readonly #settings: Settings;
  readonly #transport: StdioClientTransport;
  readonly #client: Client;
  readonly #tail: StderrTail;
  readonly #deadline = new AbortController();
  readonly #signal: AbortSignal;
  readonly #stderrEnded: Promise<void>;
  #deadlineAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #pid: number | undefined;
  #spawnError: unknown;
  #closed = false;
  #stopping = false;
  #exitedEarly = false;
  #onEarlyExit: (() => void) | undefined;
  #phase = 'starting the server';
  #initializeId: string | number | undefined;
  #rawInitialize: JsonObject | undefined;
  #stopped: Promise<void> | undefined;
  /** The first protocol problems the SDK reported (unknown ids, malformed messages...). */
  readonly #protocolErrors: string[] = [];
  /** Every descendant of the server seen so far (by PID, with its start time). */
  readonly #tree = new Map<number, ProcessRef>();

  constructor(server: ServerCommand, settings: Settings) {
    this.#server = server;
    this.#settings = settings;
    this.#tail = new StderrTail(settings.stderrTailBytes);
    this.#signal = settings.signal === undefined ? this.#deadline.signal : AbortSignal.any([settings.signal, this.#deadline.signal]);

    // The same spawn options as the proxy's, so that what is scanned (and locked) is what
    // the proxy will enforce.
    const spawn = serverSpawnOptions(server, { env: settings.env });
    this.#transport = new StdioClientTransport({
      command: spawn.command,
      args: spawn.args,
      env: completeEnvironment(spawn.env),
      ...(spawn.cwd === undefined ? {} : { cwd: spawn.cwd }),
      stderr: 'pipe',
    });
    const stderr = this.#transport.stderr;
    const decoder = new StringDecoder('utf8');
    this.#stderrEnded = new Promise((resolve) => {
      if (stderr === null) resolve();
      else stderr.once('end', () => resolve()).once('close', () => resolve());
    });
    stderr?.on('error', () => undefined);
    stderr?.on('data', (chunk: Buffer) => {
      this.#tail.push(chunk);
      const onStderr = this.#settings.onStderr;
      if (onStderr === undefined) return;
      try {
        onStderr(decoder.write(chunk));
      } catch {
        // A failing observer must not fail the scan.
      }
    });

    // The PID is only known once the transport has spawned; it must be remembered here
    // because the transport forgets its process as soon as it is closed.
    const start = this.#transport.start.bind(this.#transport);
    this.#transport.start = async () => {
      try {
        await start();
      } catch (error) {
        this.#spawnError = error;
        throw error;
      }
      this.#pid = this.#transport.pid ?? undefined;
      this.#phase = 'initialize';
    };
    // Keep the raw initialize result: the SDK's parsed copy drops capability keys it does
    // not know, and the scan must record what the server actually declared. The response
    // is recognised by the id of the request the SDK sent, so a stray response with
    // another id cannot stand in for it.
    const send = this.#transport.send.bind(this.#transport);
    this.#transport.send = (message: JSONRPCMessage) => {
      if ('method' in message && message.method === 'initialize' && 'id' in message) this.#initializeId = message.id;
      return send(message);
    };
    this.#transport.onmessage = (message: JSONRPCMessage) => {
      if (
        this.#rawInitialize === undefined &&
        this.#initializeId !== undefined &&
        'id' in message &&
        message.id === this.#initializeId &&
        'result' in message &&
        isObject(message.result)
      ) {
        this.#rawInitialize = message.result as JsonObject;
      }
    };

    this.#client = new Client(settings.clientInfo, {
      capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
    });
    // The capabilities above make servers list the tools that depend on them; the scanner
    // itself never exposes roots, never samples and never asks the user anything.
    this.#client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
    this.#client.setRequestHandler(CreateMessageRequestSchema, () => {
      throw new McpError(ErrorCode.InvalidRequest, 'mcptrust is scanning this server and does not sample');
    });
    this.#client.setRequestHandler(ElicitRequestSchema, () => {
      throw new McpError(ErrorCode.InvalidRequest, 'mcptrust is scanning this server and does not elicit');
    });
    // The SDK reports messages it drops (wrong ids, malformed JSON-RPC) here and carries
    // on; a scan that then times out explains itself with them.
    this.#client.onerror = (error) => {
      if (this.#protocolErrors.length < MAX_PROTOCOL_ERRORS) this.#protocolErrors.push(toEvidence(error.message, 200));
    };
    this.#client.onclose = () => {
      this.#closed = true;
      if (!this.#stopping) {
        this.#exitedEarly = true;
        this.#onEarlyExit?.();
      }
    };
  }

  /** Runs the scan; rejects as soon as the deadline passes, the caller aborts or the server dies. */
  async run(): Promise<ScanReportInput> {
    this.#deadlineAt = Date.now() + this.#settings.timeoutMs;
    this.#timer = setTimeout(() => this.#deadline.abort(), this.#settings.timeoutMs);
    const interrupted = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(this.#signal.reason);
      if (this.#signal.aborted) onAbort();
      else this.#signal.addEventListener('abort', onAbort, { once: true });
      this.#onEarlyExit = () => reject(new McpError(ErrorCode.ConnectionClosed, 'the server closed the connection'));
    });
    const work = this.#scan();
    // Whichever loses the race still settles later; neither may become an unhandled rejection.
    work.catch(() => undefined);
    interrupted.catch(() => undefined);
    return Promise.race([work, interrupted]);
  }

  /**
   * Runs one SDK request with its own signal tied to the scan's. The SDK adds an abort
   * listener per request and never removes it; giving each request a child signal keeps
   * the scan's signal from collecting one listener per page.
   */
  async #request<T>(send: (options: { signal: AbortSignal; timeout: number }) => Promise<T>): Promise<T> {
    const child = new AbortController();
    const forward = (): void => child.abort(this.#signal.reason);
    if (this.#signal.aborted) forward();
    else this.#signal.addEventListener('abort', forward, { once: true });
    try {
      return await send({ signal: child.signal, timeout: Math.max(1, this.#deadlineAt - Date.now()) });
    } finally {
      this.#signal.removeEventListener('abort', forward);
    }
  }

  async #scan(): Promise<ScanReportInput> {
    await this.#request((options) => this.#client.connect(this.#transport, options));
    // A server that is up has started its helpers; remember them now, in case the server
    // dies later and they are re-parented out of reach.
    await this.#snapshotTree();
    const server = this.#scannedServer();
    const caps = server.capabilities;

    const tools = isObject(caps['tools']) ? await this.#listAll('tools/list', 'tools', toToolDefinition) : [];
    assertUnique(tools, 'tools', (tool) => tool.name, 'tool name');
    const prompts = isObject(caps['prompts']) ? await this.#listAll('prompts/list', 'prompts', toPromptDefinition) : [];
    assertUnique(prompts, 'prompts', (prompt) => prompt.name, 'prompt name');
    const hasResources = isObject(caps['resources']);
    const resources = hasResources ? await this.#listAll('resources/list', 'resources', toResourceDefinition) : [];
    assertUnique(resources, 'resources', (resource) => resource.uri, 'resource URI');
    const resourceTemplates = hasResources
      ? await this.#listAll('resources/templates/list', 'resourceTemplates', toResourceTemplateDefinition)
      : [];
    assertUnique(resourceTemplates, 'resourceTemplates', (template) => template.uriTemplate, 'URI template');

    return { server, tools, prompts, resources, resourceTemplates };
  }

  #scannedServer(): ScannedServer {
    // The SDK has validated this result before `connect` resolved.
    return toScannedServer(this.#rawInitialize ?? {});
  }

  async #listAll<T>(
    method: 'tools/list' | 'prompts/list' | 'resources/list' | 'resources/templates/list',
    key: string,
    convert: (item: unknown, index: number) => T,
  ): Promise<T[]> {
    const items: T[] = [];
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; ; page += 1) {
      if (page > this.#settings.maxPages) {
        throw new DriftError('PAGINATION_LIMIT', `${method} went on for more than ${this.#settings.maxPages} pages`);
      }
      this.#phase = page === 1 ? method : `${method} (page ${page})`;
      let result: Record<string, unknown>;
      try {
        result = await this.#request((options) =>
          this.#client.request(cursor === undefined ? { method } : { method, params: { cursor } }, ResultSchema, options),
        );
      } catch (error) {
        // A server that declares a capability but lacks the list method has nothing to list
        // (the rule the proxy's preflight applies too).
        if (error instanceof McpError && listErrorMeansNone(error.code, page)) return [];
        throw error;
      }
      const list = result[key];
      if (!Array.isArray(list)) {
        throw new DriftError('INVALID_SERVER_RESPONSE', `${this.#phase}: \`${key}\` must be an array`);
      }
      for (const item of list) items.push(convert(item, items.length));
      const next = result['nextCursor'];
      if (next === undefined || next === null) return items;
      if (typeof next !== 'string') {
        throw new DriftError('INVALID_SERVER_RESPONSE', `${this.#phase}: \`nextCursor\` must be a string`);
      }
      if (cursors.has(next)) {
        throw new DriftError(
          'PAGINATION_LOOP',
          `${method} sent the cursor "${toEvidence(next, 60)}" a second time (page ${page}); the listing would never end`,
        );
      }
      cursors.add(next);
      cursor = next;
    }
  }

  async #snapshotTree(): Promise<void> {
    const pid = this.#pid;
    if (pid === undefined || process.platform === 'win32') return;
    for (const ref of await listDescendants(pid)) this.#tree.set(ref.pid, ref);
  }

  /** Closes the client and makes sure the server process and everything it started are gone. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    const grace = this.#settings.killGraceMs;
    const pid = this.#pid;
    if (pid === undefined) {
      await this.#client.close().catch(() => undefined);
      return;
    }
    const gone = (): boolean => this.#closed || !isAlive(pid);

    if (process.platform === 'win32') {
      const closing = this.#client.close().catch(() => undefined);
      if (!(await waitUntil(gone, grace))) await killTreeOnWindows(pid);
      await Promise.race([closing, delay(grace)]);
      return;
    }

    // Snapshot the tree while the root is alive: once it exits, its children are
    // re-parented and can no longer be found from its PID.
    const snapshot = (): Promise<void> => this.#snapshotTree();
    if (!gone()) await snapshot();

    // Polite first (stdin closed, which is how stdio servers are told to stop), then
    // SIGTERM, then SIGKILL for a server that ignores both.
    const closing = this.#client.close().catch(() => undefined);
    if (!(await waitUntil(gone, grace))) {
      await snapshot();
      signalProcess(pid, 'SIGTERM');
      if (!(await waitUntil(gone, grace))) {
        await snapshot();
        signalProcess(pid, 'SIGKILL');
        await waitUntil(gone, grace);
      }
    }
    await killSurvivors([...this.#tree.values()], grace);
    await Promise.race([closing, delay(grace)]);
    await Promise.race([this.#stderrEnded, delay(STDERR_DRAIN_MS)]);
  }

  /** Turns whatever stopped the scan into a {@link DriftError} carrying the stderr tail. */
  toDriftError(error: unknown): DriftError {
    const stderrTail = this.#tail.text();
    const make = (code: DriftErrorCode, message: string): DriftError => {
      let full = message;
      if (this.#protocolErrors.length > 0) full += `\nprotocol errors seen: ${this.#protocolErrors.join('; ')}`;
      if (stderrTail !== '') full += `\nserver stderr (last lines):\n${stderrTail}`;
      return new DriftError(code, full, { cause: error, ...(stderrTail === '' ? {} : { stderrTail }) });
    };
    const command = `\`${toEvidence(this.#server.command, 200)}\``;

    if (this.#settings.signal?.aborted === true) {
      return new DriftError('ABORTED', `the scan of ${command} was aborted`, {
        cause: this.#settings.signal.reason,
        ...(stderrTail === '' ? {} : { stderrTail }),
      });
    }
    const timedOut = `the scan of ${command} did not finish within ${this.#settings.timeoutMs} ms (stuck at ${this.#phase})`;
    if (this.#deadline.signal.aborted) return make('SERVER_TIMEOUT', timedOut);
    if (this.#spawnError !== undefined) {
      const code = (this.#spawnError as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? this.#server.cwd === undefined
            ? 'command not found'
            : 'command or working directory not found'
          : code === 'EACCES'
            ? 'permission denied (is it executable?)'
            : this.#spawnError instanceof Error
              ? this.#spawnError.message
              : String(this.#spawnError);
      return make('SERVER_START_FAILED', `could not start ${command}: ${why}${code === undefined ? '' : ` (${code})`}`);
    }
    if (error instanceof DriftError) {
      return new DriftError(error.code, error.message, { cause: error.cause, ...(stderrTail === '' ? {} : { stderrTail }) });
    }
    if (this.#exitedEarly || (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)) {
      return make('SERVER_EXITED', `the server ${command} exited before the scan finished (during ${this.#phase})`);
    }
    if (error instanceof McpError) {
      // The SDK's own request timer is set to the time left, so it can fire just before ours.
      if (error.code === ErrorCode.RequestTimeout) return make('SERVER_TIMEOUT', timedOut);
      const text = error.message.replace(/^MCP error -?\d+: /, '');
      return make('SERVER_ERROR', `the server ${command} answered ${this.#phase} with error ${error.code}: ${toEvidence(text, 300)}`);
    }
    if (isZodError(error)) {
      return make('INVALID_SERVER_RESPONSE', `the answer of ${command} to ${this.#phase} is not a valid MCP result: ${toEvidence(describeIssues(error.issues), 300)}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return make('SERVER_ERROR', `the scan of ${command} failed during ${this.#phase}: ${toEvidence(message, 300)}`);
  }
}

/**
 * Connects to an MCP server over stdio, lists everything it exposes and analyses it.
 *
 * Spawns `server` (never through a shell) with the MCP SDK's `Client` and
 * `StdioClientTransport`, declaring the `roots`, `sampling` and `elicitation` client
 * capabilities so that servers list the tools that depend on them (the scanner answers
 * `roots/list` with no roots and refuses sampling and elicitation). Records the
 * `initialize` result, then follows `nextCursor` through every page of `tools/list`,
 * `prompts/list`, `resources/list` and `resources/templates/list` — each only when the
 * server declares the capability; a list answered with "method not found" is empty.
 * Only the known fields of each definition are kept, and their types are checked.
 *
 * The whole scan has one deadline (`timeoutMs`). Whatever happens, the client is closed
 * and the server and every process it started are gone before the promise settles:
 * stdin is closed, then SIGTERM, then SIGKILL, each after `killGraceMs`.
 *
 * @param server - the command that starts the server (see `parseServerCommand`)
 * @param options - deadline, abort signal, client info, stderr handling
 * @returns the report, with risk levels and findings (see `analyzeScanReport`)
 * @throws DriftError `SERVER_START_FAILED`, `SERVER_EXITED`, `SERVER_TIMEOUT`,
 *   `SERVER_ERROR`, `INVALID_SERVER_RESPONSE`, `PAGINATION_LOOP`, `PAGINATION_LIMIT`,
 *   `ABORTED`, `INVALID_COMMAND`, `INVALID_OPTIONS`; messages end with the tail of the
 *   server's stderr
 */
export async function scanServer(server: ServerCommand, options: ScanOptions = {}): Promise<ScanReport> {
  assertServerCommand(server);
  const settings = resolveSettings(options);
  if (settings.signal?.aborted === true) {
    throw new DriftError('ABORTED', 'the scan was aborted before it started', { cause: settings.signal.reason });
  }
  const session = new ScanSession(server, settings);
  let input: ScanReportInput;
  try {
    input = await session.run();
  } catch (error) {
    await session.stop();
    throw session.toDriftError(error);
  }
  await session.stop();
  return analyzeScanReport(input);
}
