/**
 * The shared vocabulary of `@mcptrust/hosts`: hosts, their config files, the server
 * entries found in them, and the edits `wrap`/`unwrap` make.
 */

/** The hosts whose MCP configs MCPTrust reads and edits. */
export type HostId =
  | 'claude-desktop'
  | 'claude-code'
  | 'vscode'
  | 'cursor'
  | 'windsurf'
  | 'zed'
  | 'continue'
  | 'cline'
  | 'codex'
  | 'gemini'
  | 'goose';

/** Every host, in the order `mcptrust hosts` lists them. */
export const HOST_IDS: readonly HostId[] = Object.freeze([
  'claude-desktop',
  'claude-code',
  'vscode',
  'cursor',
  'windsurf',
  'zed',
  'continue',
  'cline',
  'codex',
  'gemini',
  'goose',
]);

/** Syntax of a config file. `jsonc` allows comments and trailing commas. */
export type ConfigFormat = 'json' | 'jsonc' | 'yaml' | 'toml';

/** Where a config file applies: the user's, a project's, or an administrator's (read-only). */
export type ConfigScope = 'user' | 'project' | 'managed';

/**
 * The machine a host runs on. Every path is computed from this (never from the
 * process), so the paths of every OS are testable on any OS.
 */
export interface HostEnvironment {
  /** The user's home directory (absolute). */
  home: string;
  /** The OS whose paths to compute (`darwin`, `linux`, `win32`). */
  platform: NodeJS.Platform;
  /** Environment variables (`APPDATA`, `XDG_CONFIG_HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME`…). */
  env: Readonly<Record<string, string | undefined>>;
  /** The project directory, for project-level configs (`.mcp.json`, `.vscode/mcp.json`…). */
  cwd: string;
  /**
   * Lists the entry names of a directory (`[]` when it is missing or unreadable). Defaults
   * to the real file system; pass one to compute the directory-dependent paths (VS Code
   * profiles, Continue blocks, Claude Desktop's MSIX package) of another OS.
   */
  readDir?: (path: string) => readonly string[];
}

/** A config file a host reads (it may not exist). */
export interface ConfigLocation {
  host: HostId;
  /** Absolute path, in the path syntax of `HostEnvironment.platform`. */
  path: string;
  format: ConfigFormat;
  scope: ConfigScope;
  /** Short human label: `user`, `project`, `managed`, `profile <id>`, `block <file>`. */
  label: string;
  /**
   * Key path of the object (or, for Continue, the list) holding the servers:
   * `['mcpServers']`, `['servers']`, `['context_servers']`, `['mcp_servers']`,
   * `['extensions']`, `['projects', '/abs/project', 'mcpServers']`.
   */
  serversPath: readonly string[];
  /** True for files MCPTrust must never edit (managed configs). */
  readOnly: boolean;
}

/**
 * Where `command` and `args` live in an entry:
 * - `standard`: `command` (string) and `args` (string list);
 * - `zed-legacy`: `command: { path, args, env }`;
 * - `goose`: `cmd` and `args`.
 */
export type EntryShape = 'standard' | 'zed-legacy' | 'goose';

/**
 * What kind of server an entry is: a local process MCPTrust can wrap, a remote one
 * (`url`, `httpUrl`, `serverUrl`, `uri`, `type: http|sse|streamable-http…`), or one it
 * cannot wrap (a Zed extension server with no command, goose `builtin`, Continue `uses:`).
 */
export type EntryTransport = 'stdio' | 'remote' | 'unsupported';

/** A command line: program and arguments, as written in the config. */
export interface Argv {
  command: string;
  args: string[];
}

/** An entry that already runs through `mcptrust proxy`. */
export interface WrappedArgv {
  /** The lockfile the proxy enforces (the value of `--lock`). */
  lockPath: string;
  /** The server's own command line: every word after the proxy's `--`. */
  original: Argv;
}

/** One MCP server entry of a config file. */
export interface ServerEntry {
  /** The server's name (the key, or `name` in a Continue list). */
  name: string;
  /** Key path from the document root to the entry object (numbers index lists). */
  path: readonly (string | number)[];
  shape: EntryShape;
  transport: EntryTransport;
  /** Why a `remote` or `unsupported` entry is not wrapped, for the report. */
  reason?: string;
  /** The command line as written (stdio entries). */
  argv?: Argv;
  /** The entry's own environment as written (`env`, goose `envs`; values as strings). */
  env?: Record<string, string>;
  /** The entry's working directory as written (`cwd`). */
  cwd?: string;
  /** Present when the entry already runs through `mcptrust proxy`. */
  wrapped?: WrappedArgv;
  /** True when the host marks the entry disabled (`disabled: true`, `enabled: false`). */
  disabled: boolean;
  /**
   * The part of the file the entry belongs to when a file holds several scopes, e.g.
   * `project /abs/path` for a per-project section of Claude Code's `~/.claude.json`.
   * Absent for a file's top-level servers.
   */
  section?: string;
}

/** A server entry resolved the way its host resolves it, ready to be started and locked. */
export interface ResolvedServer {
  command: string;
  args: string[];
  /** The entry's environment with its variables expanded (added on top of the caller's). */
  env: Record<string, string>;
  /** The working directory, absolute, when the entry names one. */
  cwd?: string;
}

/** The absolute program and script a wrapped entry starts (`process.execPath` and the CLI). */
export interface Launcher {
  /** Absolute path of the node executable. */
  node: string;
  /** Absolute path of the mcptrust CLI script (`…/mcptrust/dist/mcptrust.js`). */
  cli: string;
}
