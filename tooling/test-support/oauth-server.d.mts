/** Failure modes of {@link startOAuthServer}. */
export type OAuthFailure = 'no-s256' | 'no-dcr' | 'wrong-iss' | 'wrong-state' | 'deny' | 'refresh-fails' | 'token-fails';

/** Where the authorization server metadata is served (see {@link OAuthServerOptions.metadataLocations}). */
export type MetadataLocation = 'oauth' | 'oidc-inserted' | 'oidc-appended';

/** A token endpoint client authentication method. */
export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** A client registered with the authorization server beforehand. */
export interface FixtureClient {
    client_id: string;
    /** For `client_secret_basic` / `client_secret_post`. */
    client_secret?: string;
    token_endpoint_auth_method: ClientAuthMethod;
    /** For `private_key_jwt`: the SPKI PEM of a P-256 (ES256) or RSA (RS256) key. */
    public_key_pem?: string;
    /** Allowed redirect URIs (loopback ones match on any port); undefined: any. */
    redirect_uris?: string[];
    /** Allowed scopes, space-separated; undefined: any. */
    scope?: string;
    /** Allowed grants; undefined: any. Without `refresh_token`, no refresh tokens are issued. */
    grant_types?: string[];
}

/** Options of {@link startOAuthServer}. */
export interface OAuthServerOptions {
    /** A failure mode from the start (see `setFailure`). */
    failure?: OAuthFailure;
    /** `expires_in` of access tokens, in seconds (default 3600; 0: expired at once). */
    accessTokenTtlSeconds?: number;
    /** Issue refresh tokens (default true). */
    refreshTokens?: boolean;
    /** Rotate refresh tokens on use (default true). */
    rotateRefreshTokens?: boolean;
    /** Makes access tokens (default random `at-…`). */
    accessToken?: () => string;
    /** Refuse token requests whose `resource` is not this. */
    expectedResource?: string;
    /** Public client ids accepted without registration (any redirect URI). */
    preregisteredClients?: readonly string[];
    /** Merged into the metadata document (last, so it overrides anything). */
    metadataOverrides?: Record<string, unknown>;
    /** Path of the issuer (default `''`; e.g. `'/tenant1'`): issuer `http://127.0.0.1:PORT${issuerPath}`. */
    issuerPath?: string;
    /** Discovery URLs that serve the metadata (default `['oauth']`); every other one is 404. */
    metadataLocations?: readonly MetadataLocation[];
    /** The advertised `token_endpoint_auth_methods_supported` (default `['none']`). */
    tokenEndpointAuthMethods?: readonly string[];
    /** Pre-registered clients, each authenticating by its method. */
    clients?: readonly FixtureClient[];
    /** Dynamic registration issues a `client_secret` and this method (default: public clients, `none`). */
    dcrAuthMethod?: 'client_secret_basic' | 'client_secret_post';
    /** Client ID Metadata Documents by URL (stands in for fetching them); advertises `client_id_metadata_document_supported`. */
    cimdDocuments?: Record<string, object>;
    /** `scopes_supported` (default `['mcp:read', 'mcp:write']`). */
    scopesSupported?: readonly string[];
    /** Issue a refresh token only when the granted scope contains `offline_access`. */
    refreshRequiresOfflineAccess?: boolean;
    /** Offer the `client_credentials` grant (confidential clients of `clients` only). */
    clientCredentials?: boolean;
}

/** One request the authorization server got. */
export interface OAuthServerRequest {
    method: string;
    path: string;
    /** Query (GET) or form body (POST) parameters. */
    params: Record<string, string>;
    headers: Record<string, string | string[] | undefined>;
    /** The JSON body of `/register` (and of any JSON request). */
    json?: any;
    /** The metadata location this request was served from, when it fetched a metadata document. */
    metadataLocation?: MetadataLocation;
}

/** A client assertion the token endpoint decoded (the signature is not kept). */
export interface RecordedAssertion {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
    /** Why it was refused, when it was. */
    error?: string;
    /** The client it authenticated, when accepted. */
    clientId?: string;
}

/** What the server knows of an access token it issued. */
export interface TokenInfo {
    clientId: string;
    resource: string | undefined;
    /** The granted scope (space-separated), if any. */
    scope: string | undefined;
    /** The grant of the token request that issued it. */
    grant: 'authorization_code' | 'refresh_token' | 'client_credentials';
    /** Expiry, in ms since the epoch (0 after `expireAccessTokens`). */
    expiresAt: number;
}

/** The members an authorization server has, wherever it is mounted. */
export interface OAuthServerMembers {
    /** Every decoded `private_key_jwt` assertion, in order. */
    assertions: RecordedAssertion[];
    /** Every Client ID Metadata Document URL looked up, in order. */
    cimdLookups: string[];
    setFailure(mode: OAuthFailure | undefined): void;
    /** Whether `accessToken` was issued for `resource` and has not expired. */
    validate(accessToken: string, resource: string): boolean;
    /** `validate`, then whether the token's scope holds every `required` word. */
    validateScopes(accessToken: string, resource: string, required: readonly string[]): 'ok' | 'invalid' | 'insufficient_scope';
    /** What was issued with the token (undefined: never issued). */
    tokenInfo(accessToken: string): TokenInfo | undefined;
    /** Makes every issued access token expired (the resource refuses them). */
    expireAccessTokens(): void;
    /** Forgets every refresh token. */
    revokeRefreshTokens(): void;
    issuedAccessTokens(): string[];
}

/** A running authorization server. */
export interface OAuthServer extends OAuthServerMembers {
    /** `http://127.0.0.1:PORT${issuerPath}` (no trailing slash). */
    issuer: string;
    /** The issuer, too. */
    url: string;
    /** `http://127.0.0.1:PORT`. */
    origin: string;
    requests: OAuthServerRequest[];
    close(): Promise<void>;
}

/** Starts the authorization server on 127.0.0.1 (random port). */
export declare function startOAuthServer(options?: OAuthServerOptions): Promise<OAuthServer>;

/** Whether `presented` matches the registered redirect URI (exact, or loopback http on any port). */
export declare function redirectMatches(registered: string, presented: string): boolean;

/** A tool of the fixture MCP endpoints. */
export interface FixtureTool {
    name: string;
    /** Scope(s), space-separated, a `tools/call` of it needs. */
    scope?: string;
}

/** Options of {@link startProtectedMcpServer}. */
export interface ProtectedMcpServerOptions {
    /** Whose tokens are accepted; its issuer is the metadata's authorization server (`tokenInfo` gives the scopes tools need). */
    authServer: Pick<OAuthServer, 'issuer' | 'validate'> & Partial<Pick<OAuthServer, 'tokenInfo'>>;
    /** `scopes_supported`, and the `scope` of the 401 challenge (unless the two options below say otherwise). */
    scopes?: readonly string[];
    /** The `scope` of the 401 challenge (null: none). */
    challengeScopes?: readonly string[] | null;
    /** The metadata's `scopes_supported` (null: none). */
    scopesSupported?: readonly string[] | null;
    /** The `resource_metadata` URL of the 401 challenge (default where the document is served; null: none, so clients use the well-known location). */
    resourceMetadataUrl?: string | null;
    /** Merged into the protected resource metadata document. */
    resourceMetadata?: Record<string, unknown>;
    /** Where the protected resource metadata is served (default `path`). */
    prmLocation?: 'path' | 'root' | 'none';
    /** The tools (default none). */
    tools?: readonly FixtureTool[];
}

/** One request the protected endpoint got. */
export interface ProtectedMcpRequest {
    method: string;
    path: string;
    authorization: string | undefined;
    /** The JSON-RPC method, for an authorized `/mcp` POST. */
    rpcMethod?: string;
}

/** A running protected MCP endpoint. */
export interface ProtectedMcpServer {
    /** `http://127.0.0.1:PORT/mcp`. */
    url: string;
    origin: string;
    requests: ProtectedMcpRequest[];
    close(): Promise<void>;
}

/** Starts the protected MCP endpoint on 127.0.0.1 (random port). */
export declare function startProtectedMcpServer(options: ProtectedMcpServerOptions): Promise<ProtectedMcpServer>;

/** Options of {@link startLegacyAuthMcpServer}: the authorization server's (its issuer path aside) and the endpoint's. */
export interface LegacyAuthMcpServerOptions extends Omit<OAuthServerOptions, 'issuerPath'> {
    /** Serve `/.well-known/oauth-authorization-server` (default true); false: 404, clients use the default endpoints. */
    metadata?: boolean;
    /** The tools (default none). */
    tools?: readonly FixtureTool[];
    /** The `scope` of the 401 challenge (default none). */
    challengeScopes?: readonly string[] | null;
}

/** One request the legacy server got (authorization server or `/mcp`). */
export interface LegacyAuthMcpRequest extends OAuthServerRequest {
    authorization: string | undefined;
    /** The JSON-RPC method, for an authorized `/mcp` POST. */
    rpcMethod?: string;
}

/** A running 2025-03-26 MCP server that is its own authorization server. */
export interface LegacyAuthMcpServer extends OAuthServerMembers {
    /** `http://127.0.0.1:PORT/mcp`. */
    url: string;
    /** `http://127.0.0.1:PORT`. */
    origin: string;
    /** The origin. */
    issuer: string;
    requests: LegacyAuthMcpRequest[];
    close(): Promise<void>;
}

/** Starts a 2025-03-26 MCP server with its own authorization endpoints on 127.0.0.1 (random port). */
export declare function startLegacyAuthMcpServer(options?: LegacyAuthMcpServerOptions): Promise<LegacyAuthMcpServer>;
