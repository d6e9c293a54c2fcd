/** Why recognising, resolving, downloading, verifying, installing or running an artifact failed. */
export type ArtifactErrorCode =
  /** The server command is not one that can be pinned (names what can). */
  | 'UNPINNABLE_COMMAND'
  /** The command or package spec is malformed (bad npx/docker options, invalid name). */
  | 'INVALID_COMMAND'
  /** A pin in a lockfile is malformed (names the field). */
  | 'INVALID_PIN'
  /** The registry has no such package/version/tag, or answered with something unusable. */
  | 'RESOLVE_FAILED'
  /** The dependency tree could not be resolved or contains something that cannot be pinned. */
  | 'TREE_UNPINNABLE'
  /** A download failed (status, timeout, size cap, connection). */
  | 'DOWNLOAD_FAILED'
  /** A URL is not HTTPS, or a redirect downgrades or loops. */
  | 'INSECURE_URL'
  /** A host resolves to (or is) an address the guard refuses. */
  | 'BLOCKED_ADDRESS'
  /** Downloaded bytes do not match the pin (expected/found set). */
  | 'INTEGRITY_MISMATCH'
  /** The installed package is not the pinned one (name, version, files). */
  | 'INSTALL_MISMATCH'
  /** Installing the verified tree failed. */
  | 'INSTALL_FAILED'
  /** The package has no usable bin, several without a choice, or one leaving the package. */
  | 'BIN_INVALID'
  /** Provenance was asked for and the registry has none. */
  | 'PROVENANCE_MISSING'
  /** Provenance exists but does not verify, or its claims do not match. */
  | 'PROVENANCE_INVALID'
  /** The registry signature is missing, made with an unknown/expired key, or does not verify. */
  | 'SIGNATURE_INVALID'
  /** The trusted root could not be loaded. */
  | 'TRUSTED_ROOT_INVALID'
  /** An OCI registry or image problem (manifest unknown, lying digest header, no platform). */
  | 'OCI_FAILED'
  /** A tool the step needs (npm, docker) is not available. */
  | 'TOOL_MISSING';

/** The one error class of `@mcptrust/artifact`; integrity errors carry what was expected and found. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  /** Stable code of the failure. */
  readonly code: ArtifactErrorCode;
  /** The pin field concerned (`server.artifact.integrity`, `tree[3].integrity`...). */
  readonly field?: string;
  /** The pinned value (for integrity errors). */
  readonly expected?: string;
  /** The value computed from what was downloaded. */
  readonly found?: string;
  constructor(code: ArtifactErrorCode, message: string, options?: { cause?: unknown; field?: string; expected?: string; found?: string }) {
    super(message, options);
    this.code = code;
    if (options?.field !== undefined) this.field = options.field;
    if (options?.expected !== undefined) this.expected = options.expected;
    if (options?.found !== undefined) this.found = options.found;
  }
}
