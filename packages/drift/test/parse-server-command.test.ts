import { describe, expect, it } from '@jest/globals';
import { DriftError, parseServerCommand } from '../src/index.js';
import type { ServerCommand } from '../src/index.js';

function codeOf(argv: string[]): string {
  try {
    parseServerCommand(argv);
  } catch (error) {
    return error instanceof DriftError ? error.code : 'not a DriftError';
  }
  return 'no error';
}

describe('parseServerCommand', () => {
  describe('when argv has several words', () => {
    it.each<[string[], ServerCommand]>([
      [['node', 'server.js'], { command: 'node', args: ['server.js'] }],
      [['npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp/a b'], { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp/a b'] }],
      // Each word is already one argument: shell characters inside it are just characters.
      [['node', 'a | b', '$(id)', '*.js'], { command: 'node', args: ['a | b', '$(id)', '*.js'] }],
      [['FOO=bar', 'node'], { command: 'FOO=bar', args: ['node'] }],
    ])('uses %j as it is', (argv, expected) => {
      expect(parseServerCommand(argv)).toEqual(expected);
    });
  });

  describe('when argv is one word without whitespace', () => {
    it('uses it as the command, even with shell characters', () => {
      expect(parseServerCommand(['./my|server'])).toEqual({ command: './my|server', args: [] });
    });
  });

  describe('when argv is one string containing whitespace', () => {
    it.each<[string, ServerCommand]>([
      ['npx -y @scope/server --root /tmp', { command: 'npx', args: ['-y', '@scope/server', '--root', '/tmp'] }],
      ['node  server.js\t--verbose\n', { command: 'node', args: ['server.js', '--verbose'] }],
      ['node server.js "/tmp/a b"', { command: 'node', args: ['server.js', '/tmp/a b'] }],
      ["node -e 'console.log(\"hi\")'", { command: 'node', args: ['-e', 'console.log("hi")'] }],
      ['node "say \\"hi\\" \\\\ \\$x"', { command: 'node', args: ['say "hi" \\ $x'] }],
      ['node "keep \\n as is"', { command: 'node', args: ['keep \\n as is'] }],
      ['my\\ server --flag', { command: 'my server', args: ['--flag'] }],
      ['node a\\\nb', { command: 'node', args: ['ab'] }],
      ['node "" x', { command: 'node', args: ['', 'x'] }],
      ['node \'a\'"b"c', { command: 'node', args: ['abc'] }],
      ['node $HOME ${PATH} ~/dir', { command: 'node', args: ['$HOME', '${PATH}', '~/dir'] }],
      ['node a#b', { command: 'node', args: ['a#b'] }],
      ['node "*.js" \'a|b\' x\\;y', { command: 'node', args: ['*.js', 'a|b', 'x;y'] }],
      ['FOO=bar BAZ="q x" node s.js', { command: 'node', args: ['s.js'], env: { FOO: 'bar', BAZ: 'q x' } }],
      ['EMPTY= node s.js A=b', { command: 'node', args: ['s.js', 'A=b'], env: { EMPTY: '' } }],
      ['"FOO=bar" node', { command: 'FOO=bar', args: ['node'] }],
      ['1X=y node', { command: '1X=y', args: ['node'] }],
    ])('splits %j like a POSIX shell without expanding anything', (line, expected) => {
      expect(parseServerCommand([line])).toEqual(expected);
    });

    it('keeps an assignment named __proto__ as an ordinary variable', () => {
      const parsed = parseServerCommand(['__proto__=x node s.js']);
      expect(Object.getPrototypeOf(parsed.env)).toBe(Object.prototype);
      expect(Object.keys(parsed.env ?? {})).toEqual(['__proto__']);
    });
  });

  describe('when the string needs a shell', () => {
    it.each([
      ['node s.js | tee log', '|'],
      ['node s.js && echo ok', '&'],
      ['node s.js; rm -rf /', ';'],
      ['node s.js > out.txt', '>'],
      ['node s.js < in.txt', '<'],
      ['node s.js &', '&'],
      ['(node s.js)', '('],
      ['node `which server`', '`'],
      ['node $(which server)', '$('],
      ['node "$(which server)"', '$('],
      ['node "`id`"', '`'],
      ['node *.js', '`*`'],
      ['node server?.js', '`?`'],
      ['node [ab].js', '`[`'],
      ['node s.js # comment', '#'],
    ])('throws INVALID_COMMAND with code for %j, explaining that no shell runs it', (line, shown) => {
      expect(() => parseServerCommand([line])).toThrow(DriftError);
      expect(codeOf([line])).toBe('INVALID_COMMAND');
      try {
        parseServerCommand([line]);
      } catch (error) {
        expect((error as Error).message).toContain('not run through a shell');
        expect((error as Error).message).toContain(shown);
      }
    });
  });

  describe('when the command is malformed or empty', () => {
    it.each<[string, string[]]>([
      ['no words', []],
      ['an empty word', ['']],
      ['only whitespace', ['   ']],
      ['only assignments', ['FOO=1 BAR=2']],
      ['an unterminated single quote', ["node 'abc"]],
      ['an unterminated double quote', ['node "abc']],
      ['a trailing backslash', ['node abc \\']],
      ['a NUL character', ['node', 'a\0b']],
    ])('throws INVALID_COMMAND with code for %s', (_label, argv) => {
      expect(codeOf(argv)).toBe('INVALID_COMMAND');
    });

    it('throws INVALID_COMMAND with code for a non-string word', () => {
      expect(codeOf([1 as unknown as string])).toBe('INVALID_COMMAND');
    });
  });
});
