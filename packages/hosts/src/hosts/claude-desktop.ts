/**
 * Claude Desktop: `claude_desktop_config.json`, `mcpServers` map, strict JSON, values literal.
 * On Windows the MSIX install (`%LOCALAPPDATA%\Packages\Claude_*\LocalCache\Roaming\Claude`)
 * is preferred when present: writes to plain `%APPDATA%` are ignored by that install.
 */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { appData, configLocation, joinPath, listDir, localAppData, macAppSupport, xdgConfigHome } from './paths.js';

const FILE = 'claude_desktop_config.json';

function locations(env: HostEnvironment): ConfigLocation[] {
  const at = (file: string, label: string): ConfigLocation => configLocation('claude-desktop', file, 'json', 'user', label, ['mcpServers']);
  if (env.platform === 'darwin') return [at(joinPath(env, macAppSupport(env), 'Claude', FILE), 'user')];
  if (env.platform !== 'win32') return [at(joinPath(env, xdgConfigHome(env), 'Claude', FILE), 'user')];
  const packages = joinPath(env, localAppData(env), 'Packages');
  const msix = listDir(env, packages)
    .filter((name) => name.startsWith('Claude_'))
    .map((name, index) => at(joinPath(env, packages, name, 'LocalCache', 'Roaming', 'Claude', FILE), index === 0 ? 'user' : `user (MSIX ${name})`));
  const classic = joinPath(env, appData(env), 'Claude', FILE);
  return msix.length === 0 ? [at(classic, 'user')] : [...msix, at(classic, 'user (outside MSIX)')];
}

/** Claude Desktop. */
export const claudeDesktop = defineHost({
  id: 'claude-desktop',
  name: 'Claude Desktop',
  syntax: 'literal',
  processNames: ['Claude', 'claude-desktop'],
  reloadHint: 'Quit Claude Desktop completely (tray/menu bar → Quit) and start it again.',
  locations,
});
