/** Cursor: `~/.cursor/mcp.json` and the project's `.cursor/mcp.json`, `mcpServers` map. */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, joinPath } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  return [
    configLocation('cursor', joinPath(env, env.cwd, '.cursor', 'mcp.json'), 'jsonc', 'project', 'project', ['mcpServers']),
    configLocation('cursor', joinPath(env, env.home, '.cursor', 'mcp.json'), 'jsonc', 'user', 'user', ['mcpServers']),
  ];
}

/** Cursor. */
export const cursor = defineHost({
  id: 'cursor',
  name: 'Cursor',
  syntax: 'cursor',
  processNames: ['cursor', 'Cursor'],
  reloadHint: 'Open Cursor Settings → MCP and toggle the changed servers off and on (or restart Cursor).',
  locations,
});
