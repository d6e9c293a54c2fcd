/**
 * @packageDocumentation
 * @mcptrust/audit: the audit event model and the sink role the enforcement engine
 * emits decisions through.
 */
export type { AuditAction, AuditDirection, AuditEvent } from './audit-event.types.js';
export type { AuditSink, MemoryAuditSink } from './sinks.js';
export { noopAuditSink, createMemoryAuditSink } from './sinks.js';
export { formatAuditLine } from './format-audit-line.js';
export { AuditError } from './errors.js';
export type { AuditErrorCode, AuditErrorOptions } from './errors.js';
export { LOG_LEVELS, LOG_SCHEMA_VERSION, decisionFields, decisionLevel, formatDecisionRecord, formatLogRecord, traceIdOf } from './log/index.js';
export type { LogEnvelope, LogLevel } from './log/index.js';
export { envNames, redactArgv, redactUri, sanitizeText } from './redact/index.js';
export type { RedactUriOptions, RedactedArgv } from './redact/index.js';
export { truncateError, validateReceipt, writeReceipt } from './receipt/index.js';
export type { Receipt, ReceiptArtifact, ReceiptMode, ReceiptProvenance, ReceiptRuleHit } from './receipt/index.js';
export { auditKeyId, createAuditSigner, openAuditLog, readAuditHead, verifyAuditLog } from './chain/index.js';
export type { AuditHead, AuditLog, AuditSigner, AuditVerification, OpenAuditLogOptions } from './chain/index.js';
export { ECS_VERSION, OCSF_REQUIRED_ATTRIBUTES, OCSF_SCHEMA_VERSION, toEcsEvent, toOcsfApiActivity } from './siem/index.js';
export type { SiemContext } from './siem/index.js';
