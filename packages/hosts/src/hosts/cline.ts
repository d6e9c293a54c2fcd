/**
 * Cline: `cline_mcp_settings.json`, `mcpServers` map with `disabled`. The shared file
 * `~/.cline/data/settings/` (`$CLINE_MCP_SETTINGS_PATH`, `$CLINE_DATA_DIR/settings/`,
 * `$CLINE_DIR/data/settings/`) comes first, then the extension's storage in each editor
 * (`<user dir>/globalStorage/saoudrizwan.claude-dev/settings/`), which Cline migrates from.
 */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, electronAppData, envPath, joinPath } from './paths.js';

const FILE = 'cline_mcp_settings.json';

/** Editors Cline runs in, by the folder of their user data. */
export const CLINE_EDITORS: readonly string[] = ['Code', 'Code - Insiders', 'Cursor', 'Windsurf', 'VSCodium'];

function sharedFile(env: HostEnvironment): string {
  const explicit = envPath(env, 'CLINE_MCP_SETTINGS_PATH');
  if (explicit !== undefined) return explicit;
  const dataDir = envPath(env, 'CLINE_DATA_DIR') ?? joinPath(env, envPath(env, 'CLINE_DIR') ?? joinPath(env, env.home, '.cline'), 'data');
  return joinPath(env, dataDir, 'settings', FILE);
}

function locations(env: HostEnvironment): ConfigLocation[] {
  const at = (file: string, label: string): ConfigLocation => configLocation('cline', file, 'json', 'user', label, ['mcpServers']);
  const root = electronAppData(env);
  return [
    at(sharedFile(env), 'user'),
    ...CLINE_EDITORS.map((editor) => at(joinPath(env, root, editor, 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', FILE), `${editor} extension`)),
  ];
}

/** Cline. */
export const cline = defineHost({
  id: 'cline',
  name: 'Cline',
  syntax: 'literal',
  processNames: ['cline', 'code', 'Code', 'code-insiders', 'Code - Insiders', 'cursor', 'Cursor', 'windsurf', 'Windsurf', 'codium', 'VSCodium'],
  reloadHint: 'Cline reloads its MCP settings file on save; if a server does not restart, press Restart on it in the MCP Servers view.',
  locations,
});
