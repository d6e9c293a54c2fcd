/**
 * @mcptrust/remote: remote MCP servers. The address guard every outbound connection goes
 * through, the Streamable HTTP and legacy HTTP+SSE upstream client, static credentials
 * and OAuth. A leaf package: no other `@mcptrust` dependency, nothing written to stdout
 * or stderr.
 */
export { createOAuthCredentials } from './credentials.js';
export type { OAuthCredentialsOptions } from './credentials.js';
export { RemoteError } from './errors.js';
export type { RemoteErrorCode, RemoteErrorOptions } from './errors.js';
export { assertAddressAllowed, classifyAddress, isLoopbackAddress } from './net/address-policy.js';
export type { AddressClassification, AddressPolicyOptions } from './net/address-policy.js';
export { createGuardedDispatcher } from './net/guarded-dispatcher.js';
export type { GuardedDispatcherOptions } from './net/guarded-dispatcher.js';
export { createGuardedFetch } from './net/guarded-fetch.js';
export type { GuardedFetch, GuardedFetchChoice, GuardedFetchOptions } from './net/guarded-fetch.js';
export { endpointOf, isLoopbackUrl, parseUpstreamUrl } from './net/upstream-url.js';
export { checkBrowserUrl, systemBrowserOpener } from './oauth/browser.js';
export type { BrowserOpener, SystemBrowserOpenerOptions } from './oauth/browser.js';
export { checkClientMetadataUrl, DEFAULT_CLIENT_METADATA_URL } from './oauth/client-identity.js';
export type { ClientIdentityOptions, ClientRoute } from './oauth/client-identity.js';
export { canonicalResource } from './oauth/discovery.js';
export { loginRemote } from './oauth/login.js';
export type { LoginRemoteOptions, LoginResult } from './oauth/login.js';
export { TokenStore, defaultConfigDir, openTokenStore } from './oauth/token-store.js';
export type { ConfigDirContext, StoredClient, StoredTokens, TokenEntry, TokenEntrySummary, TokenStoreOptions } from './oauth/token-store.js';
export { openUpstream } from './open-upstream.js';
export type { OpenUpstreamInternals } from './open-upstream.js';
export { createUpstreamClientTransport } from './sdk-transport.js';
export type { UpstreamClientTransportOptions } from './sdk-transport.js';
export type {
  CredentialSource,
  HostResolver,
  RemoteEndpoint,
  RemoteTransport,
  ResolvedRemoteTransport,
  UpstreamConnection,
  UpstreamHandlers,
  UpstreamOptions,
} from './upstream.types.js';
export { createClientCredentials } from './oauth/client-credentials.js';
export type { ClientCredentialsOptions } from './oauth/client-credentials.js';
export { privateKeyAlgorithm, signClientAssertion } from './oauth/jwt-assertion.js';
export type { ClientAssertionAlgorithm, ClientAssertionOptions } from './oauth/jwt-assertion.js';
