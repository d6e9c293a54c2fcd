import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { hostDefinition } from '../../src/registry.js';
import { entriesOf, locationOf, named } from './parse.js';

describe('Claude Desktop', () => {
  const text = JSON.stringify({
    globalShortcut: 'Ctrl+Space',
    mcpServers: {
      filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/ann/Desktop'] },
      sqlite: { command: 'uvx', args: ['mcp-server-sqlite', '--db-path', 'test.db'], env: { DEBUG: 1, EMPTY: null, TOKEN: 'abc' } },
      bare: { command: 'my-server' },
    },
  });

  it('reads stdio entries: argv, env as strings (numbers stringified, null dropped), missing args → []', () => {
    const entries = entriesOf('claude-desktop', text);
    expect(entries.map((e) => e.name)).toEqual(['filesystem', 'sqlite', 'bare']);
    expect(named(entries, 'filesystem')).toEqual({
      name: 'filesystem',
      path: ['mcpServers', 'filesystem'],
      shape: 'standard',
      transport: 'stdio',
      argv: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/ann/Desktop'] },
      disabled: false,
    });
    expect(named(entries, 'sqlite').env).toEqual({ DEBUG: '1', TOKEN: 'abc' });
    expect(named(entries, 'bare').argv).toEqual({ command: 'my-server', args: [] });
  });

  it('returns [] for a missing or null section', () => {
    expect(entriesOf('claude-desktop', '{"globalShortcut": ""}')).toEqual([]);
    expect(entriesOf('claude-desktop', '{"mcpServers": null}')).toEqual([]);
    expect(entriesOf('claude-desktop', '{}')).toEqual([]);
  });

  it.each([
    ['{"mcpServers": []}', 'mcpServers must be an object mapping server names'],
    ['{"mcpServers": "x"}', 'mcpServers must be an object mapping server names'],
    ['[]', '(document root) must be an object'],
    ['{"mcpServers": {"a": 3}}', 'mcpServers.a must be an object'],
    ['{"mcpServers": {"a": {"command": "x", "args": ["ok", 2]}}}', 'mcpServers.a.args[1] must be a string'],
    ['{"mcpServers": {"a": {"command": "x", "args": "--flag"}}}', 'mcpServers.a.args must be a list of strings'],
    ['{"mcpServers": {"a": {"command": ["x"]}}}', 'mcpServers.a.command must be a string'],
    ['{"mcpServers": {"a": {"command": "x", "env": ["A=1"]}}}', 'mcpServers.a.env must be an object'],
    ['{"mcpServers": {"a": {"command": "x", "env": {"A": {"b": 1}}}}}', 'mcpServers.a.env.A must be a string'],
    ['{"mcpServers": {"my server": {"command": "x", "cwd": 1}}}', 'mcpServers["my server"].cwd must be a string'],
  ])('%s → CONFIG_INVALID naming the file and key', (doc, message) => {
    const location = locationOf('claude-desktop');
    const run = (): unknown => hostDefinition('claude-desktop').readEntries(JSON.parse(doc), location);
    expect(run).toThrow(HostsError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as HostsError).code).toBe('CONFIG_INVALID');
      expect((error as HostsError).message).toContain(location.path);
      expect((error as HostsError).file).toBe(location.path);
    }
  });
});

describe('Claude Code', () => {
  const claudeJson = JSON.stringify({
    numStartups: 12,
    mcpServers: { github: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } } },
    projects: {
      '/srv/proj': {
        allowedTools: [],
        mcpServers: {
          db: { command: 'node', args: ['db.js'], cwd: 'tools' },
          sentry: { type: 'http', url: 'https://mcp.sentry.dev/mcp' },
        },
      },
      '/srv/other': { allowedTools: [] },
      '/srv/third': { mcpServers: { github: { command: 'gh-mcp' } } },
    },
  });

  it('reads the user servers and every project section of ~/.claude.json', () => {
    const entries = entriesOf('claude-code', claudeJson);
    expect(entries.map((e) => [e.name, e.section, e.path])).toEqual([
      ['github', undefined, ['mcpServers', 'github']],
      ['db', 'project /srv/proj', ['projects', '/srv/proj', 'mcpServers', 'db']],
      ['sentry', 'project /srv/proj', ['projects', '/srv/proj', 'mcpServers', 'sentry']],
      ['github', 'project /srv/third', ['projects', '/srv/third', 'mcpServers', 'github']],
    ]);
    expect(entries[0]?.transport).toBe('stdio');
    expect(entries[2]).toMatchObject({ transport: 'remote', reason: expect.stringContaining('remote') });
    expect(entries[1]?.cwd).toBe('tools');
  });

  it('reads only mcpServers of the project .mcp.json', () => {
    const entries = entriesOf('claude-code', JSON.stringify({ mcpServers: { a: { command: 'x' } }, projects: { '/p': { mcpServers: { b: { command: 'y' } } } } }), 'project');
    expect(entries.map((e) => e.name)).toEqual(['a']);
  });

  it('rejects a projects value that is not a map, naming the key', () => {
    expect(() => entriesOf('claude-code', JSON.stringify({ projects: [] }))).toThrow('projects must be an object');
    expect(() => entriesOf('claude-code', JSON.stringify({ projects: { '/p': { mcpServers: [] } } }))).toThrow('projects["/p"].mcpServers must be an object');
  });
});

describe('VS Code', () => {
  const text = `{
  // Inputs are prompted by the editor
  "inputs": [{ "type": "promptString", "id": "perplexity-key", "description": "Perplexity API Key", "password": true }],
  "servers": {
    "perplexity": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "server-perplexity-ask"],
      "env": { "PERPLEXITY_API_KEY": "\${input:perplexity-key}", "RETRIES": 3, "UNSET": null },
      "envFile": "\${workspaceFolder}/.env",
    },
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },
    "legacy-sse": { "type": "sse", "url": "http://localhost:3000/sse" }, // trailing comma below
  },
}`;

  it('reads servers from JSONC with comments and trailing commas', () => {
    const entries = entriesOf('vscode', text, 'project');
    expect(entries.map((e) => [e.name, e.transport])).toEqual([
      ['perplexity', 'stdio'],
      ['github', 'remote'],
      ['legacy-sse', 'remote'],
    ]);
    expect(named(entries, 'perplexity')).toMatchObject({
      path: ['servers', 'perplexity'],
      argv: { command: 'npx', args: ['-y', 'server-perplexity-ask'] },
      env: { PERPLEXITY_API_KEY: '${input:perplexity-key}', RETRIES: '3' },
    });
  });
});

describe('Cursor and Windsurf', () => {
  it('Cursor: stdio and url entries', () => {
    const entries = entriesOf('cursor', '{"mcpServers": {"a": {"command": "python", "args": ["-m", "srv"], "envFile": ".env"}, "b": {"url": "http://localhost:8080/mcp", "headers": {}}}}');
    expect(entries.map((e) => [e.name, e.transport])).toEqual([
      ['a', 'stdio'],
      ['b', 'remote'],
    ]);
    expect(named(entries, 'b').reason).toContain('url');
  });

  it('Windsurf: serverUrl is remote', () => {
    const entries = entriesOf('windsurf', '{"mcpServers": {"figma": {"serverUrl": "https://mcp.figma.com/mcp"}, "fs": {"command": "npx", "args": ["-y", "fs"], "disabled": true}}}');
    expect(named(entries, 'figma')).toMatchObject({ transport: 'remote', reason: expect.stringContaining('serverUrl') });
    expect(named(entries, 'fs').disabled).toBe(true);
  });
});

describe('Cline', () => {
  it('reads disabled, remote types and an entry without command', () => {
    const entries = entriesOf(
      'cline',
      JSON.stringify({
        mcpServers: {
          weather: { command: 'node', args: ['/Users/ann/weather/build/index.js'], disabled: true, autoApprove: ['get_forecast'], timeout: 60 },
          remote: { type: 'streamableHttp', url: 'https://example.com/mcp' },
          odd: { type: 'streamableHttp' },
          nothing: { autoApprove: [] },
        },
      }),
    );
    expect(named(entries, 'weather')).toMatchObject({ transport: 'stdio', disabled: true });
    expect(named(entries, 'remote').transport).toBe('remote');
    expect(named(entries, 'odd')).toMatchObject({ transport: 'remote', reason: expect.stringContaining('streamableHttp') });
    expect(named(entries, 'nothing')).toMatchObject({ transport: 'unsupported', reason: expect.stringContaining('no command') });
  });
});

describe('Gemini CLI', () => {
  it('reads JSONC settings, url (SSE) and httpUrl (streamable HTTP) as remote', () => {
    const text = `{
  "theme": "GitHub", // user theme
  "mcpServers": {
    "pythonTools": { "command": "python", "args": ["-m", "my_mcp_server", "--port", "8080"], "cwd": "./mcp-servers/python", "env": { "API_KEY": "$MY_API_TOKEN" }, "timeout": 15000 },
    "sse": { "url": "http://localhost:8080/sse" },
    "http": { "httpUrl": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer $T" } },
  },
  "mcp": { "excluded": ["sse"] }
}`;
    const entries = entriesOf('gemini', text, 'project');
    expect(entries.map((e) => [e.name, e.transport])).toEqual([
      ['pythonTools', 'stdio'],
      ['sse', 'remote'],
      ['http', 'remote'],
    ]);
    expect(named(entries, 'http').reason).toContain('httpUrl');
    expect(named(entries, 'pythonTools')).toMatchObject({ cwd: './mcp-servers/python', env: { API_KEY: '$MY_API_TOKEN' } });
  });

  it('reads Antigravity mcp_config.json', () => {
    const entries = entriesOf('gemini', '{"mcpServers": {"x": {"command": "x-mcp"}, "y": {"serverUrl": "https://y"}}}', 'Antigravity');
    expect(entries.map((e) => e.transport)).toEqual(['stdio', 'remote']);
  });
});

describe('already wrapped entries', () => {
  it('carry the lockfile and the original command line', () => {
    const entries = entriesOf(
      'cursor',
      JSON.stringify({
        mcpServers: {
          w: { command: '/usr/bin/node', args: ['/opt/mcptrust/dist/mcptrust.js', 'proxy', '--lock', '/locks/cursor-w.mcp-lock.json', '--', 'npx', '-y', 'srv', '--', 'x'] },
          plain: { command: 'npx', args: ['srv'] },
        },
      }),
    );
    expect(named(entries, 'w').wrapped).toEqual({ lockPath: '/locks/cursor-w.mcp-lock.json', original: { command: 'npx', args: ['-y', 'srv', '--', 'x'] } });
    expect(named(entries, 'plain').wrapped).toBeUndefined();
  });
});
