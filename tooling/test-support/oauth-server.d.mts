/** Failure modes of {@link startOAuthServer}. */
export type OAuthFailure = 'no-s256' | 'no-dcr' | 'wrong-iss' | 'wrong-state' | 'deny' | 'refresh-fails';

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
    /** Client ids accepted without registration (any redirect URI). */
    preregisteredClients?: readonly string[];
    /** Merged into the metadata document. */
    metadataOverrides?: Record<string, unknown>;
}

/** One request the authorization server got. */
export interface OAuthServerRequest {
    method: string;
    path: string;
    /** Query (GET) or form body (POST) parameters. */
    params: Record<string, string>;
    headers: Record<string, string | string[] | undefined>;
    /** The JSON body of `/register`. */
    json?: any;
}

/** A running authorization server. */
export interface OAuthServer {
    /** `http://127.0.0.1:PORT` (no trailing slash): the issuer. */
    issuer: string;
    url: string;
    requests: OAuthServerRequest[];
    setFailure(mode: OAuthFailure | undefined): void;
    /** Whether `accessToken` was issued for `resource` and has not expired. */
    validate(accessToken: string, resource: string): boolean;
    /** Makes every issued access token expired (the resource refuses them). */
    expireAccessTokens(): void;
    /** Forgets every refresh token. */
    revokeRefreshTokens(): void;
    issuedAccessTokens(): string[];
    close(): Promise<void>;
}

/** Starts the authorization server on 127.0.0.1 (random port). */
export declare function startOAuthServer(options?: OAuthServerOptions): Promise<OAuthServer>;

/** Options of {@link startProtectedMcpServer}. */
export interface ProtectedMcpServerOptions {
    /** Whose tokens are accepted; its issuer is the metadata's authorization server. */
    authServer: Pick<OAuthServer, 'issuer' | 'validate'>;
    /** `scopes_supported`, and the `scope` of the 401 challenge. */
    scopes?: readonly string[];
    /** The `resource_metadata` URL of the 401 challenge (default the server's own document; null: none, so clients use the well-known location). */
    resourceMetadataUrl?: string | null;
    /** Merged into the protected resource metadata document. */
    resourceMetadata?: Record<string, unknown>;
}

/** One request the protected endpoint got. */
export interface ProtectedMcpRequest {
    method: string;
    path: string;
    authorization: string | undefined;
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
