export { LOG_LEVELS, LOG_SCHEMA_VERSION, decisionFields, decisionLevel, formatDecisionRecord, formatLogRecord, traceIdOf } from './log-record.js';
export type { LogEnvelope, LogLevel } from './log-record.js';
