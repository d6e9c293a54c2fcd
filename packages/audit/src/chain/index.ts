/**
 * The tamper-evident audit log: hash-chained JSONL records, signed checkpoints,
 * crash-safe appends, rotation across files, and its verifier.
 */
export { openAuditLog } from './writer.js';
export type { AuditLog, OpenAuditLogOptions } from './writer.js';
export type { AuditSigner } from './keys.js';
export type { AuditHead } from './head.js';
export { readAuditHead } from './head.js';
export { auditKeyId, createAuditSigner } from './keys.js';
export { verifyAuditLog } from './verify.js';
export type { AuditVerification } from './verify.js';
