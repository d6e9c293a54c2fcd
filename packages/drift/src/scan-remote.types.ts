/** The options of a scan of a remote MCP server. */
import type { CredentialSource, UpstreamOptions } from '@mcptrust/remote';
import type { ScanClientInfo } from './scan.types.js';

/** How the remote client connects, apart from the endpoint and its credentials. */
export type RemoteUpstreamOptions = Omit<UpstreamOptions, 'endpoint' | 'credentials'>;

/** Options of `scanRemoteServer`. */
export interface RemoteScanOptions {
  /**
   * One deadline for the whole scan, in milliseconds: connecting, `initialize` and every
   * page of every list. Closing the session afterwards gets a short grace of its own.
   * Default `DEFAULT_SCAN_TIMEOUT_MS` (10 s).
   */
  timeoutMs?: number;
  /** Aborts the scan; the session is closed before the returned promise rejects. */
  signal?: AbortSignal;
  /** `clientInfo` sent in `initialize`. Default `{ name: 'mcptrust', version: <package version> }`. */
  clientInfo?: ScanClientInfo;
  /** Most pages read from one list before the scan fails. Default `DEFAULT_MAX_PAGES` (1000). */
  maxPages?: number;
  /**
   * Receives the client's warnings (a fallback to the legacy transport, a resumed
   * stream, a server without a GET stream); never a secret. A throwing observer is ignored.
   */
  onWarning?: (message: string) => void;
  /** Where the `Authorization` header comes from when it is not a static header (OAuth). */
  credentials?: CredentialSource;
  /**
   * The rest of the client's options: host resolver, extra CA certificates, size cap,
   * reconnection. `headersTimeoutMs` defaults to the scan's `timeoutMs`.
   */
  upstream?: RemoteUpstreamOptions;
}
