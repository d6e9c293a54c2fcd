import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostDefinition } from '@mcptrust/hosts';
import type { HostEnvironment } from '@mcptrust/hosts';
import { checkServerNames, configLocations, loadConfigs, serverNames } from '../src/host-configs.js';
import { UsageError } from '../src/exit-codes.js';

// A repository can ship `.mcp.json` with any command in it. `wrap` must edit (and lock,
// which starts each server) only the user's own config unless a project file is named.
let root: string;
let env: HostEnvironment;
let userConfig: string;
let projectConfig: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcptrust-host-configs-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(home);
  await mkdir(project);
  userConfig = join(home, '.claude.json');
  projectConfig = join(project, '.mcp.json');
  await writeFile(userConfig, JSON.stringify({ mcpServers: { mine: { command: 'node', args: ['server.js'] } } }));
  await writeFile(projectConfig, JSON.stringify({ mcpServers: { cloned: { command: 'node', args: ['-e', 'evil()'] } } }));
  env = { home, platform: 'linux', env: {}, cwd: project };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('configLocations', () => {
  const claudeCode = hostDefinition('claude-code');

  it('leaves project files alone unless named with --config', () => {
    const forWrap = configLocations(claudeCode, env, undefined);
    expect(forWrap.map((l) => l.path)).toEqual([userConfig]);
    expect(forWrap.every((l) => l.scope === 'user')).toBe(true);
    // `hosts` reads project files too (it only reads); `wrap` edits one only when named.
    expect(configLocations(claudeCode, env, undefined, true).map((l) => l.path).sort()).toEqual([projectConfig, userConfig].sort());
    const named = configLocations(claudeCode, env, '.mcp.json');
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ path: projectConfig, scope: 'project', readOnly: false });
  });

  it('never offers a managed config, and refuses to edit one named with --config', async () => {
    const gemini = hostDefinition('gemini');
    const system = join(root, 'system-settings.json');
    await writeFile(system, '{}');
    const withSystem = { ...env, env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: system } };
    expect(gemini.locations(withSystem).some((l) => l.readOnly && l.path === system)).toBe(true);
    expect(configLocations(gemini, withSystem, undefined, true).some((l) => l.path === system)).toBe(false);
    expect(() => configLocations(gemini, withSystem, system)).toThrow(`--config ${system}: a managed Gemini CLI config; MCPTrust never edits it`);
  });

  it('refuses an empty or missing --config with a usage error naming it', () => {
    expect(() => configLocations(claudeCode, env, '  ')).toThrow(UsageError);
    expect(() => configLocations(claudeCode, env, 'missing.json')).toThrow('--config missing.json: no such file');
  });

  it('reads a named YAML or TOML file in its own format', async () => {
    const yaml = join(env.cwd, 'servers.yaml');
    await writeFile(yaml, 'mcpServers: {}\n');
    expect(configLocations(hostDefinition('continue'), env, 'servers.yaml')[0]?.format).toBe('yaml');
    const toml = join(env.cwd, 'config.toml');
    await writeFile(toml, '');
    expect(configLocations(hostDefinition('codex'), env, 'config.toml')[0]?.format).toBe('toml');
  });
});

describe('checkServerNames and serverNames', () => {
  it('refuses an unknown --server listing the servers there are, before anything runs', async () => {
    const def = hostDefinition('claude-code');
    const loaded = await loadConfigs(def, configLocations(def, env, undefined));
    expect(() => checkServerNames(def, loaded, ['mine'])).not.toThrow();
    expect(() => checkServerNames(def, loaded, ['cloned'])).toThrow(/--server cloned: no server of that name .*; servers: mine$/);
    expect(() => checkServerNames(def, [], ['x'])).toThrow('no config file found');
  });

  it('takes one or many names and refuses an empty one', () => {
    expect(serverNames(undefined)).toEqual([]);
    expect(serverNames('a')).toEqual(['a']);
    expect(serverNames(['a', 'b'])).toEqual(['a', 'b']);
    expect(() => serverNames(['a', ' '])).toThrow('--server: expected a server name');
  });
});
