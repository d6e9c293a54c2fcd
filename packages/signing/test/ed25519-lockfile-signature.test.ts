import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodePublicKey,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  parseSignatureFile,
  readPublicKey,
  signLockfile,
  signLockfileText,
  verifyLockfileSignature,
  verifyLockfileText,
  writeKeyPair,
} from '../src/index.js';
import type { SigningError } from '../src/index.js';

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return (error as SigningError).code;
  }
  return undefined;
}

/** A v3 lockfile with every field class: server, meta, a tool, a prompt, a template, a static resource. */
const LOCK = {
  lockFileVersion: '3.0',
  meta: { generator: 'mcptrust 0.1.0', updatedAt: '2026-01-01T00:00:00.000Z' },
  server: { name: 'demo', version: '1.0.0', protocolVersion: '2025-06-18', capabilities: { tools: {} } },
  tools: {
    read_file: {
      descriptionHash: `sha256:${'a'.repeat(64)}`,
      inputSchemaHash: `sha256:${'b'.repeat(64)}`,
      riskLevel: 'LOW',
      snapshot: { description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
    },
  },
  prompts: { definitions: { greet: { argumentsHash: `sha256:${'c'.repeat(64)}`, snapshot: {} } } },
  resources: {
    templates: [{ uriTemplate: 'file:///{path}', templateHash: `sha256:${'d'.repeat(64)}`, nameHash: `sha256:${'e'.repeat(64)}`, snapshot: { name: 'files' } }],
    static: [{ uri: 'config://app', nameHash: `sha256:${'f'.repeat(64)}`, snapshot: { name: 'config' } }],
  },
};
type Lock = typeof LOCK;
const text = `${JSON.stringify(LOCK, null, 2)}\n`;
const pair = generateKeyPair();
const signature = signLockfileText(text, pair);

describe('signLockfileText / verifyLockfileText', () => {
  it('writes a v2 header line then 128 hex digits and a newline', () => {
    expect(signature).toMatch(/^\{"canon_version":"v2"\}\n[0-9a-f]{128}\n$/);
    expect(verifyLockfileText(text, signature, pair.publicKey)).toEqual({ canonVersion: 'v2', legacy: false });
  });

  it('round-trips with v1 as well', () => {
    expect(verifyLockfileText(text, signLockfileText(text, pair, 'v1'), pair.publicKey).canonVersion).toBe('v1');
  });

  describe('when only whitespace or key order changes', () => {
    it('keeps the signature valid', () => {
      const reordered = JSON.stringify({ tools: LOCK.tools, resources: LOCK.resources, server: LOCK.server, prompts: LOCK.prompts, meta: LOCK.meta, lockFileVersion: LOCK.lockFileVersion });
      expect(verifyLockfileText(reordered, signature, pair.publicKey).canonVersion).toBe('v2');
      expect(verifyLockfileText(`\n\n${JSON.stringify(LOCK, null, 7)}   `, signature, pair.publicKey).canonVersion).toBe('v2');
    });
  });

  describe('when any field class changes', () => {
    const tampers: Array<[string, (l: Lock) => void]> = [
      ['a tool hash', (l) => (l.tools.read_file.inputSchemaHash = `sha256:${'0'.repeat(64)}`)],
      ['a tool snapshot', (l) => (l.tools.read_file.snapshot.inputSchema.properties.path.type = 'number')],
      ['a riskLevel', (l) => (l.tools.read_file.riskLevel = 'HIGH')],
      ['the server name', (l) => (l.server.name = 'demo2')],
      ['meta', (l) => (l.meta.updatedAt = '2026-01-02T00:00:00.000Z')],
      ['a prompt', (l) => (l.prompts.definitions.greet.argumentsHash = `sha256:${'1'.repeat(64)}`)],
      ['a template', (l) => (l.resources.templates[0]!.uriTemplate = 'file:///{+path}')],
      ['a static resource', (l) => (l.resources.static[0]!.uri = 'config://other')],
      ['an added tool', (l) => ((l.tools as Record<string, unknown>)['exec'] = { riskLevel: 'HIGH' })],
    ];
    it.each(tampers)('rejects a change to %s with code SIGNATURE_INVALID', async (_what, tamper) => {
      const copy = structuredClone(LOCK);
      tamper(copy);
      expect(await codeOf(() => verifyLockfileText(JSON.stringify(copy), signature, pair.publicKey))).toBe('SIGNATURE_INVALID');
    });
  });

  describe('when the key is another one', () => {
    it('throws with code SIGNATURE_INVALID', async () => {
      expect(await codeOf(() => verifyLockfileText(text, signature, generateKeyPair().publicKey))).toBe('SIGNATURE_INVALID');
    });
  });

  describe('when the lockfile is not JSON', () => {
    it('throws with code LOCKFILE_INVALID', async () => {
      expect(await codeOf(() => verifyLockfileText('{"a":', signature, pair.publicKey))).toBe('LOCKFILE_INVALID');
    });
  });
});

describe('parseSignatureFile', () => {
  const hex = signature.split('\n')[1] as string;
  it.each([
    ['an empty file', ''],
    ['a truncated signature', `{"canon_version":"v2"}\n${hex.slice(0, 100)}\n`],
    ['garbage', 'hello world\n'],
    ['a header without a signature', '{"canon_version":"v2"}\n'],
    ['a header that is not JSON', `{canon_version:v2}\n${hex}\n`],
    ['extra lines', `{"canon_version":"v2"}\n${hex}\n${hex}\n`],
    ['binary noise', '\u0000\u0001\u0002'],
  ])('refuses %s with code SIGNATURE_FILE_INVALID', async (_what, content) => {
    expect(await codeOf(() => parseSignatureFile(content, 'x.sig'))).toBe('SIGNATURE_FILE_INVALID');
  });

  it('refuses an unknown canonical form with code UNSUPPORTED_CANONICALIZATION', async () => {
    expect(await codeOf(() => parseSignatureFile(`{"canon_version":"v9"}\n${hex}\n`))).toBe('UNSUPPORTED_CANONICALIZATION');
  });

  it('accepts CRLF line ends and reads the header-less form as legacy v1', () => {
    expect(parseSignatureFile(`{"canon_version":"v2"}\r\n${hex}\r\n`).canonVersion).toBe('v2');
    expect(parseSignatureFile(`${hex}`)).toMatchObject({ canonVersion: 'v1', legacy: true });
  });
});

describe('keys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcptrust-signing-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('writeKeyPair', () => {
    it('writes the private key with mode 0600 and a public key that parses back', async () => {
      const privateKeyPath = join(dir, 'a.key');
      const publicKeyPath = join(dir, 'a.pub');
      const publicKey = await writeKeyPair({ privateKeyPath, publicKeyPath });
      expect((await stat(privateKeyPath)).mode & 0o777).toBe(0o600);
      expect(Buffer.from(await readPublicKey(publicKeyPath)).equals(Buffer.from(publicKey))).toBe(true);
      expect(await readFile(publicKeyPath, 'utf8')).toMatch(/^-----BEGIN ED25519 PUBLIC KEY-----\n[A-Za-z0-9+/]{43}=\n-----END ED25519 PUBLIC KEY-----\n$/);
      const priv = parsePrivateKey(await readFile(privateKeyPath, 'utf8'));
      expect(Buffer.from(priv.publicKey).equals(Buffer.from(publicKey))).toBe(true);
    });

    it('refuses to replace an existing key with code KEY_EXISTS and leaves it unchanged, then replaces it with force', async () => {
      const privateKeyPath = join(dir, 'b.key');
      const publicKeyPath = join(dir, 'b.pub');
      await writeKeyPair({ privateKeyPath, publicKeyPath });
      const before = await readFile(privateKeyPath, 'utf8');
      expect(await codeOf(() => writeKeyPair({ privateKeyPath, publicKeyPath }))).toBe('KEY_EXISTS');
      expect(await readFile(privateKeyPath, 'utf8')).toBe(before);
      await writeKeyPair({ privateKeyPath, publicKeyPath, force: true });
      expect(await readFile(privateKeyPath, 'utf8')).not.toBe(before);
    });
  });

  describe('parsePublicKey / parsePrivateKey', () => {
    it.each([
      ['a private key given as public', () => parsePublicKey('-----BEGIN ED25519 PRIVATE KEY-----\nAAAA\n-----END ED25519 PRIVATE KEY-----\n')],
      ['a 31-byte key', () => parsePublicKey(`-----BEGIN ED25519 PUBLIC KEY-----\n${Buffer.alloc(31).toString('base64')}\n-----END ED25519 PUBLIC KEY-----\n`)],
      ['non-base64 content', () => parsePublicKey('-----BEGIN ED25519 PUBLIC KEY-----\n!!!!\n-----END ED25519 PUBLIC KEY-----\n')],
      ['a private key whose halves disagree', () => parsePrivateKey(`-----BEGIN ED25519 PRIVATE KEY-----\n${Buffer.alloc(64, 1).toString('base64')}\n-----END ED25519 PRIVATE KEY-----\n`)],
    ])('refuses %s with code KEY_INVALID', async (_what, fn) => {
      expect(await codeOf(fn)).toBe('KEY_INVALID');
    });

    it('derives the public key RFC 8032 gives for a seed (checked against @noble/curves), for any seed (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
          const seedPem = `-----BEGIN ED25519 PRIVATE KEY-----\n${Buffer.from(seed).toString('base64')}\n-----END ED25519 PRIVATE KEY-----\n`;
          const parsed = parsePrivateKey(seedPem);
          expect(Buffer.from(parsed.publicKey).equals(Buffer.from(ed25519.getPublicKey(seed)))).toBe(true);
          const fullPem = `-----BEGIN ED25519 PRIVATE KEY-----\n${Buffer.concat([seed, parsed.publicKey]).toString('base64')}\n-----END ED25519 PRIVATE KEY-----\n`;
          expect(Buffer.from(parsePrivateKey(fullPem).seed).equals(Buffer.from(seed))).toBe(true);
        }),
        { numRuns: 50 },
      );
      const fresh = generateKeyPair();
      expect(Buffer.from(fresh.publicKey).equals(Buffer.from(ed25519.getPublicKey(fresh.seed)))).toBe(true);
    });

    it('accepts a bare 32-byte seed', () => {
      const seedPem = `-----BEGIN ED25519 PRIVATE KEY-----\n${Buffer.from(pair.seed).toString('base64')}\n-----END ED25519 PRIVATE KEY-----\n`;
      expect(Buffer.from(parsePrivateKey(seedPem).publicKey).equals(Buffer.from(pair.publicKey))).toBe(true);
    });
  });

  describe('verifyLockfileSignature with files', () => {
    it('verifies a signed file, and names the path of an unreadable key with code KEY_READ_FAILED', async () => {
      const lockfilePath = join(dir, 'mcp-lock.json');
      const privateKeyPath = join(dir, 'c.key');
      const publicKeyPath = join(dir, 'c.pub');
      await writeFile(lockfilePath, text);
      await writeKeyPair({ privateKeyPath, publicKeyPath });
      const signed = await signLockfile({ lockfilePath, privateKeyPath });
      expect(signed.signaturePath).toBe(`${lockfilePath}.sig`);
      await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath })).resolves.toMatchObject({ method: 'ed25519', canonVersion: 'v2' });
      const missing = join(dir, 'nope.pub');
      await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath: missing })).rejects.toMatchObject({ code: 'KEY_READ_FAILED', file: missing });
      if (process.getuid?.() !== 0) {
        await chmod(publicKeyPath, 0o000);
        await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath })).rejects.toMatchObject({ code: 'KEY_READ_FAILED', file: publicKeyPath });
        await chmod(publicKeyPath, 0o644);
      }
      await writeFile(publicKeyPath, encodePublicKey(generateKeyPair().publicKey));
      await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
      await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath, signaturePath: join(dir, 'none.sig') })).rejects.toMatchObject({ code: 'SIGNATURE_MISSING' });
    });
  });
});
