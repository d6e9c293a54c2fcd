import { describe, expect, it } from '@jest/globals';
import { hostDefinition } from '../../src/registry.js';
import type { HostEnvironment, HostId } from '../../src/types.js';
import { DARWIN, LINUX, MACHINES, WIN32 } from './fixtures.js';

type Row = [label: string, path: string, scope?: 'user' | 'project' | 'managed'];
type Expected = Record<'linux' | 'darwin' | 'win32', Row[]>;

const MAC_SUPPORT = '/Users/ann/Library/Application Support';
const ROAMING = 'C:\\Users\\ann\\AppData\\Roaming';
const CLINE = 'User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json';
const CLINE_WIN = CLINE.replace(/\//g, '\\');
const clineEditors = (root: string, sep: string): Row[] =>
  ['Code', 'Code - Insiders', 'Cursor', 'Windsurf', 'VSCodium'].map((editor) => [
    `${editor} extension`,
    `${root}${sep}${editor}${sep}${sep === '/' ? CLINE : CLINE_WIN}`,
    'user',
  ]);

const EXPECTED: Record<HostId, Expected> = {
  'claude-desktop': {
    linux: [['user', '/home/ann/.config/Claude/claude_desktop_config.json', 'user']],
    darwin: [['user', `${MAC_SUPPORT}/Claude/claude_desktop_config.json`, 'user']],
    win32: [['user', `${ROAMING}\\Claude\\claude_desktop_config.json`, 'user']],
  },
  'claude-code': {
    linux: [
      ['project', '/srv/proj/.mcp.json', 'project'],
      ['user', '/home/ann/.claude.json', 'user'],
      ['managed', '/etc/claude-code/managed-mcp.json', 'managed'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.mcp.json', 'project'],
      ['user', '/Users/ann/.claude.json', 'user'],
      ['managed', '/Library/Application Support/ClaudeCode/managed-mcp.json', 'managed'],
    ],
    win32: [
      ['project', 'C:\\proj\\.mcp.json', 'project'],
      ['user', 'C:\\Users\\ann\\.claude.json', 'user'],
      ['managed', 'C:\\Program Files\\ClaudeCode\\managed-mcp.json', 'managed'],
      ['managed', 'C:\\ProgramData\\ClaudeCode\\managed-mcp.json', 'managed'],
    ],
  },
  vscode: {
    linux: [
      ['project', '/srv/proj/.vscode/mcp.json', 'project'],
      ['user', '/home/ann/.config/Code/User/mcp.json', 'user'],
      ['user (Insiders)', '/home/ann/.config/Code - Insiders/User/mcp.json', 'user'],
      ['remote server', '/home/ann/.vscode-server/data/User/mcp.json', 'user'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.vscode/mcp.json', 'project'],
      ['user', `${MAC_SUPPORT}/Code/User/mcp.json`, 'user'],
      ['user (Insiders)', `${MAC_SUPPORT}/Code - Insiders/User/mcp.json`, 'user'],
    ],
    win32: [
      ['project', 'C:\\proj\\.vscode\\mcp.json', 'project'],
      ['user', `${ROAMING}\\Code\\User\\mcp.json`, 'user'],
      ['user (Insiders)', `${ROAMING}\\Code - Insiders\\User\\mcp.json`, 'user'],
    ],
  },
  cursor: {
    linux: [
      ['project', '/srv/proj/.cursor/mcp.json', 'project'],
      ['user', '/home/ann/.cursor/mcp.json', 'user'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.cursor/mcp.json', 'project'],
      ['user', '/Users/ann/.cursor/mcp.json', 'user'],
    ],
    win32: [
      ['project', 'C:\\proj\\.cursor\\mcp.json', 'project'],
      ['user', 'C:\\Users\\ann\\.cursor\\mcp.json', 'user'],
    ],
  },
  windsurf: {
    linux: [['user', '/home/ann/.codeium/windsurf/mcp_config.json', 'user']],
    darwin: [['user', '/Users/ann/.codeium/windsurf/mcp_config.json', 'user']],
    win32: [['user', 'C:\\Users\\ann\\.codeium\\windsurf\\mcp_config.json', 'user']],
  },
  zed: {
    linux: [
      ['project', '/srv/proj/.zed/settings.json', 'project'],
      ['user', '/home/ann/.config/zed/settings.json', 'user'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.zed/settings.json', 'project'],
      ['user', '/Users/ann/.config/zed/settings.json', 'user'],
    ],
    win32: [
      ['project', 'C:\\proj\\.zed\\settings.json', 'project'],
      ['user', `${ROAMING}\\Zed\\settings.json`, 'user'],
    ],
  },
  continue: {
    linux: [['user', '/home/ann/.continue/config.yaml', 'user']],
    darwin: [['user', '/Users/ann/.continue/config.yaml', 'user']],
    win32: [['user', 'C:\\Users\\ann\\.continue\\config.yaml', 'user']],
  },
  cline: {
    linux: [['user', '/home/ann/.cline/data/settings/cline_mcp_settings.json', 'user'], ...clineEditors('/home/ann/.config', '/')],
    darwin: [['user', '/Users/ann/.cline/data/settings/cline_mcp_settings.json', 'user'], ...clineEditors(MAC_SUPPORT, '/')],
    win32: [['user', 'C:\\Users\\ann\\.cline\\data\\settings\\cline_mcp_settings.json', 'user'], ...clineEditors(ROAMING, '\\')],
  },
  codex: {
    linux: [
      ['project', '/srv/proj/.codex/config.toml', 'project'],
      ['user', '/home/ann/.codex/config.toml', 'user'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.codex/config.toml', 'project'],
      ['user', '/Users/ann/.codex/config.toml', 'user'],
    ],
    win32: [
      ['project', 'C:\\proj\\.codex\\config.toml', 'project'],
      ['user', 'C:\\Users\\ann\\.codex\\config.toml', 'user'],
    ],
  },
  gemini: {
    linux: [
      ['project', '/srv/proj/.gemini/settings.json', 'project'],
      ['user', '/home/ann/.gemini/settings.json', 'user'],
      ['Antigravity', '/home/ann/.gemini/antigravity/mcp_config.json', 'user'],
      ['managed', '/etc/gemini-cli/settings.json', 'managed'],
    ],
    darwin: [
      ['project', '/Users/ann/proj/.gemini/settings.json', 'project'],
      ['user', '/Users/ann/.gemini/settings.json', 'user'],
      ['Antigravity', '/Users/ann/.gemini/antigravity/mcp_config.json', 'user'],
      ['managed', '/Library/Application Support/GeminiCli/settings.json', 'managed'],
    ],
    win32: [
      ['project', 'C:\\proj\\.gemini\\settings.json', 'project'],
      ['user', 'C:\\Users\\ann\\.gemini\\settings.json', 'user'],
      ['Antigravity', 'C:\\Users\\ann\\.gemini\\antigravity\\mcp_config.json', 'user'],
      ['managed', 'C:\\ProgramData\\gemini-cli\\settings.json', 'managed'],
    ],
  },
  goose: {
    linux: [['user', '/home/ann/.config/goose/config.yaml', 'user']],
    darwin: [['user', '/Users/ann/.config/goose/config.yaml', 'user']],
    win32: [['user', `${ROAMING}\\Block\\goose\\config\\config.yaml`, 'user']],
  },
};

const FORMATS: Record<HostId, string[]> = {
  'claude-desktop': ['json'],
  'claude-code': ['json'],
  vscode: ['jsonc'],
  cursor: ['jsonc'],
  windsurf: ['json'],
  zed: ['jsonc'],
  continue: ['yaml'],
  cline: ['json'],
  codex: ['toml'],
  gemini: ['jsonc', 'json'],
  goose: ['yaml'],
};

const rows = Object.entries(EXPECTED).flatMap(([host, byOs]) =>
  (['linux', 'darwin', 'win32'] as const).map((os) => [host as HostId, os, byOs[os]] as const),
);

describe('locations: every host on every OS', () => {
  it.each(rows)('%s on %s', (host, os, expected) => {
    const locations = hostDefinition(host).locations(MACHINES[os]);
    expect(locations.map((l) => [l.label, l.path, l.scope])).toEqual(expected);
    for (const location of locations) {
      expect(location.host).toBe(host);
      expect(FORMATS[host]).toContain(location.format);
      expect(location.readOnly).toBe(location.scope === 'managed');
    }
  });
});

describe('locations: environment variables', () => {
  const withEnv = (machine: HostEnvironment, env: Record<string, string>): HostEnvironment => ({ ...machine, env: { ...machine.env, ...env } });
  const paths = (host: HostId, machine: HostEnvironment): string[] => hostDefinition(host).locations(machine).map((l) => l.path);

  it('CLAUDE_CONFIG_DIR relocates ~/.claude.json', () => {
    expect(paths('claude-code', withEnv(LINUX, { CLAUDE_CONFIG_DIR: '/opt/claude' }))).toContain('/opt/claude/.claude.json');
    expect(paths('claude-code', withEnv(LINUX, { CLAUDE_CONFIG_DIR: '' }))).toContain('/home/ann/.claude.json');
  });

  it('CODEX_HOME relocates config.toml', () => {
    expect(paths('codex', withEnv(DARWIN, { CODEX_HOME: '/Users/ann/codex-home' }))[1]).toBe('/Users/ann/codex-home/config.toml');
    expect(paths('codex', withEnv(WIN32, { CODEX_HOME: 'D:\\codex' }))[1]).toBe('D:\\codex\\config.toml');
  });

  it('XDG_CONFIG_HOME moves Linux configs (absolute values only), never macOS Zed', () => {
    const xdg = withEnv(LINUX, { XDG_CONFIG_HOME: '/xdg' });
    expect(paths('zed', xdg)[1]).toBe('/xdg/zed/settings.json');
    expect(paths('claude-desktop', xdg)[0]).toBe('/xdg/Claude/claude_desktop_config.json');
    expect(paths('vscode', xdg)[1]).toBe('/xdg/Code/User/mcp.json');
    expect(paths('goose', xdg)[0]).toBe('/xdg/goose/config.yaml');
    expect(paths('zed', withEnv(LINUX, { XDG_CONFIG_HOME: 'relative' }))[1]).toBe('/home/ann/.config/zed/settings.json');
    expect(paths('zed', withEnv(DARWIN, { XDG_CONFIG_HOME: '/xdg' }))[1]).toBe('/Users/ann/.config/zed/settings.json');
  });

  it('Cline honours CLINE_MCP_SETTINGS_PATH, then CLINE_DATA_DIR, then CLINE_DIR', () => {
    expect(paths('cline', withEnv(LINUX, { CLINE_DIR: '/c' }))[0]).toBe('/c/data/settings/cline_mcp_settings.json');
    expect(paths('cline', withEnv(LINUX, { CLINE_DIR: '/c', CLINE_DATA_DIR: '/d' }))[0]).toBe('/d/settings/cline_mcp_settings.json');
    expect(paths('cline', withEnv(LINUX, { CLINE_DIR: '/c', CLINE_MCP_SETTINGS_PATH: '/x/mcp.json' }))[0]).toBe('/x/mcp.json');
  });

  it('CONTINUE_GLOBAL_DIR relocates config.yaml; GEMINI_CLI_SYSTEM_SETTINGS_PATH the system settings', () => {
    expect(paths('continue', withEnv(LINUX, { CONTINUE_GLOBAL_DIR: '/cg' }))).toEqual(['/cg/config.yaml']);
    expect(paths('gemini', withEnv(LINUX, { GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/s/settings.json' }))[3]).toBe('/s/settings.json');
  });

  it('Windows falls back to <home>\\AppData when APPDATA is unset, and honours ProgramFiles', () => {
    const bare: HostEnvironment = { ...WIN32, env: { ProgramFiles: 'D:\\Programs' } };
    expect(paths('zed', bare)[1]).toBe('C:\\Users\\ann\\AppData\\Roaming\\Zed\\settings.json');
    expect(paths('claude-code', bare)[2]).toBe('D:\\Programs\\ClaudeCode\\managed-mcp.json');
  });
});
