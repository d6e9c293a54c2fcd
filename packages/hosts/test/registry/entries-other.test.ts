import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { hostDefinition } from '../../src/registry.js';
import type { ConfigLocation } from '../../src/types.js';
import { entriesOf, named } from './parse.js';

describe('Zed', () => {
  const text = `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    // current shape
    "postgres": {
      "source": "custom",
      "command": "npx",
      "args": ["-y", "@zeddotdev/postgres-context-server"],
      "env": { "DATABASE_URL": "postgresql://localhost/db" },
    },
    // legacy shape
    "legacy": {
      "source": "custom",
      "command": { "path": "/usr/local/bin/mcp-legacy", "args": ["--stdio"], "env": { "LEVEL": "debug" } },
      "settings": {},
    },
    "mcp-server-github": { "source": "extension", "settings": { "github_personal_access_token": "x" } },
    "remote": { "url": "https://mcp.example.com/mcp", "headers": {} },
    "off": { "command": "off-server", "enabled": false },
  },
}`;

  it('reads both command shapes, extension servers and remote servers', () => {
    const entries = entriesOf('zed', text);
    expect(entries.map((e) => [e.name, e.shape, e.transport])).toEqual([
      ['postgres', 'standard', 'stdio'],
      ['legacy', 'zed-legacy', 'stdio'],
      ['mcp-server-github', 'standard', 'unsupported'],
      ['remote', 'standard', 'remote'],
      ['off', 'standard', 'stdio'],
    ]);
    expect(named(entries, 'postgres')).toMatchObject({
      path: ['context_servers', 'postgres'],
      argv: { command: 'npx', args: ['-y', '@zeddotdev/postgres-context-server'] },
      env: { DATABASE_URL: 'postgresql://localhost/db' },
    });
    expect(named(entries, 'legacy')).toMatchObject({
      path: ['context_servers', 'legacy'],
      argv: { command: '/usr/local/bin/mcp-legacy', args: ['--stdio'] },
      env: { LEVEL: 'debug' },
    });
    expect(named(entries, 'mcp-server-github').reason).toContain('extension');
    expect(named(entries, 'off').disabled).toBe(true);
  });

  it('rejects a legacy command without a path, naming the key', () => {
    expect(() => entriesOf('zed', '{"context_servers": {"x": {"command": {"args": []}}}}')).toThrow('context_servers.x.command.path must be a string');
    expect(() => entriesOf('zed', '{"context_servers": {"x": {"command": {"path": "p", "args": [1]}}}}')).toThrow('context_servers.x.command.args[0] must be a string');
  });
});

describe('Continue', () => {
  const yaml = `name: Local Assistant
version: 1.0.0
schema: v1
models: []
mcpServers:
  # a local server
  - name: SQLite
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/Users/ann/db.sqlite"
    env:
      PORT: 8080
  - uses: anthropic/memory-mcp
    with:
      KEY: \${{ secrets.KEY }}
  - name: Remote
    type: streamable-http
    url: https://example.com/mcp
  - name: Cwd
    command: ./run.sh
    cwd: tools
`;

  it('reads the mcpServers list, matched by name, with uses: items unsupported', () => {
    const entries = entriesOf('continue', yaml);
    expect(entries.map((e) => [e.name, e.transport, e.path])).toEqual([
      ['SQLite', 'stdio', ['mcpServers', 0]],
      ['anthropic/memory-mcp', 'unsupported', ['mcpServers', 1]],
      ['Remote', 'remote', ['mcpServers', 2]],
      ['Cwd', 'stdio', ['mcpServers', 3]],
    ]);
    expect(named(entries, 'SQLite')).toMatchObject({ argv: { command: 'npx', args: ['-y', 'mcp-sqlite', '/Users/ann/db.sqlite'] }, env: { PORT: '8080' } });
    expect(named(entries, 'anthropic/memory-mcp').reason).toContain('uses');
    expect(named(entries, 'Cwd').cwd).toBe('tools');
  });

  it('rejects a map in config.yaml and an item without a name', () => {
    expect(() => entriesOf('continue', 'mcpServers:\n  a:\n    command: x\n')).toThrow('mcpServers must be a list of servers');
    expect(() => entriesOf('continue', 'mcpServers:\n  - command: x\n')).toThrow('mcpServers[0].name must be a non-empty string');
    expect(() => entriesOf('continue', 'mcpServers:\n  - just-a-string\n')).toThrow(HostsError);
  });

  it('reads a JSON block file dropped into .continue/mcpServers as a Claude-style map', () => {
    const location: ConfigLocation = {
      host: 'continue',
      path: '/srv/proj/.continue/mcpServers/claude.json',
      format: 'json',
      scope: 'project',
      label: 'block claude.json',
      serversPath: ['mcpServers'],
      readOnly: false,
    };
    const doc: unknown = JSON.parse('{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "fs"]}}}');
    const entries = hostDefinition('continue').readEntries(doc, location);
    expect(entries.map((e) => [e.name, e.path, e.transport])).toEqual([['fs', ['mcpServers', 'fs'], 'stdio']]);
    expect(() => hostDefinition('continue').readEntries({ mcpServers: 'x' }, location)).toThrow('mcpServers must be a list of servers');
  });

  it('reads an empty file and an empty list as no servers', () => {
    expect(entriesOf('continue', '')).toEqual([]);
    expect(entriesOf('continue', 'mcpServers: []\n')).toEqual([]);
    expect(entriesOf('continue', 'mcpServers:\n')).toEqual([]);
  });
});

describe('goose', () => {
  const yaml = `GOOSE_PROVIDER: openai
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  github:
    args:
      - -y
      - "@modelcontextprotocol/server-github"
    bundled: null
    cmd: npx
    description: GitHub
    enabled: true
    env_keys: []
    envs:
      GITHUB_PERSONAL_ACCESS_TOKEN: ghp_x
      RETRIES: 2
    name: github
    timeout: 300
    type: stdio
  remote:
    enabled: false
    name: remote
    type: streamable_http
    uri: https://example.com/mcp
  off:
    cmd: uvx
    args: [mcp-server-fetch]
    enabled: false
    type: stdio
  computercontroller:
    type: platform
    name: computercontroller
`;

  it('reads cmd/args/envs stdio extensions and marks builtin/platform unsupported, uri remote', () => {
    const entries = entriesOf('goose', yaml);
    expect(entries.map((e) => [e.name, e.shape, e.transport, e.disabled])).toEqual([
      ['developer', 'goose', 'unsupported', false],
      ['github', 'goose', 'stdio', false],
      ['remote', 'goose', 'remote', true],
      ['off', 'goose', 'stdio', true],
      ['computercontroller', 'goose', 'unsupported', false],
    ]);
    expect(named(entries, 'github')).toMatchObject({
      path: ['extensions', 'github'],
      argv: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] },
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_x', RETRIES: '2' },
    });
    expect(named(entries, 'developer').reason).toContain('builtin');
    expect(named(entries, 'remote').reason).toContain('uri');
  });

  it('rejects a stdio extension without cmd', () => {
    expect(() => entriesOf('goose', 'extensions:\n  x:\n    type: stdio\n    args: []\n')).toThrow('extensions.x.cmd must be a string');
    expect(() => entriesOf('goose', 'extensions:\n  - x\n')).toThrow('extensions must be an object');
  });
});

describe('Codex CLI', () => {
  const toml = `model = "gpt-5-codex"

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "4000"]
env = { "API_KEY" = "value", LEVEL = 3 }
cwd = "/srv/docs"
startup_timeout_sec = 20

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_OAUTH_TOKEN"

[mcp_servers.off]
command = "npx"
args = ["-y", "off-server"]
enabled = false

[mcp_servers.tabled]
command = "tabled"

[mcp_servers.tabled.env]
A = "1"
`;

  it('reads [mcp_servers.<name>] tables, inline env tables, url as remote, enabled = false', () => {
    const entries = entriesOf('codex', toml);
    expect(entries.map((e) => [e.name, e.transport, e.disabled])).toEqual([
      ['docs', 'stdio', false],
      ['figma', 'remote', false],
      ['off', 'stdio', true],
      ['tabled', 'stdio', false],
    ]);
    expect(named(entries, 'docs')).toMatchObject({
      path: ['mcp_servers', 'docs'],
      argv: { command: 'docs-server', args: ['--port', '4000'] },
      env: { API_KEY: 'value', LEVEL: '3' },
      cwd: '/srv/docs',
    });
    expect(named(entries, 'tabled').env).toEqual({ A: '1' });
  });

  it('rejects non-string args', () => {
    expect(() => entriesOf('codex', '[mcp_servers.x]\ncommand = "x"\nargs = ["a", 1]\n')).toThrow('mcp_servers.x.args[1] must be a string');
  });
});
