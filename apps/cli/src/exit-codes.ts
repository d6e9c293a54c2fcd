// Error classes come from each package's `errors` entry, which imports nothing else:
// this module is part of every command (the proxy's start-up bundle included), and a
// package's main entry would bring its whole library (Sigstore, CEL, YAML) along.
import { LockfileError } from '@mcptrust/lockfile/errors';
import { DriftError } from '@mcptrust/drift/errors';
import { ProxyError } from '@mcptrust/proxy-core/errors';
import { AuditError } from '@mcptrust/audit/errors';
import { PolicyError } from '@mcptrust/policy/errors';
import { SigningError } from '@mcptrust/signing/errors';
import { ArtifactError } from '@mcptrust/artifact/errors';
import type { ArtifactErrorCode } from '@mcptrust/artifact/errors';
import { RemoteError } from '@mcptrust/remote/errors';
import { HostsError } from '@mcptrust/hosts/errors';
import type { RemoteErrorCode } from '@mcptrust/remote/errors';

/** Exit codes of every command (ARCHITECTURE.md "Errors and exit codes"). */
export const EXIT = {
  /** Success, nothing found. */
  OK: 0,
  /** A finding: drift at or above the threshold, invalid signature, policy violation. */
  FINDING: 1,
  /** Usage or operational error: bad arguments, unreadable file, server failed to start. */
  ERROR: 2,
  /** Interrupted by SIGINT. */
  INTERRUPTED: 130,
  /** Terminated by SIGTERM. */
  TERMINATED: 143,
} as const;

/** A usage error detected by the CLI itself (bad flag value, missing server command). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A finding that must end the command with exit code 1, after its report was printed. */
export class FindingError extends Error {
  override readonly name = 'FindingError';
}

/** Artifact failures that are findings (exit 1): the bytes, install or provenance differ from what was pinned or asked for. */
const ARTIFACT_FINDINGS: ReadonlySet<ArtifactErrorCode> = new Set<ArtifactErrorCode>([
  'INTEGRITY_MISMATCH',
  'INSTALL_MISMATCH',
  'PROVENANCE_MISSING',
  'PROVENANCE_INVALID',
  'SIGNATURE_INVALID',
  'BLOCKED_ADDRESS',
  'INSECURE_URL',
]);

/** Remote failures that are findings (exit 1): the server tried to steer the client somewhere it must not go. */
const REMOTE_FINDINGS: ReadonlySet<RemoteErrorCode> = new Set<RemoteErrorCode>(['BLOCKED_ADDRESS', 'CROSS_ORIGIN']);

/**
 * Maps any error to an exit code and the message to print. This is the only place
 * where library errors become process behaviour.
 */
export function exitCodeFor(error: unknown): { code: number; message: string } {
  if (error instanceof FindingError) return { code: EXIT.FINDING, message: error.message };
  if (error instanceof UsageError) return { code: EXIT.ERROR, message: error.message };
  if (error instanceof LockfileError) return { code: EXIT.ERROR, message: error.message };
  // A remote server that steered the scan to a blocked address or another origin is a finding.
  if (error instanceof DriftError) return { code: error.cause instanceof RemoteError && REMOTE_FINDINGS.has(error.cause.code) && error.code === 'REMOTE_REFUSED' ? EXIT.FINDING : EXIT.ERROR, message: error.message };
  // Preflight drift is a finding (the server no longer matches its lockfile); every
  // other proxy failure (spawn, crash, unsupported version, preflight listing) is
  // operational.
  if (error instanceof ProxyError) return { code: error.code === 'PREFLIGHT_DRIFT' ? EXIT.FINDING : EXIT.ERROR, message: error.message };
  if (error instanceof AuditError) return { code: EXIT.ERROR, message: error.message };
  if (error instanceof PolicyError) return { code: EXIT.ERROR, message: error.message };
  // A signature that was checked and does not match (or a tampered bundle) is a finding; a missing or unparseable signature, key or lockfile is operational.
  if (error instanceof SigningError) return { code: error.code === 'SIGNATURE_INVALID' || error.code === 'BUNDLE_TAMPERED' ? EXIT.FINDING : EXIT.ERROR, message: error.message };
  // The artifact is not the one pinned, or a download was steered somewhere it must not
  // go: a finding, and nothing was started. A bad command, pin or registry answer is operational.
  if (error instanceof ArtifactError) return { code: ARTIFACT_FINDINGS.has(error.code) ? EXIT.FINDING : EXIT.ERROR, message: error.message };
  // A host config that does not parse, changed under us or cannot be written: operational, nothing was replaced.
  if (error instanceof HostsError) return { code: EXIT.ERROR, message: error.message };
  if (error instanceof RemoteError) return { code: REMOTE_FINDINGS.has(error.code) ? EXIT.FINDING : EXIT.ERROR, message: error.message };
  if (error instanceof Error) return { code: EXIT.ERROR, message: `unexpected error: ${error.message}` };
  return { code: EXIT.ERROR, message: `unexpected error: ${String(error)}` };
}
