import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { applyEdits, parseConfig } from '../../src/formats/index.js';
import { setAtPath } from '../../src/formats/common.js';
import type { ValueEdit } from '../../src/formats/index.js';
import { changedLines, WRAP, wrapEdits } from './helpers.js';

function intended(text: string, edits: readonly ValueEdit[]): unknown {
  return edits.reduce<unknown>((doc, edit) => setAtPath(doc, edit.path, edit.value), parseConfig(text, 'toml', 'f'));
}

const CODEX = `# Codex configuration
model = "o3"   # the model
approval_policy = "on-request"
# an inline table
mcp_servers.inline = { command = "uvx", args = ["mcp-server-git"], env = { A = "1" } }

[mcp_servers.github]
command = "npx"  # the runner
args = ["-y", "@modelcontextprotocol/server-github"]
env = { GITHUB_TOKEN = "x", OTHER = "y" }
startup_timeout_sec = 20

[mcp_servers.github.env_extra]
K = "v"

[profiles.fast]
model = "o4-mini"
started = 2026-01-02T03:04:05Z
`;

describe('TOML edits', () => {
  it('change only the argv lines of a [mcp_servers.x] table', () => {
    const edits = wrapEdits(['mcp_servers', 'github'], 'npx', ['-y', '@modelcontextprotocol/server-github']);
    const after = applyEdits(CODEX, 'toml', edits, 'config.toml');
    const { removed, added } = changedLines(CODEX, after);
    expect(removed).toEqual(['command = "npx"  # the runner\n', 'args = ["-y", "@modelcontextprotocol/server-github"]\n']);
    expect(added[0]).toBe(`command = "${WRAP[0]}"  # the runner\n`);
    expect(added).toHaveLength(2);
    expect(parseConfig(after, 'toml', 'f')).toEqual(intended(CODEX, edits));
  });

  it('edit an inline table in place, keeping its env inline table', () => {
    const edits = wrapEdits(['mcp_servers', 'inline'], 'uvx', ['mcp-server-git']);
    const after = applyEdits(CODEX, 'toml', edits, 'config.toml');
    const { removed, added } = changedLines(CODEX, after);
    expect(removed).toEqual(['mcp_servers.inline = { command = "uvx", args = ["mcp-server-git"], env = { A = "1" } }\n']);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^mcp_servers\.inline = \{ command = "\/opt\/node\/bin\/node", args = \[.*"mcp-server-git"\], env = \{ A = "1" \} \}\n$/);
    expect(parseConfig(after, 'toml', 'f')).toEqual(intended(CODEX, edits));
  });

  it('add args to an entry without them, and keep CRLF line endings', () => {
    const text = '# c\r\n[mcp_servers.s]\r\ncommand = "srv"\r\nenabled = true\r\n\r\n[mcp_servers.s.env]\r\nA = "1"\r\n';
    const edits = wrapEdits(['mcp_servers', 's'], 'srv', []);
    const after = applyEdits(text, 'toml', edits, 'config.toml');
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(after.startsWith('# c\r\n[mcp_servers.s]\r\n')).toBe(true);
    expect(after).toContain('[mcp_servers.s.env]\r\nA = "1"\r\n');
    expect(parseConfig(after, 'toml', 'f')).toEqual(intended(text, edits));
  });

  it('keep a byte-order mark', () => {
    const text = '\uFEFF[mcp_servers.s]\ncommand = "a"\nargs = []\n';
    const after = applyEdits(text, 'toml', [{ path: ['mcp_servers', 's', 'args'], value: ['b'] }], 'f');
    expect(after).toBe('\uFEFF[mcp_servers.s]\ncommand = "a"\nargs = ["b"]\n');
  });
});

describe('TOML parse errors', () => {
  it('name the file, line and column', () => {
    let error: unknown;
    try {
      parseConfig('a = 1\nb = = 2\n', 'toml', '/x/config.toml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HostsError);
    expect((error as HostsError).code).toBe('CONFIG_PARSE');
    expect((error as HostsError).message).toBe('/x/config.toml:2:5: invalid value');
  });
});
