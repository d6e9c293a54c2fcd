/** Resolving a server entry the way its host starts it. */
import { HostsError } from '../errors.js';
import type { ConfigLocation, HostEnvironment, ResolvedServer, ServerEntry } from '../types.js';
import { expandVariables } from '../variables.js';
import type { VariableContext, VariableSyntax } from '../variables.js';
import { pathApi } from './paths.js';

/** The section prefix of Claude Code's per-project servers in `~/.claude.json`. */
export const PROJECT_SECTION = 'project ';

/**
 * The directory an entry's relative `cwd` and `${workspaceFolder}` refer to: the project
 * of its section, the project directory for project files, else the home directory.
 */
export function baseDirectory(entry: ServerEntry, location: ConfigLocation, env: HostEnvironment): string {
  if (entry.section?.startsWith(PROJECT_SECTION) === true) return entry.section.slice(PROJECT_SECTION.length);
  if (location.scope === 'project') return env.cwd;
  return env.home;
}

/**
 * Resolves a stdio entry: expands variables in command, args, env values and cwd with the
 * host's syntax and makes cwd absolute.
 *
 * @throws HostsError INVALID_OPTIONS for a remote or unsupported entry; UNRESOLVED_VARIABLE
 */
export function resolveWithSyntax(entry: ServerEntry, location: ConfigLocation, env: HostEnvironment, syntax: VariableSyntax): ResolvedServer {
  if (entry.transport !== 'stdio' || entry.argv === undefined) {
    throw new HostsError('INVALID_OPTIONS', `server "${entry.name}" is not a local (stdio) server: ${entry.reason ?? entry.transport}`, { file: location.path });
  }
  const base = baseDirectory(entry, location, env);
  const context: VariableContext = {
    env,
    server: entry.name,
    workspaceFolder: location.scope === 'user' && entry.section === undefined ? env.cwd : base,
  };
  const expand = (text: string): string => expandVariables(text, syntax, context);
  const resolved: ResolvedServer = {
    command: expand(entry.argv.command),
    args: entry.argv.args.map(expand),
    env: Object.fromEntries(Object.entries(entry.env ?? {}).map(([key, value]) => [key, expand(value)])),
  };
  if (entry.cwd !== undefined) resolved.cwd = pathApi(env).resolve(base, expand(entry.cwd));
  return resolved;
}
