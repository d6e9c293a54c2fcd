import { describe, expect, it } from '@jest/globals';
import { redactArgv } from '../../src/redact/index.js';

const GHP = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const OPAQUE = 'Zq8X1vR7mK2pL9sT4wY6bN3cH5jF0dGa';

describe('redactArgv', () => {
  describe('when a flag names a credential', () => {
    it.each([
      [['--api-key=abc'], ['--api-key=[REDACTED]']],
      [['--api-key', 'abc'], ['--api-key', '[REDACTED]']],
      [['--token', 'abc', '--verbose'], ['--token', '[REDACTED]', '--verbose']],
      [['--password=hunter2'], ['--password=[REDACTED]']],
      [['--passwd', 'hunter2'], ['--passwd', '[REDACTED]']],
      [['--client-secret', 's3'], ['--client-secret', '[REDACTED]']],
      [['--identity-token=t'], ['--identity-token=[REDACTED]']],
      [['--pat', 'p'], ['--pat', '[REDACTED]']],
      [['--gh-pat=p'], ['--gh-pat=[REDACTED]']],
      [['--apikey', 'k'], ['--apikey', '[REDACTED]']],
      [['--apiKey=k'], ['--apiKey=[REDACTED]']],
      [['--auth', 'u:p'], ['--auth', '[REDACTED]']],
      [['--credentials', 'c'], ['--credentials', '[REDACTED]']],
      [['--bearer', 'b'], ['--bearer', '[REDACTED]']],
      [['--access-token', 'a'], ['--access-token', '[REDACTED]']],
      [['--refresh-token=r'], ['--refresh-token=[REDACTED]']],
      [['--private-key', 'pk'], ['--private-key', '[REDACTED]']],
      [['--cookie', 'sid=1'], ['--cookie', '[REDACTED]']],
      [['--session=abc'], ['--session=[REDACTED]']],
      [['-token', 'abc'], ['-token', '[REDACTED]']],
    ])('%j → %j', (input, output) => {
      expect(redactArgv(input)).toEqual({ args: output, redacted: true });
    });

    it('does not swallow a following long flag as the value', () => {
      expect(redactArgv(['--auth', '--verbose', 'srv'])).toEqual({ args: ['--auth', '--verbose', 'srv'], redacted: false });
    });

    it('treats --no-<credential> as a switch that takes no value', () => {
      expect(redactArgv(['--no-auth', 'server.js']).args).toEqual(['--no-auth', 'server.js']);
    });

    it('keeps an empty assigned value as it is', () => {
      expect(redactArgv(['--token='])).toEqual({ args: ['--token='], redacted: false });
    });
  });

  describe('when a value looks like a credential', () => {
    it.each([
      ['sk-proj-Ab12Cd34Ef56Gh78'],
      [GHP],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
      ['gho_abcdefghij0123456789'],
      ['ghu_abcdefghij0123456789'],
      ['ghs_abcdefghij0123456789'],
      ['ghr_abcdefghij0123456789'],
      ['xoxb-123456789012-abcdefghij'],
      ['xoxp-123456789012-abcdefghij'],
      ['xoxa-2-abcdefghij12'],
      ['AKIAIOSFODNN7EXAMPLE'],
      ['ASIAIOSFODNN7EXAMPLE'],
      ['ya29.a0AfH6SMBabcdefgh'],
      ['AIzaSyA-abcdefghijklmnop'],
      ['npm_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['pypi-AgEIcHlwaS5vcmcCJGFi'],
      ['glpat-abcdefghij0123456789'],
      [JWT],
      [OPAQUE],
    ])('hides %s as a bare argument and after a harmless flag', (secret) => {
      expect(redactArgv([secret])).toEqual({ args: ['[REDACTED]'], redacted: true });
      expect(redactArgv(['--header', secret]).args).toEqual(['--header', '[REDACTED]']);
      expect(redactArgv([`--registry-value=${secret}`]).args).toEqual(['--registry-value=[REDACTED]']);
    });

    it('hides a token inside a larger word and keeps the rest', () => {
      expect(redactArgv([`X-Custom:${GHP}`]).args).toEqual(['X-Custom:[REDACTED]']);
    });

    it('hides Bearer and Basic credentials, keeping the scheme', () => {
      expect(redactArgv(['-H', 'Authorization: Bearer abc.def']).args).toEqual(['-H', 'Authorization: Bearer [REDACTED]']);
      expect(redactArgv(['--header', 'Authorization: Basic dXNlcjpwYXNz']).args).toEqual([
        '--header',
        'Authorization: Basic [REDACTED]',
      ]);
      expect(redactArgv(['Bearer', 'abc']).args).toEqual(['Bearer', '[REDACTED]']);
      expect(redactArgv(['X-Api-Key:abc']).args).toEqual(['X-Api-Key:[REDACTED]']);
    });

    it('hides a PEM private key passed as an argument', () => {
      const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
      expect(redactArgv(['--tls', pem]).args).toEqual(['--tls', '[REDACTED]']);
    });
  });

  describe('when an argument assigns an environment variable', () => {
    it.each([
      [['FOO=bar'], ['FOO=[REDACTED]']],
      [['env', 'DEBUG=1', 'node', 'srv.js'], ['env', 'DEBUG=[REDACTED]', 'node', 'srv.js']],
      [['docker', 'run', '-e', 'GITHUB_TOKEN=abc', 'img'], ['docker', 'run', '-e', 'GITHUB_TOKEN=[REDACTED]', 'img']],
      [['docker', 'run', '--env', 'A=b', 'img'], ['docker', 'run', '--env', 'A=[REDACTED]', 'img']],
      [['docker', 'run', '--env=A=b', 'img'], ['docker', 'run', '--env=A=[REDACTED]', 'img']],
      [['docker', 'run', '-eA=b', 'img'], ['docker', 'run', '-eA=[REDACTED]', 'img']],
    ])('keeps the name and hides the value: %j', (input, output) => {
      expect(redactArgv(input)).toEqual({ args: output, redacted: true });
    });

    it('keeps a pass-through name (-e NAME) as it is', () => {
      expect(redactArgv(['docker', 'run', '-e', 'GITHUB_TOKEN', 'img'])).toEqual({
        args: ['docker', 'run', '-e', 'GITHUB_TOKEN', 'img'],
        redacted: false,
      });
    });
  });

  describe('when an argument is a URL', () => {
    it.each([
      ['https://user:pass@example.com/x', 'https://[REDACTED]@example.com/x'],
      ['https://ghp_tok@github.com/o/r.git', 'https://[REDACTED]@github.com/o/r.git'],
      ['https://api.example.com/v1?token=abc&x=1', 'https://api.example.com/v1?[REDACTED]'],
      ['https://example.com/a#access_token=abc', 'https://example.com/a'],
      ['postgres://u:p@db:5432/app?sslmode=require', 'postgres://[REDACTED]@db:5432/app?[REDACTED]'],
      ['--url=https://u:p@h/x', '--url=https://[REDACTED]@h/x'],
      ['admin:hunter2@db.internal:5432', '[REDACTED]@db.internal:5432'],
    ])('%s → %s', (input, output) => {
      expect(redactArgv([input])).toEqual({ args: [output], redacted: true });
    });
  });

  describe('when an argument is a whole command string', () => {
    it('splits a quoted command after -- and redacts each word', () => {
      expect(redactArgv(['run', '--', 'npx srv --api-key=abc'])).toEqual({
        args: ['run', '--', 'npx srv --api-key=[REDACTED]'],
        redacted: true,
      });
    });

    it('redacts a flag and its separate value inside the string', () => {
      expect(redactArgv(['--', 'npx -y @scope/srv --token abc --port 3000']).args).toEqual([
        '--',
        'npx -y @scope/srv --token [REDACTED] --port 3000',
      ]);
    });

    it('redacts an sh -c body, honouring quotes and backslashes', () => {
      const body = `env FOO=bar node srv.js --password 'two words' --x=a\\ b "${GHP}"`;
      expect(redactArgv(['sh', '-c', body]).args).toEqual([
        'sh',
        '-c',
        'env FOO=[REDACTED] node srv.js --password [REDACTED] \'--x=a b\' [REDACTED]',
      ]);
    });

    it('hides the whole rest of an element that starts as an assignment (env values may hold spaces)', () => {
      expect(redactArgv(['FOO=bar node srv.js']).args).toEqual(['FOO=[REDACTED]']);
    });

    it('redacts nested command strings', () => {
      const out = redactArgv(['sh', '-c', `sh -c "curl -H 'Authorization: Bearer xyz' https://h"`]);
      expect(out.args[2]).toBe(`sh -c 'curl -H '\\''Authorization: Bearer [REDACTED]'\\'' https://h'`);
      expect(out.args.join(' ')).not.toContain('xyz');
    });

    it('keeps a string with nothing secret exactly as written', () => {
      const body = `echo "hello  world" && ls '/tmp/a b'`;
      expect(redactArgv(['sh', '-c', body])).toEqual({ args: ['sh', '-c', body], redacted: false });
    });

    it('keeps unmatched quotes from hiding a secret', () => {
      expect(redactArgv(['--', `npx srv "--token=abc`]).args[1]).not.toContain('abc');
    });
  });

  describe('when nothing is secret', () => {
    it.each([
      [['npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp/x']],
      [['lock', '--lockfile', 'mcp-lock.json', '--', 'node', './server.js']],
      [['--path', '/home/u/projects/some-really-long-directory-name-here/x']],
      [['mcp-server-very-long-name-for-something-else']],
      [['--env-file', '.env', '--port', '8080', '-v']],
      [['--keep', 'yes', '--compat', 'v2']],
      [['https://registry.npmjs.org/@scope/pkg']],
      [['ghcr.io/org/image@sha256:' + 'ab'.repeat(32)]],
      [['sha512-' + 'A'.repeat(86) + '==']],
      [['MCPTRUST_SOME_VERY_LONG_SETTING_NAME_HERE']],
      [['git@github.com:org/repo.git', 'user@example.com']],
      [['desk-topcleaner', 'task-runner-123456', 'ask-questions']],
      [[]],
    ])('%j stays as it is', (input) => {
      expect(redactArgv(input)).toEqual({ args: input, redacted: false });
    });

    it('does not change the input array', () => {
      const input = ['--token', 'abc'];
      redactArgv(input);
      expect(input).toEqual(['--token', 'abc']);
    });
  });
});
