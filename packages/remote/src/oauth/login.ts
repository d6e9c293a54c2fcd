/**
 * `loginRemote`: the interactive OAuth 2.1 authorization code flow for one remote MCP
 * server (MCP 2025-11-25 "Authorization"), run once by `mcptrust auth login URL`; later
 * commands use the stored tokens through `createOAuthCredentials`.
 *
 * Steps: discovery (`discovery.ts`), a loopback redirect listener, dynamic client
 * registration (RFC 7591) unless a client id is given, the authorization request with
 * PKCE S256, `state` and `resource` (the SDK's `startAuthorization`), the browser, the
 * answer (state and `iss` checked; from the browser's redirect, or pasted by the user
 * through `redirectInput` when the browser runs elsewhere), the code exchange with
 * `resource` (the SDK's `exchangeAuthorization`), and the store. The SDK's `auth()` orchestrator is not used:
 * it falls back silently when metadata discovery fails, accepts a server that does not
 * advertise S256, and splits the flow over two calls around a redirect.
 */
import { randomBytes } from 'node:crypto';
import { exchangeAuthorization, startAuthorization } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed } from '@modelcontextprotocol/sdk/shared/auth.js';
import { RemoteError } from '../errors.js';
import { lazyGuardedFetch, type GuardedFetchChoice } from '../net/guarded-fetch.js';
import { endpointOf, isLoopbackUrl, parseUpstreamUrl } from '../net/upstream-url.js';
import { checkBrowserUrl, systemBrowserOpener, type BrowserOpener } from './browser.js';
import { chooseClient, type ClientRoute } from './client-identity.js';
import { clientAuthentication } from './scope.js';
import { discoverAuthorization, oauthStep } from './discovery.js';
import { secondsText, startRedirectListener, type RedirectListener } from './redirect-listener.js';
import { openTokenStore, type TokenStore } from './token-store.js';
import { storedTokens } from './tokens.js';

/** Options of {@link loginRemote}. */
export interface LoginRemoteOptions extends GuardedFetchChoice {
  /** Where tokens go. Default the user's store (`openTokenStore()`). */
  store?: TokenStore;
  /** Opens the authorization URL. Default the system browser; `false`: only print it (`onMessage`). */
  openBrowser?: BrowserOpener | false;
  /**
   * Lines the user pastes (with `--no-browser`: the address the browser was redirected to,
   * when its redirect cannot reach the loopback listener). Each non-empty line is checked
   * like the redirect itself; a line that is not this login's redirect is reported through
   * `onMessage` and the wait goes on. The end of the input does not end the wait: the
   * listener or the timeout still decide. Read only while waiting; `return()` is called on
   * its iterator once the login is decided.
   */
  redirectInput?: AsyncIterable<string>;
  /** Lines for the user (the authorization URL among them); never a token. */
  onMessage?: (message: string) => void;
  /** How long to wait for the browser, in ms. Default 300 000. */
  timeoutMs?: number;
  /** The scope to ask for. Default the 401's `scope`, else the server's `scopes_supported`. */
  scope?: string;
  /** A pre-registered client id: used before a Client ID Metadata Document or dynamic registration. */
  clientId?: string;
  /** The pre-registered client's secret (a confidential client); kept in the 0600 store for refreshes, never printed. */
  clientSecret?: string;
  /** The Client ID Metadata Document URL used when the server supports them. Default the project's published document; `false`: never. */
  clientMetadataUrl?: string | false;
  /** Name shown on the consent page (`client_name`). Default `MCPTrust`. */
  clientName?: string;
  /** Aborts the login. */
  signal?: AbortSignal;
  /** Clock, in ms. */
  now?: () => number;
}

/** What {@link loginRemote} stored. */
export interface LoginResult {
  /** The authorization server's issuer. */
  issuer: string;
  /** The canonical server URL the tokens are for. */
  resource: string;
  /** The scope granted, when the server said. */
  scope?: string;
  /** When the access token expires (ISO 8601), when the server said. */
  expiresAt?: string;
  /** Whether a refresh token was issued (silent renewal possible). */
  refreshable: boolean;
  /** How the client was chosen. */
  clientRoute: ClientRoute;
}

const DEFAULT_TIMEOUT_MS = 300_000;

const ROUTE_TEXT: Record<ClientRoute, string> = {
  'pre-registered': 'the pre-registered client id given',
  'client-metadata-document': 'the Client ID Metadata Document (the server supports them)',
  'dynamic-registration': 'registered dynamically (RFC 7591)',
};

/**
 * Logs in to a remote MCP server: the whole authorization code flow, then the tokens are
 * stored for (issuer, canonical server URL).
 *
 * @param url - the MCP server URL (`https://`, or `http://` to a loopback host)
 * @param options - {@link LoginRemoteOptions}
 * @returns what was stored (no token values)
 * @throws RemoteError `INSECURE_URL` (the URL, or a server-supplied URL that is not
 *   http(s)), `BLOCKED_ADDRESS` (the guard), `OAUTH_FAILED` (discovery, no S256, no
 *   registration, denied, state or issuer mismatch, timeout, token exchange),
 *   `NETWORK_ERROR`, `TOKEN_STORE`, `INVALID_OPTIONS` (timeout out of range)
 */
export async function loginRemote(url: string, options: LoginRemoteOptions = {}): Promise<LoginResult> {
  const server = parseUpstreamUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RemoteError('INVALID_OPTIONS', `timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
  const allowLoopback = isLoopbackUrl(server);
  const fetchFn = lazyGuardedFetch(options, allowLoopback)();
  const store = options.store ?? openTokenStore();
  const say = (message: string): void => options.onMessage?.(message);
  const now = options.now ?? Date.now;

  say(`Discovering the authorization server of ${endpointOf(server)} …`);
  const found = await discoverAuthorization(server, fetchFn, { allowLoopback, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const { metadata, authorizationServerUrl, resource } = found;
  const scope = options.scope ?? found.scope;
  const state = randomBytes(32).toString('base64url');
  const listener = await startRedirectListener({
    state,
    issuer: metadata.issuer,
    issRequired: (metadata as Record<string, unknown>)['authorization_response_iss_parameter_supported'] === true,
    timeoutMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    const { client, route } = await chooseClient(
      {
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
        ...(options.clientMetadataUrl === undefined ? {} : { clientMetadataUrl: options.clientMetadataUrl }),
        ...(options.clientName === undefined ? {} : { clientName: options.clientName }),
      },
      authorizationServerUrl,
      metadata,
      listener.redirectUri,
      scope,
      fetchFn,
    );
    say(`Client: ${ROUTE_TEXT[route]}`);
    const clientInformation = client as OAuthClientInformationMixed;
    const { authorizationUrl, codeVerifier } = await oauthStep('authorization request', () =>
      startAuthorization(authorizationServerUrl, {
        metadata,
        clientInformation,
        redirectUrl: listener.redirectUri,
        state,
        resource,
        ...(scope === undefined ? {} : { scope }),
      }),
    );
    const href = checkBrowserUrl(authorizationUrl.href);
    say(`Open this URL in a browser to authorize mcptrust (issuer ${metadata.issuer}):\n  ${href}`);
    const code = listener.waitForCode();
    code.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
    if (options.openBrowser !== false) {
      const open = options.openBrowser ?? systemBrowserOpener();
      await open(href).catch((error: unknown) => {
        if (error instanceof RemoteError && error.code === 'INSECURE_URL') throw error;
        say(`Could not open a browser (${error instanceof Error ? error.message : String(error)}); open the URL above yourself.`);
      });
    }
    if (options.openBrowser === false) {
      const port = new URL(listener.redirectUri).port;
      say(
        `Waiting up to ${secondsText(timeoutMs)} for the browser's redirect to ${listener.redirectUri}` +
          ` (browser on another machine? forward the port from there first: ssh -L ${port}:127.0.0.1:${port} <this host>)` +
          (options.redirectInput === undefined ? '' : `,\nor paste here the address the browser was sent to (it starts with ${listener.redirectUri}?) and press Enter`),
      );
    } else {
      say(`Waiting for the authorization (up to ${secondsText(timeoutMs)}) …`);
    }
    const stopReading = options.redirectInput === undefined ? undefined : readPasted(options.redirectInput, listener, say);
    let authorizationCode: string;
    try {
      authorizationCode = await code;
    } finally {
      stopReading?.();
    }
    const tokens = await oauthStep('token request', () =>
      exchangeAuthorization(authorizationServerUrl, {
        metadata,
        clientInformation,
        addClientAuthentication: clientAuthentication(client),
        authorizationCode,
        codeVerifier,
        redirectUri: listener.redirectUri,
        resource,
        fetchFn,
      }),
    );
    const stored = storedTokens(tokens, now());
    await store.save({
      issuer: metadata.issuer,
      resource,
      authorizationServerUrl,
      metadata: metadata as unknown as Record<string, unknown>,
      client,
      tokens: stored.tokens,
      ...(stored.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt }),
    });
    return {
      issuer: metadata.issuer,
      resource,
      ...(stored.tokens.scope === undefined ? {} : { scope: stored.tokens.scope }),
      ...(stored.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt }),
      refreshable: stored.tokens.refresh_token !== undefined,
      clientRoute: route,
    };
  } finally {
    await listener.close();
  }
}

/**
 * Submits each non-empty line of `input` to the listener until one decides the login;
 * refused lines are reported. Input errors and the end of input are ignored (the listener
 * and its deadline decide).
 *
 * @returns a function that stops reading (calls `return()` on the iterator)
 */
function readPasted(input: AsyncIterable<string>, listener: RedirectListener, say: (message: string) => void): () => void {
  const iterator = input[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (stopped || next.done === true) return;
      const line = String(next.value).trim();
      if (line === '') continue;
      const submitted = listener.submit(line);
      if (submitted.accepted) return;
      say(submitted.reason);
    }
  })().catch(() => undefined);
  return () => {
    if (stopped) return;
    stopped = true;
    void Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => undefined);
  };
}
