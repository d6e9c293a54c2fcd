/**
 * @packageDocumentation
 * @mcptrust/drift: the live side of MCPTrust. Parses a server command, scans a server
 * over stdio or a remote one over HTTP (every page of every list), rates the risk of
 * each tool and looks for tool poisoning: injection indicators in descriptions and
 * confusable names. Compares a scan with a lockfile and explains every drift (severity,
 * semantic schema diff, sentences).
 */
export { parseServerCommand } from './parse-server-command.js';
export { scanServer } from './scan-server.js';
export { scanRemoteServer } from './scan-remote.js';
export type { RemoteScanOptions, RemoteUpstreamOptions } from './scan-remote.types.js';
export { describeRemoteEndpoint } from './scan-remote-failure.js';
export { DEFAULT_SCAN_TIMEOUT_MS, DEFAULT_STDERR_TAIL_BYTES, DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_PAGES } from './scan-settings.js';
export type { ServerCommand, ScanOptions, ScanClientInfo } from './scan.types.js';
export { serverSpawnOptions } from './server-spawn.js';
export type { ServerSpawnOptions, ServerSpawnEnvOptions } from './server-spawn.js';
export { listErrorMeansNone, LIST_METHODS, METHOD_NOT_FOUND } from './list-methods.js';
export type { ListMethod } from './list-methods.js';
export { analyzeScanReport } from './analyze-scan-report.js';
export type { ScanReportInput } from './analyze-scan-report.js';
export { analyzeToolRisk } from './analyze-tool-risk.js';
export type { ToolRisk } from './analyze-tool-risk.js';
export { detectInjectionIndicators } from './detect-injection-indicators.js';
export type { Indicator, IndicatorCode, InjectionContext } from './detect-injection-indicators.js';
export { detectConfusableNames, confusableSkeleton } from './confusable-names.js';
export type { ConfusableFinding } from './confusable-names.js';
export { escapeInvisible } from './unicode.js';
export { compareToLockfile } from './compare-to-lockfile.js';
export { formatJsonPath } from './drift-item.js';
export { highestSeverity, severityAtLeast, DRIFT_SEVERITIES } from './drift-severity.js';
export { compareArtifactPins } from './artifact-drift.js';
export { compareDeniedItems } from './denied-items.js';
export type { DeniedItem, DeniedItemStatus } from './drift.types.js';
export { compareLiveListing } from './compare-live-listing.js';
export type { LiveListing } from './compare-live-listing.js';
export { diffJsonSchemas } from './schema-diff.js';
export { describeSchemaType } from './schema-type-rules.js';
export type { SchemaDiffOptions } from './schema-diff.js';
export { compactWordDiff, newInjectionIndicators } from './describe-change.js';
export { checkDrift, DEFAULT_FAIL_ON } from './check-drift.js';
export type {
  CheckDriftOptions,
  CheckDriftResult,
  CompareOptions,
  DriftDetails,
  DriftItem,
  DriftItemType,
  DriftKind,
  DriftRule,
  DriftSeverity,
  SchemaChange,
  SchemaDirection,
  SchemaRule,
} from './drift.types.js';
export { DriftError } from './errors.js';
export type { DriftErrorCode, DriftErrorOptions } from './errors.js';
