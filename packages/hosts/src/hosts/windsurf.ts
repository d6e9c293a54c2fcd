/** Windsurf: `~/.codeium/windsurf/mcp_config.json` on every OS, `mcpServers` map. */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, joinPath } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  return [configLocation('windsurf', joinPath(env, env.home, '.codeium', 'windsurf', 'mcp_config.json'), 'json', 'user', 'user', ['mcpServers'])];
}

/** Windsurf (Cascade). */
export const windsurf = defineHost({
  id: 'windsurf',
  name: 'Windsurf',
  syntax: 'windsurf',
  processNames: ['windsurf', 'Windsurf'],
  reloadHint: 'Open the Cascade MCP panel and press Refresh (or restart Windsurf).',
  locations,
});
