/** Codes of {@link HostsError}. */
export type HostsErrorCode =
  /** An option is out of range or of the wrong type (names the option). */
  | 'INVALID_OPTIONS'
  /** The host name is not one of the supported hosts. */
  | 'UNKNOWN_HOST'
  /** The config file does not exist or cannot be read. */
  | 'CONFIG_NOT_FOUND'
  /** The config file does not parse; the message names the file, line and column. */
  | 'CONFIG_PARSE'
  /** The config parses but its MCP section has the wrong shape (names the key). */
  | 'CONFIG_INVALID'
  /** A named server is not in the config. */
  | 'SERVER_NOT_FOUND'
  /** The file changed between reading it and replacing it; nothing was written. */
  | 'CONFIG_CHANGED'
  /** Another mcptrust process holds the file's edit lock. */
  | 'CONFIG_LOCKED'
  /** The edited text does not re-parse to the intended object; nothing was written. */
  | 'EDIT_VERIFY'
  /** Reading, backing up or writing a file failed (disk full, permissions). */
  | 'IO_ERROR'
  /** A variable of a server entry cannot be resolved outside the host (`${input:…}`, an unset `${VAR}`). */
  | 'UNRESOLVED_VARIABLE';

/** Options of {@link HostsError}. */
export interface HostsErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The file the error is about. */
  file?: string;
}

/** The one error class of `@mcptrust/hosts`. Messages never contain environment values. */
export class HostsError extends Error {
  /** Stable machine-readable code. */
  readonly code: HostsErrorCode;
  /** The file the error is about, when there is one. */
  readonly file: string | undefined;

  /**
   * @param code - stable code
   * @param message - what went wrong, naming the file, key or server
   * @param options - cause and file
   */
  constructor(code: HostsErrorCode, message: string, options: HostsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HostsError';
    this.code = code;
    this.file = options.file;
  }
}
