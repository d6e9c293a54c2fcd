/**
 * Gemini CLI: `~/.gemini/settings.json` and the project's `.gemini/settings.json` (JSONC,
 * `mcpServers` map, `$VAR`/`${VAR}` expanded), plus Antigravity's
 * `~/.gemini/antigravity/mcp_config.json`. System settings (read-only) override them.
 */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, envPath, joinPath } from './paths.js';

function systemSettings(env: HostEnvironment): string[] {
  const explicit = envPath(env, 'GEMINI_CLI_SYSTEM_SETTINGS_PATH');
  if (explicit !== undefined) return [explicit];
  if (env.platform === 'darwin') return ['/Library/Application Support/GeminiCli/settings.json'];
  if (env.platform === 'win32') return ['C:\\ProgramData\\gemini-cli\\settings.json'];
  return ['/etc/gemini-cli/settings.json'];
}

function locations(env: HostEnvironment): ConfigLocation[] {
  const userDir = joinPath(env, env.home, '.gemini');
  return [
    configLocation('gemini', joinPath(env, env.cwd, '.gemini', 'settings.json'), 'jsonc', 'project', 'project', ['mcpServers']),
    configLocation('gemini', joinPath(env, userDir, 'settings.json'), 'jsonc', 'user', 'user', ['mcpServers']),
    configLocation('gemini', joinPath(env, userDir, 'antigravity', 'mcp_config.json'), 'json', 'user', 'Antigravity', ['mcpServers']),
    ...systemSettings(env).map((file) => configLocation('gemini', file, 'jsonc', 'managed', 'managed', ['mcpServers'])),
  ];
}

/** Gemini CLI (and Antigravity). */
export const gemini = defineHost({
  id: 'gemini',
  name: 'Gemini CLI',
  syntax: 'gemini',
  processNames: ['gemini', 'Antigravity', 'antigravity'],
  reloadHint: 'Start a new Gemini CLI session (or run /mcp refresh); restart Antigravity for its own file.',
  locations,
  overrides: systemSettings,
});
