import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { HOSTS, hostDefinition, lockFileName } from '../../src/registry.js';
import { hostIsRunning, runningProcesses } from '../../src/running.js';
import { HOST_IDS } from '../../src/types.js';
import type { ConfigLocation, ServerEntry } from '../../src/types.js';
import { DARWIN, LINUX, WIN32 } from './fixtures.js';

describe('HOSTS and hostDefinition', () => {
  it('lists every host once, in HOST_IDS order, with a name, process names and a reload hint', () => {
    expect(HOSTS.map((h) => h.id)).toEqual([...HOST_IDS]);
    for (const host of HOSTS) {
      expect(hostDefinition(host.id)).toBe(host);
      expect(host.name).not.toBe('');
      expect(host.processNames.length).toBeGreaterThan(0);
      expect(host.reloadHint).toMatch(/\.$/);
    }
  });

  it('throws UNKNOWN_HOST listing the valid ids', () => {
    expect(() => hostDefinition('notepad')).toThrow(HostsError);
    expect(() => hostDefinition('notepad')).toThrow(`unknown host "notepad": expected one of ${HOST_IDS.join(', ')}`);
  });
});

describe('overrides', () => {
  it('Claude Code: existing managed-mcp.json files per OS', () => {
    const exists = (file: string): boolean => file.includes('managed-mcp.json');
    expect(hostDefinition('claude-code').overrides(LINUX, exists)).toEqual(['/etc/claude-code/managed-mcp.json']);
    expect(hostDefinition('claude-code').overrides(DARWIN, exists)).toEqual(['/Library/Application Support/ClaudeCode/managed-mcp.json']);
    expect(hostDefinition('claude-code').overrides(WIN32, (f) => f.startsWith('C:\\ProgramData'))).toEqual(['C:\\ProgramData\\ClaudeCode\\managed-mcp.json']);
    expect(hostDefinition('claude-code').overrides(LINUX, () => false)).toEqual([]);
  });

  it('Gemini CLI: system settings; other hosts: none', () => {
    expect(hostDefinition('gemini').overrides(LINUX, () => true)).toEqual(['/etc/gemini-cli/settings.json']);
    expect(hostDefinition('gemini').overrides(WIN32, () => true)).toEqual(['C:\\ProgramData\\gemini-cli\\settings.json']);
    for (const id of ['claude-desktop', 'vscode', 'cursor', 'windsurf', 'zed', 'continue', 'cline', 'codex', 'goose'] as const) {
      expect(hostDefinition(id).overrides(LINUX, () => true)).toEqual([]);
    }
  });
});

describe('lockFileName', () => {
  const loc = (path: string, label = 'user', scope: ConfigLocation['scope'] = 'user'): ConfigLocation => ({
    host: 'cursor',
    path,
    format: 'jsonc',
    scope,
    label,
    serversPath: ['mcpServers'],
    readOnly: false,
  });
  const entry = (name: string, section?: string): ServerEntry => ({ name, path: ['mcpServers', name], shape: 'standard', transport: 'stdio', disabled: false, ...(section === undefined ? {} : { section }) });

  it('is <host>-<server>.mcp-lock.json for the main user config', () => {
    expect(lockFileName(loc('/home/ann/.cursor/mcp.json'), entry('github'))).toBe('cursor-github.mcp-lock.json');
    expect(lockFileName(loc('/home/ann/.cursor/mcp.json'), entry('my.server_v2-x'))).toBe('cursor-my.server_v2-x.mcp-lock.json');
  });

  it('sanitizes the server name to [A-Za-z0-9._-] and keeps sanitized names apart', () => {
    const user = loc('/home/ann/.cursor/mcp.json');
    const a = lockFileName(user, entry('@scope/srv name'));
    expect(a).toMatch(/^cursor-_scope_srv_name-[0-9a-f]{8}\.mcp-lock\.json$/);
    expect(lockFileName(user, entry('_scope_srv_name'))).toBe('cursor-_scope_srv_name.mcp-lock.json');
    expect(lockFileName(user, entry('@scope/srv:name'))).not.toBe(a);
    expect(lockFileName(user, entry('../../etc/passwd'))).not.toContain('/');
    expect(lockFileName(user, entry(''))).toMatch(/^cursor-_-[0-9a-f]{8}\.mcp-lock\.json$/);
  });

  it('adds a hash of the file and section for project files, other user files and sections', () => {
    const project = lockFileName(loc('/srv/proj/.cursor/mcp.json', 'project', 'project'), entry('github'));
    const other = lockFileName(loc('/srv/other/.cursor/mcp.json', 'project', 'project'), entry('github'));
    const profile = lockFileName(loc('/home/ann/profile/mcp.json', 'profile 5f3a'), entry('github'));
    const claude = loc('/home/ann/.claude.json');
    const top = lockFileName(claude, entry('github'));
    const p1 = lockFileName(claude, entry('github', 'project /srv/a'));
    const p2 = lockFileName(claude, entry('github', 'project /srv/b'));
    for (const name of [project, other, profile, p1, p2]) expect(name).toMatch(/^cursor-github-[0-9a-f]{8}\.mcp-lock\.json$/);
    expect(new Set([project, other, profile, top, p1, p2]).size).toBe(6);
    expect(lockFileName(claude, entry('github', 'project /srv/a'))).toBe(p1);
  });
});

describe('running', () => {
  it('matches process names without folder or .exe', () => {
    const def = hostDefinition('cursor');
    expect(hostIsRunning(def, ['/Applications/Cursor.app/Contents/MacOS/Cursor'])).toBe(true);
    expect(hostIsRunning(def, ['Cursor.exe'])).toBe(true);
    expect(hostIsRunning(def, ['bash', 'cursorsomething'])).toBe(false);
    expect(hostIsRunning(hostDefinition('claude-desktop'), ['claude'])).toBe(false);
    expect(hostIsRunning(hostDefinition('claude-code'), ['claude'])).toBe(true);
    expect(hostIsRunning({ processNames: [] }, ['x'])).toBe(false);
  });

  it('lists running processes (this test process among them)', async () => {
    const names = await runningProcesses();
    expect(Array.isArray(names)).toBe(true);
    if (names.length > 0) expect(names.some((name) => /node/i.test(name))).toBe(true);
  });
});
