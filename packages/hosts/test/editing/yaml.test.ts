import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { applyEdits, parseConfig } from '../../src/formats/index.js';
import { setAtPath } from '../../src/formats/common.js';
import type { ValueEdit } from '../../src/formats/index.js';
import { changedLines, WRAP, wrapEdits } from './helpers.js';

function intended(text: string, edits: readonly ValueEdit[]): unknown {
  return edits.reduce<unknown>((doc, edit) => setAtPath(doc, edit.path, edit.value), parseConfig(text, 'yaml', 'f'));
}

const CONTINUE = `# Continue config
name: My Assistant   # the name
version: 1.0.0
schema: v1
models:
    - name: gpt
      provider: openai   # keep
mcpServers:
    - name: first
      command: npx   # the runner
      args:
          - -y
          - "@scope/pkg"
      env:
          TOKEN: "\${{ secrets.TOKEN }}"
    # between
    - name: second
      command: 'uvx'
      args: [ mcp-server-git, --repo, . ]
    - uses: someone/block
    - name: third
      command: my-server
      cwd: /srv
`;

describe('YAML edits', () => {
  it('change only the argv lines of a Continue list entry with a block list', () => {
    const edits = wrapEdits(['mcpServers', 0], 'npx', ['-y', '@scope/pkg']);
    const after = applyEdits(CONTINUE, 'yaml', edits, 'config.yaml');
    const { removed, added } = changedLines(CONTINUE, after);
    expect(removed).toEqual(['      command: npx   # the runner\n']);
    expect(added).toEqual([`      command: ${WRAP[0]}   # the runner\n`, ...[...WRAP.slice(1), 'npx'].map((word) => `          - ${word}\n`)]);
    expect(after).toContain(`          - npx\n          - -y\n          - "@scope/pkg"\n      env:\n`);
    expect(parseConfig(after, 'yaml', 'f')).toEqual(intended(CONTINUE, edits));
  });

  it('keep a flow list a flow list and a quoted command quoted', () => {
    const edits = wrapEdits(['mcpServers', 1], 'uvx', ['mcp-server-git', '--repo', '.']);
    const after = applyEdits(CONTINUE, 'yaml', edits, 'config.yaml');
    const { removed, added } = changedLines(CONTINUE, after);
    expect(removed).toEqual(["      command: 'uvx'\n", '      args: [ mcp-server-git, --repo, . ]\n']);
    expect(added).toEqual([`      command: '${WRAP[0]}'\n`, `      args: [ ${[...WRAP.slice(1), 'uvx', 'mcp-server-git', '--repo', '.'].join(', ')} ]\n`]);
    expect(parseConfig(after, 'yaml', 'f')).toEqual(intended(CONTINUE, edits));
  });

  it('insert a missing args list after the command, as a block list', () => {
    const edits = wrapEdits(['mcpServers', 3], 'my-server', []);
    const after = applyEdits(CONTINUE, 'yaml', edits, 'config.yaml');
    const { removed, added } = changedLines(CONTINUE, after);
    expect(removed).toEqual(['      command: my-server\n']);
    expect(added).toEqual([`      command: ${WRAP[0]}\n`, '      args:\n', ...[...WRAP.slice(1), 'my-server'].map((word) => `        - ${word}\n`)]);
    expect(parseConfig(after, 'yaml', 'f')).toEqual(intended(CONTINUE, edits));
  });

  it('edit goose cmd/args and keep CRLF line endings and a byte-order mark', () => {
    const text = '\uFEFF# goose\r\nextensions:\r\n  github:\r\n    type: stdio\r\n    cmd: npx\r\n    args:\r\n    - -y\r\n    - gh\r\n    envs: {}\r\n    enabled: true\r\nGOOSE_MODEL: x\r\n';
    const edits = [
      { path: ['extensions', 'github', 'cmd'], value: '/n' },
      { path: ['extensions', 'github', 'args'], value: ['/c.js', 'proxy', '--', 'npx', '-y', 'gh'] },
    ];
    const after = applyEdits(text, 'yaml', edits, 'config.yaml');
    expect(after).toBe(
      '\uFEFF# goose\r\nextensions:\r\n  github:\r\n    type: stdio\r\n    cmd: /n\r\n    args:\r\n    - /c.js\r\n    - proxy\r\n    - --\r\n    - npx\r\n    - -y\r\n    - gh\r\n    envs: {}\r\n    enabled: true\r\nGOOSE_MODEL: x\r\n',
    );
  });

  it('quote words that are not plain scalars', () => {
    const text = 'mcpServers:\n  - name: a\n    command: x\n    args: [y]\n';
    const edits = [{ path: ['mcpServers', 0, 'args'], value: ['a, b', '#c', 'C:\\Program Files\\x', 'it: is', ''] }];
    const after = applyEdits(text, 'yaml', edits, 'f');
    expect(parseConfig(after, 'yaml', 'f')).toEqual(intended(text, edits));
    expect(after.startsWith('mcpServers:\n  - name: a\n    command: x\n    args: [')).toBe(true);
  });

  it('fall back to the document API for an aliased list, and still verify', () => {
    const text = 'base: &args [a, b]\nservers:\n  s:\n    command: x\n    args: *args\n';
    const edits = [{ path: ['servers', 's', 'args'], value: ['/c', 'x', 'a', 'b'] }];
    const after = applyEdits(text, 'yaml', edits, 'f');
    expect(parseConfig(after, 'yaml', 'f')).toEqual({ base: ['a', 'b'], servers: { s: { command: 'x', args: ['/c', 'x', 'a', 'b'] } } });
  });
});

describe('YAML parse errors', () => {
  it('name the file, line and column', () => {
    let error: unknown;
    try {
      parseConfig('a: 1\nb: [1, 2\nc: 3\n', 'yaml', '/x/config.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HostsError);
    expect((error as HostsError).code).toBe('CONFIG_PARSE');
    expect((error as HostsError).message).toMatch(/^\/x\/config\.yaml:\d+:\d+: [A-Z_]+: /);
  });

  it('reject duplicate keys', () => {
    expect(() => parseConfig('a: 1\na: 2\n', 'yaml', 'f.yaml')).toThrow(/^f\.yaml:2:1: DUPLICATE_KEY/);
  });
});
