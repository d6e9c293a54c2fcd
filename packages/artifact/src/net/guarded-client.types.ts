/**
 * The one HTTPS client every download of the artifact package goes through (registry
 * metadata, tarballs, attestations, keys, OCI manifests). Implemented in
 * guarded-client.ts; see there for the rules it enforces.
 */

/** Resolves a host name to every address it has (injectable for tests). */
export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** Options of `createGuardedClient`. */
export interface GuardedClientOptions {
  /**
   * Allow private, loopback, link-local... addresses (`--unsafe-allow-private-tarball-hosts`).
   * HTTPS is still required. The caller warns loudly; the client calls `onWarning` once.
   */
  allowPrivateHosts?: boolean;
  /**
   * Library/test option only (never a CLI flag): allow loopback addresses (127/8, ::1),
   * over plain `http://` or HTTPS. Every other private address stays blocked, so a
   * redirect from a loopback test server to 10.0.0.1 is still refused without a dial.
   */
  insecureHttpLoopback?: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  ca?: string | string[];
  /** Maximum redirects per request (default 5). */
  maxRedirects?: number;
  /** Deadline of one request, connection to last byte (default 60 s). */
  timeoutMs?: number;
  /** Default body cap in bytes (default 512 MiB); each request may lower it. */
  maxBytes?: number;
  /** Host resolver (default `dns.lookup` with `all: true`). */
  resolve?: HostResolver;
  /** Aborts every request in flight. */
  signal?: AbortSignal;
  /** Receives warnings (e.g. private hosts allowed); never writes to stdout itself. */
  onWarning?: (message: string) => void;
}

/** One request. */
export interface GuardedRequest {
  method?: 'GET' | 'HEAD';
  /** Request headers. `authorization` and `cookie` are dropped when a redirect leaves the origin. */
  headers?: Record<string, string>;
  /** Body cap for this request (bytes). */
  maxBytes?: number;
  /** Deadline for this request (ms). */
  timeoutMs?: number;
}

/** A complete response (bodies are capped, so they are buffered). */
export interface GuardedResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** The final URL, after redirects. */
  url: string;
}

/** The guarded client. */
export interface GuardedClient {
  /** Performs a request; any status is returned (callers decide), network/guard failures throw `ArtifactError`. */
  request(url: string, init?: GuardedRequest): Promise<GuardedResponse>;
  /** GET that must answer 200; otherwise throws `ArtifactError('DOWNLOAD_FAILED')` naming URL and status. */
  get(url: string, init?: Omit<GuardedRequest, 'method'>): Promise<GuardedResponse>;
  /** GET of a JSON document (200 required, parsed; a non-JSON body is `RESOLVE_FAILED`). */
  getJson(url: string, init?: Omit<GuardedRequest, 'method'>): Promise<unknown>;
}
