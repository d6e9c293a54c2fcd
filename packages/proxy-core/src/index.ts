/**
 * @packageDocumentation
 * @mcptrust/proxy-core: the MCPTrust enforcement engine. A transport-agnostic core
 * (`createProxyEngine`), a stdio bridge that spawns the server (`createStdioBridge`),
 * and a wrapper for any MCP SDK transport (`guardTransport`). The bridge to a remote
 * server over Streamable HTTP or HTTP+SSE (`createHttpBridge`) has its own entry,
 * `@mcptrust/proxy-core/http`, so that loading this one never loads an HTTP client.
 */
export { createProxyEngine, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_PENDING } from './engine.js';
export type {
  EngineState,
  EnforcementMode,
  FailOn,
  GuardDecision,
  GuardedCall,
  PreflightDrift,
  ProxyEngine,
  ProxyEngineIO,
  ProxyEngineOptions,
  ProxyEngineStats,
} from './engine.types.js';
export { LineSplitter, DEFAULT_MAX_LINE_BYTES } from './line-splitter.js';
export type { LineHandler, LineSplitterOptions } from './line-splitter.js';
export { compileUriTemplate, MAX_URI_LENGTH } from './uri-template.js';
export type { UriTemplateMatcher } from './uri-template.js';
export { effectiveAllowlist } from './allowlist.js';
export type { EffectiveAllowlist } from './allowlist.js';
export { DENIAL_CODES, SUPPORTED_PROTOCOL_VERSIONS, LATEST_PROTOCOL_VERSION } from './protocol.js';
export type { DenialClass, SupportedProtocolVersion } from './protocol.js';
export { ProxyError } from './errors.js';
export type { ProxyErrorCode, ProxyErrorOptions } from './errors.js';
export { createStdioBridge, DEFAULT_SHUTDOWN_GRACE_MS } from './stdio-bridge.js';
export type { StdioBridge, StdioBridgeExit, StdioBridgeOptions } from './stdio-bridge.js';
export { guardTransport } from './guard-transport.js';
export type { GuardedTransport, GuardTransportOptions } from './guard-transport.js';
