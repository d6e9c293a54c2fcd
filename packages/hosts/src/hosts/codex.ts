/**
 * Codex CLI (and the Codex IDE extension and app): `~/.codex/config.toml`
 * (`$CODEX_HOME/config.toml`) and the project's `.codex/config.toml`;
 * `[mcp_servers.<name>]` tables, `enabled = false`, values literal.
 */
import type { ConfigLocation, HostEnvironment } from '../types.js';
import { defineHost } from './define.js';
import { configLocation, envPath, joinPath } from './paths.js';

function locations(env: HostEnvironment): ConfigLocation[] {
  const home = envPath(env, 'CODEX_HOME') ?? joinPath(env, env.home, '.codex');
  return [
    configLocation('codex', joinPath(env, env.cwd, '.codex', 'config.toml'), 'toml', 'project', 'project', ['mcp_servers']),
    configLocation('codex', joinPath(env, home, 'config.toml'), 'toml', 'user', 'user', ['mcp_servers']),
  ];
}

/** Codex CLI. */
export const codex = defineHost({
  id: 'codex',
  name: 'Codex CLI',
  syntax: 'literal',
  processNames: ['codex', 'Codex'],
  reloadHint: 'Start a new Codex session (servers are started when a session begins).',
  locations,
});
