import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { hostDefinition } from '../../src/registry.js';
import type { HostEnvironment } from '../../src/types.js';
import { WIN32 } from './fixtures.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mcptrust-hosts-dirs-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A machine whose home and project are real temp folders, listed through the real file system. */
function machine(platform: 'linux' | 'darwin'): HostEnvironment {
  const home = join(root, 'home');
  const cwd = join(root, 'proj');
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  return { home, platform, env: {}, cwd };
}

describe('VS Code profiles', () => {
  it.each(['linux', 'darwin'] as const)('lists User/profiles/<id>/mcp.json on %s, stable and Insiders', (platform) => {
    const env = machine(platform);
    const appData = platform === 'darwin' ? join(env.home, 'Library', 'Application Support') : join(env.home, '.config');
    mkdirSync(join(appData, 'Code', 'User', 'profiles', '5f3a'), { recursive: true });
    mkdirSync(join(appData, 'Code', 'User', 'profiles', '-1b2c'), { recursive: true });
    mkdirSync(join(appData, 'Code - Insiders', 'User', 'profiles', 'aa'), { recursive: true });
    const found = hostDefinition('vscode').locations(env).map((l) => [l.label, l.path]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['profile -1b2c', join(appData, 'Code', 'User', 'profiles', '-1b2c', 'mcp.json')],
        ['profile 5f3a', join(appData, 'Code', 'User', 'profiles', '5f3a', 'mcp.json')],
        ['profile aa (Insiders)', join(appData, 'Code - Insiders', 'User', 'profiles', 'aa', 'mcp.json')],
      ]),
    );
    const labels = found.map(([label]) => label);
    expect(labels.indexOf('profile -1b2c')).toBe(labels.indexOf('user') + 1);
    expect(labels.indexOf('profile aa (Insiders)')).toBe(labels.indexOf('user (Insiders)') + 1);
  });

  it('has no profile locations when the folder is missing', () => {
    const labels = hostDefinition('vscode').locations(machine('linux')).map((l) => l.label);
    expect(labels.some((label) => label.startsWith('profile'))).toBe(false);
  });
});

describe('Continue blocks', () => {
  it('lists .continue/mcpServers/*.yaml, *.yml and *.json (sorted) before config.yaml, skipping other files', () => {
    const env = machine('linux');
    const dir = join(env.cwd, '.continue', 'mcpServers');
    mkdirSync(dir, { recursive: true });
    for (const file of ['b.yaml', 'a.json', 'c.yml', 'notes.md']) writeFileSync(join(dir, file), '');
    const found = hostDefinition('continue').locations(env).map((l) => [l.label, l.path, l.format, l.scope]);
    expect(found).toEqual([
      ['block a.json', join(dir, 'a.json'), 'json', 'project'],
      ['block b.yaml', join(dir, 'b.yaml'), 'yaml', 'project'],
      ['block c.yml', join(dir, 'c.yml'), 'yaml', 'project'],
      ['user', join(env.home, '.continue', 'config.yaml'), 'yaml', 'user'],
    ]);
  });
});

describe('Claude Desktop MSIX', () => {
  const packages = 'C:\\Users\\ann\\AppData\\Local\\Packages';
  const msixFile = (name: string): string => `${packages}\\${name}\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json`;
  const classic = 'C:\\Users\\ann\\AppData\\Roaming\\Claude\\claude_desktop_config.json';

  it('prefers the MSIX package folder when one is installed', () => {
    const listed: string[] = [];
    const env: HostEnvironment = {
      ...WIN32,
      readDir: (dir) => {
        listed.push(dir);
        return dir === packages ? ['Microsoft.Foo_1', 'Claude_pzs8sxrjxfjjc', 'ClaudeX'] : [];
      },
    };
    const found = hostDefinition('claude-desktop').locations(env).map((l) => [l.label, l.path]);
    expect(listed).toEqual([packages]);
    expect(found).toEqual([
      ['user', msixFile('Claude_pzs8sxrjxfjjc')],
      ['user (outside MSIX)', classic],
    ]);
  });

  it('uses %APPDATA% alone without an MSIX package, and survives an unreadable folder', () => {
    expect(hostDefinition('claude-desktop').locations(WIN32).map((l) => l.path)).toEqual([classic]);
    const throwing: HostEnvironment = {
      ...WIN32,
      readDir: () => {
        throw new Error('EACCES');
      },
    };
    expect(hostDefinition('claude-desktop').locations(throwing).map((l) => l.path)).toEqual([classic]);
  });
});
