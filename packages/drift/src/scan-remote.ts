/**
 * The scan of one remote MCP server (Streamable HTTP or legacy HTTP+SSE): one session
 * from `initialize` to DELETE, under one deadline, with the same client, capabilities
 * and listing as the stdio scan. The transport is `createUpstreamClientTransport` of
 * `@mcptrust/remote`; the error of a failed scan is built in scan-remote-failure.ts.
 */
import { ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { RemoteError } from '@mcptrust/remote/errors';
import { endpointOf, parseUpstreamUrl } from '@mcptrust/remote/url';
import type { RemoteEndpoint } from '@mcptrust/remote';
import type { JsonObject, ScanReport } from '@mcptrust/lockfile';
import { analyzeScanReport } from './analyze-scan-report.js';
import type { ScanReportInput } from './analyze-scan-report.js';
import { toScannedServer } from './definitions.js';
import { DriftError } from './errors.js';
import { createScanClient, requestWithin, watchInitialize } from './scan-connection.js';
import { listSurface } from './scan-listing.js';
import { describeRemoteEndpoint, remoteFailure, remoteScanFailure } from './scan-remote-failure.js';
import type { RemoteScanOptions } from './scan-remote.types.js';
import { resolveSettings } from './scan-settings.js';
import type { ScanSettings } from './scan-settings.js';
import { toEvidence } from './unicode.js';

/** Protocol problems kept for the error message of a failed scan. */
const MAX_PROTOCOL_ERRORS = 3;
/** How long closing the session (DELETE) may take after the scan, in milliseconds. */
const CLOSE_GRACE_MS = 2000;

/** One session with one remote server, from `initialize` to DELETE. */
class RemoteScanSession {
  readonly #endpoint: string;
  readonly #settings: ScanSettings;
  readonly #transport: Transport;
  readonly #client: Client;
  readonly #deadline = new AbortController();
  readonly #signal: AbortSignal;
  #deadlineAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #closedEarly = false;
  #phase = 'initialize';
  #rawInitialize: JsonObject | undefined;
  #transportError: RemoteError | undefined;
  #stopped: Promise<void> | undefined;
  readonly #protocolErrors: string[] = [];

  constructor(endpoint: string, transport: Transport, settings: ScanSettings) {
    this.#endpoint = endpoint;
    this.#settings = settings;
    this.#transport = transport;
    this.#signal = settings.signal === undefined ? this.#deadline.signal : AbortSignal.any([settings.signal, this.#deadline.signal]);
    watchInitialize(transport, (result) => {
      this.#rawInitialize = result;
    });
    this.#client = createScanClient(settings.clientInfo, {
      protocolError: (error) => {
        // Whatever happens once the scan gave up (its deadline, the caller's abort, the
        // close) is not what failed it.
        if (this.#stopping || this.#signal.aborted) return;
        // The transport reports its failures (network, HTTP status, size cap...) here
        // before it answers the request it could not send or closes.
        if (error instanceof RemoteError) {
          this.#transportError = error;
          return;
        }
        if (this.#protocolErrors.length < MAX_PROTOCOL_ERRORS) this.#protocolErrors.push(toEvidence(error.message, 200));
      },
      // The SDK fails every request in flight when the connection closes, and refuses
      // later ones; the failure that closed it (a rejected send, a transport error) is
      // what the scan reports.
      closed: () => {
        if (!this.#stopping) this.#closedEarly = true;
      },
    });
  }

  /** Runs the scan; rejects as soon as the deadline passes or the caller aborts. */
  async run(): Promise<ScanReportInput> {
    this.#deadlineAt = Date.now() + this.#settings.timeoutMs;
    this.#timer = setTimeout(() => this.#deadline.abort(), this.#settings.timeoutMs);
    const interrupted = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(this.#signal.reason);
      if (this.#signal.aborted) onAbort();
      else this.#signal.addEventListener('abort', onAbort, { once: true });
    });
    const work = this.#scan();
    // Whichever loses the race still settles later; neither may become an unhandled rejection.
    work.catch(() => undefined);
    interrupted.catch(() => undefined);
    return Promise.race([work, interrupted]);
  }

  #request<T>(send: (options: { signal: AbortSignal; timeout: number }) => Promise<T>): Promise<T> {
    return requestWithin(this.#signal, this.#deadlineAt, send);
  }

  async #scan(): Promise<ScanReportInput> {
    await this.#request((options) => this.#client.connect(this.#transport, options));
    // The SDK has validated this result before `connect` resolved.
    const server = { ...toScannedServer(this.#rawInitialize ?? {}), url: this.#endpoint };
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

  /** Closes the session (DELETE), waiting at most {@link CLOSE_GRACE_MS}. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    try {
      await Promise.race([this.#client.close().catch(() => undefined), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Turns whatever stopped the scan into a {@link DriftError}. */
  toDriftError(error: unknown): DriftError {
    return remoteScanFailure(error, {
      endpoint: this.#endpoint,
      settings: this.#settings,
      phase: this.#phase,
      deadlinePassed: this.#deadline.signal.aborted,
      closedEarly: this.#closedEarly,
      transportError: this.#transportError,
      protocolErrors: this.#protocolErrors,
    });
  }
}

/** Checks the endpoint's shape (callers in plain JavaScript may pass anything). */
/** An observer whose failure must not fail the scan. */
function safeObserver(observe: (message: string) => void): (message: string) => void {
  return (message) => {
    try {
      observe(message);
    } catch {
      // A failing observer must not fail the scan.
    }
  };
}

function assertEndpoint(endpoint: RemoteEndpoint): void {
  if (typeof endpoint !== 'object' || endpoint === null || typeof endpoint.url !== 'string') {
    throw new DriftError('INVALID_OPTIONS', 'the remote endpoint needs a `url` string');
  }
}

/**
 * Connects to a remote MCP server, lists everything it exposes and analyses it, exactly
 * as `scanServer` does for a stdio server.
 *
 * Checks the URL first (`https://`, or `http://` to a loopback host; no credentials in
 * it): a refused URL is never dialled. Then connects with the `@mcptrust/remote` client
 * (Streamable HTTP, or the legacy HTTP+SSE transport as `endpoint.transport` says; every
 * address the host resolves to checked by the outbound guard) and the MCP SDK's
 * `Client`, declaring the `roots`, `sampling` and `elicitation` client capabilities (the
 * scanner answers `roots/list` with no roots and refuses sampling and elicitation).
 * Records the raw `initialize` result and the endpoint (`server.url`: origin and path,
 * never the query string), then follows `nextCursor` through every page of
 * `tools/list`, `prompts/list`, `resources/list` and `resources/templates/list` — each
 * only when the server declares the capability; a list answered with "method not found"
 * is empty.
 *
 * The whole scan has one deadline (`timeoutMs`). Whatever happens, the session is closed
 * (DELETE with its session ID) before the promise settles; closing gets 2 s of its own.
 * Messages name the endpoint without its query string and never a header value or token.
 *
 * @param endpoint - the server's URL, transport and static headers
 * @param options - deadline, abort signal, client info, credentials, warnings, client options
 * @returns the report, with `server.url`, risk levels and findings (see `analyzeScanReport`)
 * @throws DriftError `REMOTE_REFUSED` (URL or address refused, nothing sent),
 *   `REMOTE_UNREACHABLE`, `REMOTE_UNAUTHORIZED`, `REMOTE_HTTP_ERROR`, `SERVER_EXITED`
 *   (the session or stream ended), `SERVER_TIMEOUT`, `SERVER_ERROR`,
 *   `INVALID_SERVER_RESPONSE`, `PAGINATION_LOOP`, `PAGINATION_LIMIT`, `ABORTED`,
 *   `INVALID_OPTIONS`; a transport failure is the `cause` (a `RemoteError`)
 */
export async function scanRemoteServer(endpoint: RemoteEndpoint, options: RemoteScanOptions = {}): Promise<ScanReport> {
  assertEndpoint(endpoint);
  const settings = resolveSettings({
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
    ...(options.clientInfo === undefined ? {} : { clientInfo: options.clientInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let shown: string;
  try {
    shown = endpointOf(parseUpstreamUrl(endpoint.url));
  } catch (error) {
    if (error instanceof RemoteError) throw remoteFailure(error, describeRemoteEndpoint(endpoint.url), 'checking the URL');
    throw error;
  }
  if (settings.signal?.aborted === true) {
    throw new DriftError('ABORTED', `the scan of ${shown} was aborted before it started`, { cause: settings.signal.reason });
  }
  let transport: Transport;
  try {
    const upstream = {
      ...options.upstream,
      headersTimeoutMs: options.upstream?.headersTimeoutMs ?? settings.timeoutMs,
      endpoint,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    };
    // The HTTP client is loaded on first use: a stdio scan (and every command that only
    // imports this package) never pays for it.
    const { createUpstreamClientTransport } = await import('@mcptrust/remote');
    transport = createUpstreamClientTransport({ ...upstream, ...(options.onWarning === undefined ? {} : { onWarning: safeObserver(options.onWarning) }) });
  } catch (error) {
    if (error instanceof RemoteError) throw remoteFailure(error, shown, 'connecting');
    throw error;
  }
  const session = new RemoteScanSession(shown, transport, settings);
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
