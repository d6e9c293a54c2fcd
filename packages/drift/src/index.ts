/**
 * @packageDocumentation
 * @mcptrust/drift: the live side of MCPTrust. Parses a server command, scans a server
 * over stdio (every page of every list), rates the risk of each tool and looks for tool
 * poisoning: injection indicators in descriptions and confusable names.
 */
export { parseServerCommand } from './parse-server-command.js';
export {
  scanServer,
  DEFAULT_SCAN_TIMEOUT_MS,
  DEFAULT_STDERR_TAIL_BYTES,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_PAGES,
} from './scan-server.js';
export type { ServerCommand, ScanOptions, ScanClientInfo } from './scan.types.js';
export { analyzeScanReport } from './analyze-scan-report.js';
export type { ScanReportInput } from './analyze-scan-report.js';
export { analyzeToolRisk } from './analyze-tool-risk.js';
export type { ToolRisk } from './analyze-tool-risk.js';
export { detectInjectionIndicators } from './detect-injection-indicators.js';
export type { Indicator, IndicatorCode, InjectionContext } from './detect-injection-indicators.js';
export { detectConfusableNames, confusableSkeleton } from './confusable-names.js';
export type { ConfusableFinding } from './confusable-names.js';
export { escapeInvisible } from './unicode.js';
export { DriftError } from './errors.js';
export type { DriftErrorCode, DriftErrorOptions } from './errors.js';
