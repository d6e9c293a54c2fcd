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
