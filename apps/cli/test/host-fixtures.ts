// One realistic config per host for the wrap/unwrap end-to-end tests: comments, unknown
// keys, remote entries, environments, both Zed shapes, a Continue list, TOML inline
// tables. Every config has one stdio server named `fixture` whose tool list depends on its
// own environment (FEATURE set → the extra tool `feature_tool`), so a test can tell that
// wrap locked it with the entry's env as the host would start it.
import type { HostId } from '@mcptrust/hosts';

/** A host's fixture: where it goes under the temp HOME (Linux paths) and its text. */
export interface HostFixture {
  host: HostId;
  /** Path relative to HOME. */
  file: string;
  /** The config text; `S` is the fixture server's absolute path, `N` the node binary. */
  text(node: string, server: string): string;
  /** Names of the entries wrap must leave alone (remote, unsupported). */
  untouched: string[];
}

const q = (s: string): string => JSON.stringify(s);

/** Every host's fixture. */
export const HOST_FIXTURES: HostFixture[] = [
  {
    host: 'claude-desktop',
    file: '.config/Claude/claude_desktop_config.json',
    untouched: [],
    text: (n, s) => `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "fixture": {
      "command": ${q(n)},
      "args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"],
      "env": { "FEATURE": "1" }
    }
  },
  "preferences": { "menuBarEnabled": false }
}
`,
  },
  {
    host: 'claude-code',
    file: '.claude.json',
    untouched: ['linear'],
    text: (n, s) => `{
  "numStartups": 42,
  "mcpServers": {
    "fixture": {
      "type": "stdio",
      "command": ${q(n)},
      "args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"],
      "env": { "FEATURE": "\${MCPTRUST_TEST_UNSET_FEATURE:-on}" }
    },
    "linear": { "type": "http", "url": "https://mcp.linear.app/mcp", "headers": { "Authorization": "Bearer \${LINEAR_TOKEN}" } }
  },
  "projects": { "/nonexistent/project": { "allowedTools": [], "history": [] } }
}
`,
  },
  {
    host: 'vscode',
    file: '.config/Code/User/mcp.json',
    untouched: ['github'],
    text: (n, s) => `// VS Code MCP servers
{
	"inputs": [{ "type": "promptString", "id": "token", "password": true }],
	"servers": {
		// the fixture server
		"fixture": {
			"type": "stdio",
			"command": ${q(n)},
			"args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"],
			"env": { "FEATURE": "\${userHome}" },
			"dev": { "watch": "src/**/*.ts" },
		},
		"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }, // remote
	},
}
`,
  },
  {
    host: 'cursor',
    file: '.cursor/mcp.json',
    untouched: ['remote-docs'],
    text: (n, s) => `{
    "mcpServers": {
        "fixture": {
            "command": ${q(n)},
            "args": [
                ${q(s)},
                "--tool-if-env",
                "FEATURE:feature_tool"
            ],
            "env": { "FEATURE": "\${env:HOME}" }
        },
        "remote-docs": { "url": "https://docs.example.com/mcp", "headers": {} }
    }
}
`,
  },
  {
    host: 'windsurf',
    file: '.codeium/windsurf/mcp_config.json',
    untouched: ['deepwiki'],
    text: (n, s) => `{"mcpServers":{"fixture":{"command":${q(n)},"args":[${q(s)},"--tool-if-env","FEATURE:feature_tool"],"env":{"FEATURE":"1"}},"deepwiki":{"serverUrl":"https://mcp.deepwiki.com/sse"}}}
`,
  },
  {
    host: 'zed',
    file: '.config/zed/settings.json',
    untouched: ['extension-server'],
    text: (n, s) => `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    "fixture": {
      "source": "custom",
      "command": { "path": ${q(n)}, "args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"], "env": { "FEATURE": "1" } },
    },
    "fixture-flat": {
      "source": "custom",
      "command": ${q(n)},
      "args": [${q(s)}],
      "env": {},
    },
    "extension-server": { "settings": {} },
  },
  "vim_mode": true, // trailing comment
}
`,
  },
  {
    host: 'continue',
    file: '.continue/config.yaml',
    untouched: ['hub'],
    text: (n, s) => `# Continue config
name: My Config
version: 1.0.0
schema: v1
models: []
mcpServers:
  # the fixture server
  - name: fixture
    command: ${q(n)}
    args:
      - ${q(s)}
      - --tool-if-env
      - FEATURE:feature_tool
    env:
      FEATURE: "1"
  - name: remote
    type: streamable-http
    url: https://mcp.example.com/mcp
  - uses: anthropic/memory-mcp
    name: hub
`,
  },
  {
    host: 'cline',
    file: '.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
    untouched: ['sse-server'],
    text: (n, s) => `{
  "mcpServers": {
    "fixture": {
      "command": ${q(n)},
      "args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"],
      "env": { "FEATURE": "1" },
      "disabled": false,
      "autoApprove": ["echo"],
      "timeout": 60
    },
    "sse-server": { "type": "sse", "url": "https://example.com/sse", "disabled": false }
  }
}
`,
  },
  {
    host: 'codex',
    file: '.codex/config.toml',
    untouched: ['figma'],
    text: (n, s) => `# Codex CLI config
model = "gpt-5-codex"

[mcp_servers.fixture]
command = ${q(n)}
args = [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"] # the fixture
env = { FEATURE = "1" }
startup_timeout_sec = 20

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_TOKEN"
`,
  },
  {
    host: 'gemini',
    file: '.gemini/settings.json',
    untouched: ['http-server'],
    text: (n, s) => `{
  "theme": "Default",
  "mcpServers": {
    "fixture": {
      "command": ${q(n)},
      "args": [${q(s)}, "--tool-if-env", "FEATURE:feature_tool"],
      "env": { "FEATURE": "$HOME" },
      "timeout": 30000
    },
    "http-server": { "httpUrl": "https://example.com/mcp" }
  }
}
`,
  },
  {
    host: 'goose',
    file: '.config/goose/config.yaml',
    untouched: ['developer'],
    text: (n, s) => `GOOSE_PROVIDER: anthropic
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    type: builtin
  fixture:
    enabled: true
    name: fixture
    type: stdio
    cmd: ${q(n)}
    args:
    - ${q(s)}
    - --tool-if-env
    - FEATURE:feature_tool
    envs:
      FEATURE: "1"
    timeout: 300
`,
  },
];
