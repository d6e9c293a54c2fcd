/** How to start an MCP server over stdio. */
export interface ServerCommand {
  /** The program to run (looked up on `PATH`; never run through a shell). */
  command: string;
  /** Its arguments, passed as they are. */
  args: string[];
  /**
   * Environment assignments written before the program (`FOO=1 node server.js` as one
   * quoted string). They are added on top of the caller's whole environment, which the
   * server receives in every command (`scan`, `lock`, `diff`, `check`, `policy` and
   * `proxy` alike, see `serverSpawnOptions`): a server configured through API keys or
   * flags in the environment must show the surface it will really have. Values are never
   * printed.
   */
  env?: Record<string, string>;
  /** Working directory of the server process. */
  cwd?: string;
}

/** How the scanner introduces itself in `initialize`. */
export interface ScanClientInfo {
  /** Client name. */
  name: string;
  /** Client version. */
  version: string;
  /** Human-readable title. */
  title?: string;
}

/** Options of `scanServer`. */
export interface ScanOptions {
  /**
   * One deadline for the whole scan, in milliseconds: spawn, `initialize` and every
   * page of every list. Default {@link DEFAULT_SCAN_TIMEOUT_MS}.
   */
  timeoutMs?: number;
  /** Aborts the scan; the server process is stopped before the returned promise rejects. */
  signal?: AbortSignal;
  /** `clientInfo` sent in `initialize`. Default `{ name: 'mcptrust', version: <package version> }`. */
  clientInfo?: ScanClientInfo;
  /** How many trailing bytes of the server's stderr to keep for error messages. Default 4096. */
  stderrTailBytes?: number;
  /** Receives the server's stderr as it arrives (decoded as UTF-8, unescaped). */
  onStderr?: (chunk: string) => void;
  /**
   * How long a stopping server gets at each step (stdin closed, then SIGTERM) before
   * the next, harsher step. Default {@link DEFAULT_KILL_GRACE_MS}.
   */
  killGraceMs?: number;
  /** Most pages read from one list before the scan fails. Default {@link DEFAULT_MAX_PAGES}. */
  maxPages?: number;
  /**
   * The caller's environment, passed on to the server whole, with the server command's
   * own assignments on top (see `serverSpawnOptions`). Default `process.env`. Its values
   * never appear in errors or reports.
   */
  env?: NodeJS.ProcessEnv;
}
