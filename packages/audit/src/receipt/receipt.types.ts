/**
 * The receipt: one JSON record per command run, saying what ran, with which inputs and
 * with what result. Field names of schema 1.0 are kept (so existing consumers keep
 * reading receipts); schema 2.0 adds `run_id`, `mcptrust_version`, `duration_ms`,
 * `result.exit_code`, `artifact.digest`, `drift.moderate`, `proxy` and `chain`.
 */

/** How `--receipt PATH` is written. */
export type ReceiptMode =
  /** The file holds exactly one receipt, replaced atomically (temp file + rename). */
  | 'overwrite'
  /** The file is JSON Lines: each run appends one receipt line. */
  | 'append';

/** Provenance of an artifact, as verified when the command ran. */
export interface ReceiptProvenance {
  /** How provenance was checked (`sigstore`, `npm-provenance`, …). */
  method: string;
  /** Whether the check passed. */
  verified: boolean;
  /** Source repository the provenance names. */
  source_repo?: string;
  /** Builder identity the provenance names. */
  builder_id?: string;
  /** When the check ran (ISO 8601, UTC). */
  verified_at?: string;
}

/** The server artifact a command pinned or verified. */
export interface ReceiptArtifact {
  /** Artifact kind: an npm package or an OCI image. */
  type: 'npm' | 'oci';
  /** Package or image name. */
  name: string;
  /** Package version or image tag. */
  version?: string;
  /** Registry the artifact came from. */
  registry?: string;
  /** npm `integrity` (SRI) of the tarball. */
  integrity?: string;
  /** SHA-256 of the tarball, hex. */
  tarball_sha256?: string;
  /** OCI manifest digest (`sha256:…`). */
  digest?: string;
  /** Provenance, when it was checked. */
  provenance?: ReceiptProvenance;
}

/** A policy rule that matched. */
export interface ReceiptRuleHit {
  /** Rule name. */
  name: string;
  /** Rule severity (`error`, `warn`, …). */
  severity: string;
  /** Control identifiers the rule maps to (compliance references). */
  control_refs?: string[];
}

/** One receipt (schema 2.0). */
export interface Receipt {
  /** Receipt schema version; always first in the serialized form. */
  schema_version: '2.0';
  /** Run id under its schema 1.0 name; equal to {@link Receipt.run_id}. */
  op_id: string;
  /** Id of this run (a UUID), shared with the run's logs, spans and audit records. */
  run_id: string;
  /** Version of MCPTrust that ran. */
  mcptrust_version: string;
  /** When the command started (ISO 8601, UTC). */
  ts_start: string;
  /** When the command ended (ISO 8601, UTC). */
  ts_end: string;
  /** Wall-clock duration of the command in milliseconds. */
  duration_ms: number;
  /** The command, with the program name (`mcptrust lock`). */
  command: string;
  /** Command-line arguments, redacted (see `redactArgv`). */
  args: string[];
  /** Whether anything in {@link Receipt.args} was redacted. */
  args_redacted: boolean;
  /** Outcome of the command. */
  result: {
    /** `success` when the command did what it was asked, else `fail`. */
    status: 'success' | 'fail';
    /** The process exit code. */
    exit_code: number;
    /** Error message on failure: sanitized, at most 2048 characters (see `truncateError`). */
    error?: string;
  };
  /** The lockfile the command read or wrote. */
  lockfile?: {
    /** Its path, as given on the command line. */
    path: string;
    /** SHA-256 of its bytes, hex. */
    sha256: string;
  };
  /** The server artifact the command pinned or verified. */
  artifact?: ReceiptArtifact;
  /** Drift found between the lockfile and the live server. */
  drift?: {
    /** Number of critical differences. */
    critical: number;
    /** Number of moderate differences. */
    moderate: number;
    /** Number of benign differences. */
    benign: number;
    /** One-line human summary. */
    summary?: string;
  };
  /** Policy evaluation. */
  policy?: {
    /** Policy preset used, when one was. */
    preset?: string;
    /** Overall policy outcome. */
    status: 'pass' | 'warn' | 'fail';
    /** The rules that matched. */
    rules_hit: ReceiptRuleHit[];
  };
  /** Proxy runs: the enforcement mode and how many decisions of each action were taken. */
  proxy?: {
    /** Enforcement mode (`enforce`, `filter-only`, `audit-only`). */
    mode: string;
    /** Count per audit action (`allowed`, `blocked`, …). */
    decisions: Record<string, number>;
  };
  /** Where this run's hash-chained audit log ended, so the receipt can be checked against it. */
  chain?: {
    /** Audit log file. */
    file: string;
    /** Chain id (a UUID). */
    id: string;
    /** Sequence number of the last record. */
    seq: number;
    /** SHA-256 of the last record line, hex. */
    head: string;
  };
}
