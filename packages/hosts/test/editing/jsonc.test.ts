import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { applyEdits, parseConfig, verifiedEdit } from '../../src/formats/index.js';
import { setAtPath } from '../../src/formats/common.js';
import { changedLines, WRAP, wrapEdits } from './helpers.js';

function caught(fn: () => unknown): HostsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HostsError);
    return error as HostsError;
  }
  throw new Error('expected a HostsError');
}

const ZED = `// Zed settings
{
    "theme": "One Dark", // the theme
    /* block comment */
    "context_servers": {
        "git": {
            "source": "custom",
            "command": "uvx",
            "args": ["mcp-server-git", "--repository", "."],
            "env": {},
        },
        "legacy": {
            "source": "custom",
            "command": {
                "path": "npx",
                "args": [
                    "-y", // the flag
                    "@scope/server"
                ],
                "env": { "TOKEN": "x" }
            }
        },
    },
    "unknown_key": [1, 2, 3],
}
`;

describe('JSONC edits', () => {
  it('change only the command and args lines of a 4-space file with comments and trailing commas', () => {
    const edits = wrapEdits(['context_servers', 'git'], 'uvx', ['mcp-server-git', '--repository', '.']);
    const after = applyEdits(ZED, 'jsonc', edits, 'settings.json');
    const { removed, added } = changedLines(ZED, after);
    expect(removed).toEqual(['            "command": "uvx",\n', '            "args": ["mcp-server-git", "--repository", "."],\n']);
    expect(added).toEqual([
      `            "command": "${WRAP[0]}",\n`,
      `            "args": [${[...WRAP.slice(1), 'uvx', 'mcp-server-git', '--repository', '.'].map((w) => JSON.stringify(w)).join(', ')}],\n`,
    ]);
    const expected = edits.reduce<unknown>((doc, edit) => setAtPath(doc, edit.path, edit.value), parseConfig(ZED, 'jsonc', 'f'));
    expect(parseConfig(after, 'jsonc', 'f')).toEqual(expected);
  });

  it("edit Zed's legacy command object in place, with the file's indentation", () => {
    const edits = [
      { path: ['context_servers', 'legacy', 'command', 'path'], value: '/usr/bin/node' },
      { path: ['context_servers', 'legacy', 'command', 'args'], value: ['/cli.js', 'proxy', '--', 'npx', '-y', '@scope/server'] },
    ];
    const after = applyEdits(ZED, 'jsonc', edits, 'settings.json');
    expect(after).toContain('                "path": "/usr/bin/node",\n                "args": [\n                    "/cli.js",\n');
    expect(after).toContain('// Zed settings\n{\n    "theme": "One Dark", // the theme\n    /* block comment */\n');
    expect(after).toContain('                "env": { "TOKEN": "x" }\n');
    expect(after).toContain('    "unknown_key": [1, 2, 3],\n}\n');
    expect(changedLines(ZED, after).removed.every((line) => /"path"|"args"|"-y"|@scope\/server|^\s*\],?\n$/.test(line))).toBe(true);
  });

  it('keep tabs and CRLF line endings, and a byte-order mark', () => {
    const text = '\uFEFF{\r\n\t"mcpServers": {\r\n\t\t"a": {\r\n\t\t\t"command": "x"\r\n\t\t}\r\n\t},\r\n\t"other": true\r\n}\r\n';
    const after = applyEdits(text, 'json', wrapEdits(['mcpServers', 'a'], 'x', []), 'claude_desktop_config.json');
    expect(after.startsWith('\uFEFF{\r\n\t"mcpServers"')).toBe(true);
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(after).toContain(`\t\t\t"command": "${WRAP[0]}",\r\n\t\t\t"args": [\r\n\t\t\t\t"${WRAP[1]}",\r\n`);
    expect(after.endsWith('\t},\r\n\t"other": true\r\n}\r\n')).toBe(true);
    expect(parseConfig(after, 'json', 'f')).toEqual({ mcpServers: { a: { command: WRAP[0], args: [...WRAP.slice(1), 'x'] } }, other: true });
  });

  it('write a file without a byte-order mark without one', () => {
    const after = applyEdits('{"mcpServers":{"a":{"command":"x","args":[]}}}', 'json', wrapEdits(['mcpServers', 'a'], 'x', []), 'f');
    expect(after.startsWith('{')).toBe(true);
    expect(JSON.parse(after)).toEqual({ mcpServers: { a: { command: WRAP[0], args: [...WRAP.slice(1), 'x'] } } });
  });

  it('return the same text when there are no edits', () => {
    expect(applyEdits(ZED, 'jsonc', [], 'f')).toBe(ZED);
  });
});

describe('JSONC parse errors', () => {
  it('name the file, line and column', () => {
    const error = caught(() => parseConfig('{\n  "a": 1,\n  "b": ,\n}\n', 'jsonc', '/x/mcp.json'));
    expect(error.code).toBe('CONFIG_PARSE');
    expect(error.message).toBe('/x/mcp.json:3:8: ValueExpected');
  });

  it('are raised by applyEdits before any edit', () => {
    expect(caught(() => applyEdits('{ "a": ', 'json', [{ path: ['a'], value: 1 }], 'f.json')).code).toBe('CONFIG_PARSE');
  });
});

describe('edit verification', () => {
  it('rejects an edit that reads back differently (EDIT_VERIFY)', () => {
    const error = caught(() =>
      verifiedEdit('{"a": {"command": "x"}}', 'json', [{ path: ['a', 'command'], value: 'y' }], 'f.json', (text) => text.replace('"x"', '"z"')),
    );
    expect(error.code).toBe('EDIT_VERIFY');
    expect(error.message).toContain('f.json');
  });

  it('rejects an edit that does not parse (EDIT_VERIFY)', () => {
    const error = caught(() => verifiedEdit('{"a": 1}', 'json', [{ path: ['a'], value: 2 }], 'f.json', () => '{"a": '));
    expect(error.code).toBe('EDIT_VERIFY');
  });

  it('rejects an edit that changes another value', () => {
    const error = caught(() =>
      verifiedEdit('{"a": 1, "b": 1}', 'json', [{ path: ['a'], value: 2 }], 'f.json', () => '{"a": 2, "b": 2}'),
    );
    expect(error.code).toBe('EDIT_VERIFY');
  });

  it('accepts an edit that reads back as intended', () => {
    expect(verifiedEdit('{"a": 1}', 'json', [{ path: ['a'], value: 2 }], 'f.json', () => '{"a": 2}')).toBe('{"a": 2}');
  });
});
