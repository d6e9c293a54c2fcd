/**
 * The scan of one MCP server over stdio: one session from spawn to the last process of
 * its tree being gone, under one deadline. Spawning and the client live in
 * scan-connection.ts, listing in scan-listing.ts, the error of a failed scan in
 * scan-failure.ts.
 */
import { ErrorCode, McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JsonObject, ScanReport } from '@mcptrust/lockfile';
import { analyzeScanReport } from './analyze-scan-report.js';
import type { ScanReportInput } from './analyze-scan-report.js';
import { toScannedServer } from './definitions.js';
import { DriftError } from './errors.js';
import { delay, isAlive, killSurvivors, killTreeOnWindows, listDescendants, signalProcess, waitUntil } from './process-tree.js';
import type { ProcessRef } from './process-tree.js';
import { createScanClient, createTransport, requestWithin } from './scan-connection.js';
import { scanFailure } from './scan-failure.js';
import { listSurface } from './scan-listing.js';
import { assertServerCommand, resolveSettings } from './scan-settings.js';
import type { ScanSettings } from './scan-settings.js';
import type { ScanOptions, ServerCommand } from './scan.types.js';
import { StderrTail } from './stderr-tail.js';
import { toEvidence } from './unicode.js';

/** Protocol problems kept for the error message of a failed scan. */
const MAX_PROTOCOL_ERRORS = 3;
/** How long to wait for the last stderr bytes of a process that has exited. */
const STDERR_DRAIN_MS = 200;

/** One connection to one server, from spawn to the last process of its tree being gone. */
class ScanSession {
  readonly #server: ServerCommand;
  readonly #settings: ScanSettings;
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
  #rawInitialize: JsonObject | undefined;
  #stopped: Promise<void> | undefined;
  /** The first protocol problems the SDK reported (unknown ids, malformed messages...). */
  readonly #protocolErrors: string[] = [];
  /** Every descendant of the server seen so far (by PID, with its start time). */
  readonly #tree = new Map<number, ProcessRef>();

  constructor(server: ServerCommand, settings: ScanSettings) {
    this.#server = server;
    this.#settings = settings;
    this.#tail = new StderrTail(settings.stderrTailBytes);
    this.#signal = settings.signal === undefined ? this.#deadline.signal : AbortSignal.any([settings.signal, this.#deadline.signal]);

    const { transport, stderrEnded } = createTransport(server, settings, this.#tail, {
      started: (pid) => {
        this.#pid = pid;
        this.#phase = 'initialize';
      },
      spawnFailed: (error) => {
        this.#spawnError = error;
      },
      initialized: (result) => {
        this.#rawInitialize = result;
      },
    });
    this.#transport = transport;
    this.#stderrEnded = stderrEnded;
    this.#client = createScanClient(settings.clientInfo, {
      // The SDK carries on after a message it drops; a scan that then times out explains
      // itself with them.
      protocolError: (error) => {
        if (this.#protocolErrors.length < MAX_PROTOCOL_ERRORS) this.#protocolErrors.push(toEvidence(error.message, 200));
      },
      closed: () => {
        this.#closed = true;
        if (!this.#stopping) {
          this.#exitedEarly = true;
          this.#onEarlyExit?.();
        }
      },
    });
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

  /** Runs one SDK request under the scan's signal and deadline. */
  #request<T>(send: (options: { signal: AbortSignal; timeout: number }) => Promise<T>): Promise<T> {
    return requestWithin(this.#signal, this.#deadlineAt, send);
  }

  async #scan(): Promise<ScanReportInput> {
    await this.#request((options) => this.#client.connect(this.#transport, options));
    // A server that is up has started its helpers; remember them now, in case the server
    // dies later and they are re-parented out of reach.
    await this.#snapshotTree();
    // The SDK has validated this result before `connect` resolved.
    const server = toScannedServer(this.#rawInitialize ?? {});
    return listSurface(
      {
        maxPages: this.#settings.maxPages,
        setPhase: (phase) => {
          this.#phase = phase;
        },
        requestPage: (method, cursor) =>
          this.#request((options) => this.#client.request(cursor === undefined ? { method } : { method, params: { cursor } }, ResultSchema, options)),
      },
      server,
    );
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
    return scanFailure(error, {
      server: this.#server,
      settings: this.#settings,
      phase: this.#phase,
      deadlinePassed: this.#deadline.signal.aborted,
      spawnError: this.#spawnError,
      exitedEarly: this.#exitedEarly,
      protocolErrors: this.#protocolErrors,
      stderrTail: this.#tail.text(),
    });
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
