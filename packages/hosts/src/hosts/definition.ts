/** What MCPTrust knows about one host: where its configs are and how it reads them. */
import type { ConfigLocation, HostEnvironment, HostId, ResolvedServer, ServerEntry } from '../types.js';

/** One host: its config files per OS, how it reads entries, and how it resolves them. */
export interface HostDefinition {
  /** Stable id (`claude-desktop`, `vscode`…), as given to `--host`. */
  id: HostId;
  /** Display name: `Claude Desktop`, `VS Code`… */
  name: string;
  /**
   * Every config file the host reads on that OS, most specific first; they may not exist.
   * May list directories synchronously (Continue's `.continue/mcpServers/*.yaml`, VS Code
   * profiles, Claude Desktop's MSIX `Claude_*` package).
   */
  locations(env: HostEnvironment): ConfigLocation[];
  /**
   * The server entries of one parsed document of that location.
   *
   * @throws HostsError CONFIG_INVALID naming the file and key when the MCP section has the wrong shape
   */
  readEntries(document: unknown, location: ConfigLocation): ServerEntry[];
  /**
   * The entry as the host would start it: variables expanded per host syntax (from
   * `env.env`), `cwd` made absolute (relative to the project directory for project files).
   *
   * @throws HostsError UNRESOLVED_VARIABLE naming the variable (never its value);
   *   INVALID_OPTIONS for an entry that is not a local (stdio) server
   */
  resolveEntry(entry: ServerEntry, location: ConfigLocation, env: HostEnvironment): ResolvedServer;
  /**
   * Existing files that take precedence over the user's config (Claude Code's
   * `managed-mcp.json`, Gemini CLI's system settings): warn when there is any.
   */
  overrides(env: HostEnvironment, exists: (path: string) => boolean): string[];
  /** Process names whose presence means the host is running (for the "running" warning). */
  processNames: readonly string[];
  /** One line telling the user how the host picks up a changed config (restart, Refresh…). */
  reloadHint: string;
}
