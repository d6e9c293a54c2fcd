/**
 * The observability flags every command takes (structured logs, receipts, OpenTelemetry)
 * and the audit-log flags of `proxy` and `run`, described once: yargs registers them
 * (globally, or with the proxy's flags) and the proxy's fast path reads the same table.
 * This module imports nothing heavy: it is part of the proxy's start-up.
 */
import type { FlagSpec } from './flag-spec.js';
import { OTEL_FLAGS } from './otel-config.js';

export type { FlagSpec } from './flag-spec.js';

/** Values of `--log-format`. */
export const LOG_FORMATS = ['pretty', 'jsonl'] as const;
/** Values of `--log-level`. */
export const LOG_LEVEL_CHOICES = ['debug', 'info', 'warn', 'error'] as const;
/** Values of `--receipt-mode`. */
export const RECEIPT_MODES = ['overwrite', 'append'] as const;

/** Logs and receipts, on every command. */
export const LOG_FLAGS: readonly FlagSpec[] = [
  { name: 'log-format', type: 'string', choices: LOG_FORMATS, default: 'pretty', describe: 'pretty: the usual stderr lines; jsonl: one JSON record per line (docs/logging.schema.json)' },
  { name: 'log-level', type: 'string', choices: LOG_LEVEL_CHOICES, default: 'info', describe: 'Lowest level of JSONL records written (allowed decisions are info, refusals warn)' },
  { name: 'log-output', type: 'string', default: 'stderr', describe: 'Where JSONL records go: stderr, or a file (appended, created with mode 0600)' },
  { name: 'log-payloads', type: 'boolean', default: false, describe: 'UNSAFE: also log tool/prompt arguments of proxied calls (may contain secrets and personal data)' },
  { name: 'receipt', type: 'string', describe: 'Write a receipt of this run (command, redacted args, result, lockfile hash, drift, policy, artifact) to this file, on success and failure' },
  { name: 'receipt-mode', type: 'string', choices: RECEIPT_MODES, default: 'overwrite', describe: 'overwrite: replace the file atomically; append: add one JSON line' },
];

/** Every observability flag of every command. */
export const OBSERVE_FLAGS: readonly FlagSpec[] = [...LOG_FLAGS, ...OTEL_FLAGS];

/** The hash-chained audit log, on `proxy` and `run`. */
export const AUDIT_LOG_FLAGS: readonly FlagSpec[] = [
  { name: 'audit-log', type: 'string', describe: 'Append every decision to this hash-chained, tamper-evident JSONL log (check it with mcptrust audit verify)' },
  { name: 'audit-key', type: 'string', describe: 'Ed25519 private key (mcptrust keygen) that signs the audit log\'s checkpoints and head' },
];
