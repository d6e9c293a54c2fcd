/**
 * VS Code: `mcp.json` of the user profile (stable and Insiders, default and named
 * profiles under `User/profiles/<id>/`), the workspace's `.vscode/mcp.json`, and on Linux
 * the VS Code Server's copy. Key `servers`, JSONC, `${input:}`/`${env:}` variables.
 */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, electronAppData, joinPath, listDir } from './paths.js';

/** The VS Code editions whose profiles are read, with the label suffix of each. */
const EDITIONS: readonly (readonly [string, string])[] = [
  ['Code', ''],
  ['Code - Insiders', ' (Insiders)'],
];

function locations(env: HostEnvironment): ConfigLocation[] {
  const at = (file: string, scope: 'user' | 'project', label: string): ConfigLocation =>
    configLocation('vscode', file, 'jsonc', scope, label, ['servers']);
  const out = [at(joinPath(env, env.cwd, '.vscode', 'mcp.json'), 'project', 'project')];
  for (const [edition, suffix] of EDITIONS) {
    const userDir = joinPath(env, electronAppData(env), edition, 'User');
    out.push(at(joinPath(env, userDir, 'mcp.json'), 'user', `user${suffix}`));
    const profiles = joinPath(env, userDir, 'profiles');
    for (const id of listDir(env, profiles)) out.push(at(joinPath(env, profiles, id, 'mcp.json'), 'user', `profile ${id}${suffix}`));
  }
  if (env.platform === 'linux') out.push(at(joinPath(env, env.home, '.vscode-server', 'data', 'User', 'mcp.json'), 'user', 'remote server'));
  return out;
}

/** VS Code (GitHub Copilot agent mode). */
export const vscode = defineHost({
  id: 'vscode',
  name: 'VS Code',
  syntax: 'vscode',
  processNames: ['code', 'Code', 'code-insiders', 'Code - Insiders', 'Code Helper'],
  reloadHint: 'Run "MCP: List Servers" → Restart for each changed server, or reload the window.',
  locations,
});
