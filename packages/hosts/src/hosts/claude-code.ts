/**
 * Claude Code: `~/.claude.json` (or `$CLAUDE_CONFIG_DIR/.claude.json`) holds the user's
 * servers (top-level `mcpServers`) and each project's local servers
 * (`projects["<abs path>"].mcpServers`, read as sections); `<project>/.mcp.json` holds the
 * project's shared servers; `managed-mcp.json` (read-only) overrides them all.
 */
import type { ConfigLocation, HostEnvironment, ServerEntry } from '../types.js';
import { defineHost } from './define.js';
import { serverMap, standardEntry, valueAt, invalidShape, isRecord } from './entries.js';
import { configLocation, envPath, joinPath } from './paths.js';
import { PROJECT_SECTION } from './resolve.js';

function managedFiles(env: HostEnvironment): string[] {
  if (env.platform === 'darwin') return ['/Library/Application Support/ClaudeCode/managed-mcp.json'];
  if (env.platform === 'win32') {
    const programFiles = envPath(env, 'ProgramFiles') ?? 'C:\\Program Files';
    const programData = envPath(env, 'ProgramData') ?? envPath(env, 'ALLUSERSPROFILE') ?? 'C:\\ProgramData';
    return [joinPath(env, programFiles, 'ClaudeCode', 'managed-mcp.json'), joinPath(env, programData, 'ClaudeCode', 'managed-mcp.json')];
  }
  return ['/etc/claude-code/managed-mcp.json'];
}

function locations(env: HostEnvironment): ConfigLocation[] {
  const configDir = envPath(env, 'CLAUDE_CONFIG_DIR');
  return [
    configLocation('claude-code', joinPath(env, env.cwd, '.mcp.json'), 'json', 'project', 'project', ['mcpServers']),
    configLocation('claude-code', joinPath(env, configDir ?? env.home, '.claude.json'), 'json', 'user', 'user', ['mcpServers']),
    ...managedFiles(env).map((file) => configLocation('claude-code', file, 'json', 'managed', 'managed', ['mcpServers'])),
  ];
}

/** Top-level servers, plus every project's local servers when the file is `.claude.json`. */
function readEntries(document: unknown, location: ConfigLocation): ServerEntry[] {
  const top = serverMap(valueAt(document, location.serversPath, location), location.serversPath, location).map(([name, value]) =>
    standardEntry(name, value, [...location.serversPath, name], location),
  );
  if (location.scope !== 'user') return top;
  const projects = valueAt(document, ['projects'], location);
  if (projects === undefined) return top;
  if (!isRecord(projects)) throw invalidShape(location, ['projects'], 'an object mapping project paths to settings');
  const sections: ServerEntry[] = [];
  for (const [project, settings] of Object.entries(projects)) {
    if (settings === null || settings === undefined) continue;
    if (!isRecord(settings)) throw invalidShape(location, ['projects', project], 'an object');
    const keyPath = ['projects', project, 'mcpServers'];
    for (const [name, value] of serverMap(settings['mcpServers'], keyPath, location)) {
      sections.push(standardEntry(name, value, [...keyPath, name], location, `${PROJECT_SECTION}${project}`));
    }
  }
  return [...top, ...sections];
}

/** Claude Code. */
export const claudeCode = defineHost({
  id: 'claude-code',
  name: 'Claude Code',
  syntax: 'claude-code',
  processNames: ['claude'],
  reloadHint: 'Start a new Claude Code session (or run /mcp) so it reconnects the servers.',
  locations,
  readEntries,
  overrides: managedFiles,
});
