/** Why resolving, downloading or verifying an artifact failed. */
export type ArtifactErrorCode = 'RESOLVE_FAILED' | 'DOWNLOAD_FAILED' | 'INSECURE_URL' | 'BLOCKED_ADDRESS' | 'INTEGRITY_MISMATCH' | 'PROVENANCE_MISSING' | 'PROVENANCE_INVALID';

/** The one error class of `@mcptrust/artifact`; integrity errors carry what was expected and found. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  /** Stable code of the failure. */
  readonly code: ArtifactErrorCode;
  /** The pinned value (for integrity errors). */
  readonly expected?: string;
  /** The value computed from what was downloaded. */
  readonly found?: string;
  constructor(code: ArtifactErrorCode, message: string, options?: { cause?: unknown; expected?: string; found?: string }) {
    super(message, options);
    this.code = code;
    if (options?.expected !== undefined) this.expected = options.expected;
    if (options?.found !== undefined) this.found = options.found;
  }
}
