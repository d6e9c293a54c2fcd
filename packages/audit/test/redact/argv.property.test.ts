import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { redactArgv } from '../../src/redact/index.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function chars(alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength, maxLength });
}

/** A secret and the random part of it that must never show up in the output. */
interface Secret {
  value: string;
  body: string;
}

const PREFIXES = ['sk-', 'ghp_', 'github_pat_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'xoxb-', 'xoxp-', 'xoxa-', 'ya29.', 'AIza', 'npm_', 'pypi-', 'glpat-'];

const prefixed: fc.Arbitrary<Secret> = fc
  .tuple(fc.constantFrom(...PREFIXES), chars(BASE62, 16, 40))
  .map(([prefix, body]) => ({ value: prefix + body, body }));

const aws: fc.Arbitrary<Secret> = fc
  .tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER_DIGITS, 16, 16))
  .map(([prefix, body]) => ({ value: prefix + body, body }));

const jwt: fc.Arbitrary<Secret> = fc
  .tuple(chars(BASE62 + '-_', 8, 40), chars(BASE62 + '-_', 8, 40), chars(BASE62 + '-_', 16, 43))
  .map(([h, p, s]) => ({ value: `eyJ${h}.${p}.${s}`, body: s }));

const opaque: fc.Arbitrary<Secret> = chars(BASE62, 32, 64).map((body) => ({ value: body, body }));

const secret = fc.oneof(prefixed, aws, jwt, opaque);

// Every place a secret can sit on a command line; each returns argv elements.
const POSITIONS: Array<[string, (s: string) => string[]]> = [
  ['bare', (s) => [s]],
  ['after a harmless flag', (s) => ['--header', s]],
  ['after a credential flag', (s) => ['--token', s]],
  ['assigned to a harmless flag', (s) => [`--value=${s}`]],
  ['assigned to a credential flag', (s) => [`--api-key=${s}`]],
  ['in an env assignment', (s) => [`API_KEY=${s}`]],
  ['in docker -e', (s) => ['-e', `TOKEN=${s}`]],
  ['in docker --env=', (s) => [`--env=TOKEN=${s}`]],
  ['in a command string after --', (s) => ['--', `npx srv --api-key=${s}`]],
  ['as a word of a command string', (s) => ['--', `npx srv ${s} --port 3000`]],
  ['double-quoted in an sh -c body', (s) => ['sh', '-c', `node srv.js --opt "${s}"`]],
  ['single-quoted in an sh -c body', (s) => ['sh', '-c', `node srv.js --token '${s}'`]],
  ['as URL userinfo', (s) => [`https://${s}@example.com/x`]],
  ['as URL password', (s) => [`https://user:${s}@example.com/x`]],
  ['in a URL query', (s) => [`https://example.com/x?token=${s}&a=1`]],
  ['in a URL fragment', (s) => [`https://example.com/x#access_token=${s}`]],
  ['in a Bearer header', (s) => ['-H', `Authorization: Bearer ${s}`]],
  ['in an API key header', (s) => [`--header=X-Api-Key: ${s}`]],
  ['as a database password', (s) => [`admin:${s}@db:5432`]],
];

const harmless = fc.array(fc.constantFrom('npx', '-y', '@scope/server', '/tmp/x', '--port', '8080', '--', 'node'), {
  maxLength: 4,
});

describe('redactArgv (property)', () => {
  it.each(POSITIONS)('never lets a secret %s survive', (_name, place) => {
    fc.assert(
      fc.property(harmless, secret, harmless, (before, s, after) => {
        const argv = [...before, ...place(s.value), ...after];
        const out = redactArgv(argv);
        expect(out.redacted).toBe(true);
        expect(out.args.join('\u0000')).not.toContain(s.body);
      }),
      { numRuns: 300 },
    );
  });

  it('returns as many elements as it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 8 }), (argv) => {
        expect(redactArgv(argv).args).toHaveLength(argv.length);
      }),
    );
  });
});
