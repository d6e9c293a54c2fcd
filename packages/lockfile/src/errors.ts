/** Codes of {@link LockfileError}. */
export type LockfileErrorCode =
  /** A value cannot be put in RFC 8785 canonical form (undefined, NaN, bigint, cycle...). */
  | 'CANONICALIZE_FAILED'
  /** A hashing function was given something that is not text (or bytes). */
  | 'INVALID_INPUT'
  /** The lockfile text is not JSON (or not UTF-8, or repeats a key inside one object). */
  | 'JSON_INVALID'
  /** The lockfile is JSON but not a lockfile: a field is missing, unknown or malformed. */
  | 'SCHEMA_INVALID'
  /** The lockfile declares a format version this package does not read. */
  | 'UNSUPPORTED_VERSION'
  /** A snapshot does not hash to the hash recorded beside it. */
  | 'SNAPSHOT_MISMATCH'
  /** Two items share an identity (tool name, prompt name, resource URI or URI template). */
  | 'DUPLICATE_ITEM'
  /** The scan handed to `buildLockfile` is malformed. */
  | 'SCAN_INVALID'
  /** The lockfile does not exist. */
  | 'NOT_FOUND'
  /** The lockfile exists but cannot be read. */
  | 'READ_FAILED'
  /** The lockfile is (or would be) larger than `MAX_LOCKFILE_BYTES`; nothing was read or written. */
  | 'TOO_LARGE'
  /** The lockfile cannot be written (the previous file is left as it was). */
  | 'WRITE_FAILED'
  /** An item selector (`tool:NAME`, `prompt:NAME`, `template:URI_TEMPLATE`, `resource:URI`) is malformed. */
  | 'INVALID_SELECTOR';

/** Options of {@link LockfileError}. */
export interface LockfileErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The lockfile the error is about, as the caller named it. */
  file?: string;
  /** Where in the lockfile (`tools.read_file.inputSchemaHash`, `resources.templates[2].uriTemplate`). */
  jsonPath?: string;
  /** What was expected there (a hash, a type, a shape). */
  expected?: string;
  /** What was found there. */
  found?: string;
}

/** The one error class of `@mcptrust/lockfile`. */
export class LockfileError extends Error {
  /** Stable machine-readable code. */
  readonly code: LockfileErrorCode;
  // `declare`: details that were not given are absent, not present as undefined.
  /** The lockfile the error is about, when known. */
  declare readonly file?: string;
  /** JSON path of the first problem, when the error is about one place. */
  declare readonly jsonPath?: string;
  /** What was expected at {@link LockfileError.jsonPath}. */
  declare readonly expected?: string;
  /** What was found at {@link LockfileError.jsonPath}. */
  declare readonly found?: string;

  /**
   * @param code - stable code
   * @param message - human-readable message (names the file and the place when known)
   * @param options - `cause` chaining and details
   */
  constructor(code: LockfileErrorCode, message: string, options: LockfileErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LockfileError';
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    if (options.jsonPath !== undefined) this.jsonPath = options.jsonPath;
    if (options.expected !== undefined) this.expected = options.expected;
    if (options.found !== undefined) this.found = options.found;
  }
}
