import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { exportApprovalBundle, signLockfile, verifyApprovalBundle, writeKeyPair } from '../src/index.js';

// A Go v3 lockfile with prompts and resource templates (vectors/mcptrust-go/SOURCE.md).
const GOLDEN = fileURLToPath(new URL('./vectors/mcptrust-go/golden-lock.v3.json', import.meta.url));

let dir: string;
let lockfilePath: string;
let publicKeyPath: string;
let otherPublicKeyPath: string;
let policyPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-bundle-'));
  lockfilePath = join(dir, 'mcp-lock.json');
  await writeFile(lockfilePath, await readFile(GOLDEN));
  publicKeyPath = join(dir, 'public.key');
  await writeKeyPair({ privateKeyPath: join(dir, 'private.key'), publicKeyPath });
  otherPublicKeyPath = join(dir, 'other.pub');
  await writeKeyPair({ privateKeyPath: join(dir, 'other.key'), publicKeyPath: otherPublicKeyPath });
  await signLockfile({ lockfilePath, privateKeyPath: join(dir, 'private.key') });
  policyPath = join(dir, 'policy.yaml');
  await writeFile(policyPath, 'rules: []\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rezip(entries: Record<string, Uint8Array>): Uint8Array {
  return zipSync(entries);
}

describe('exportApprovalBundle', () => {
  it('gives byte-identical bundles for the same inputs, with sorted entries and a manifest', async () => {
    const a = await exportApprovalBundle({ lockfilePath, publicKeyPath, policyPath });
    const b = await exportApprovalBundle({ lockfilePath, publicKeyPath, policyPath });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const entries = unzipSync(a);
    expect(Object.keys(entries)).toEqual(['README.txt', 'manifest.json', 'mcp-lock.json', 'mcp-lock.json.sig', 'policy.yaml', 'public.key']);
    const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString()) as { files: Array<{ name: string }> };
    expect(manifest.files.map((f) => f.name)).toEqual(['README.txt', 'mcp-lock.json', 'mcp-lock.json.sig', 'policy.yaml', 'public.key']);
    const readme = Buffer.from(entries['README.txt']!).toString();
    expect(readme).toMatch(/Approved prompts \(\d+\):\n {2}- /);
    expect(readme).toMatch(/Approved resource templates \(\d+\):\n {2}- /);
  });

  it('refuses an unsigned lockfile with code SIGNATURE_MISSING naming the signature path', async () => {
    const unsigned = join(dir, 'unsigned.json');
    await writeFile(unsigned, await readFile(GOLDEN));
    await expect(exportApprovalBundle({ lockfilePath: unsigned })).rejects.toMatchObject({ code: 'SIGNATURE_MISSING', file: `${unsigned}.sig` });
  });

  it('refuses a public key that does not match the signature with code SIGNATURE_INVALID', async () => {
    await expect(exportApprovalBundle({ lockfilePath, publicKeyPath: otherPublicKeyPath })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('verifyApprovalBundle', () => {
  it('accepts an exported bundle with the trusted key, and says when it used the bundled key', async () => {
    const zip = await exportApprovalBundle({ lockfilePath, publicKeyPath });
    expect((await verifyApprovalBundle(zip, { publicKeyPath })).keySource).toBe('option');
    expect((await verifyApprovalBundle(zip)).keySource).toBe('bundle');
  });

  it('rejects the right bundle under another key with code SIGNATURE_INVALID', async () => {
    const zip = await exportApprovalBundle({ lockfilePath });
    await expect(verifyApprovalBundle(zip, { publicKeyPath: otherPublicKeyPath })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  describe('when an entry was changed', () => {
    it('rejects it with code BUNDLE_TAMPERED', async () => {
      const entries = unzipSync(await exportApprovalBundle({ lockfilePath, publicKeyPath }));
      entries['mcp-lock.json'] = Buffer.from(Buffer.from(entries['mcp-lock.json']!).toString().replace('"3.0"', '"3.1"'));
      await expect(verifyApprovalBundle(rezip(entries), { publicKeyPath })).rejects.toMatchObject({ code: 'BUNDLE_TAMPERED' });
    });

    it('rejects a consistent manifest over a changed lockfile with code SIGNATURE_INVALID', async () => {
      const entries = unzipSync(await exportApprovalBundle({ lockfilePath, publicKeyPath }));
      const lock = Buffer.from(Buffer.from(entries['mcp-lock.json']!).toString().replace('"3.0"', '"3.1"'));
      entries['mcp-lock.json'] = lock;
      const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString()) as { files: Array<{ name: string; sha256: string }> };
      const { createHash } = await import('node:crypto');
      for (const f of manifest.files) if (f.name === 'mcp-lock.json') f.sha256 = createHash('sha256').update(lock).digest('hex');
      entries['manifest.json'] = Buffer.from(JSON.stringify(manifest));
      await expect(verifyApprovalBundle(rezip(entries), { publicKeyPath })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    });

    it('rejects an entry missing from the manifest with code BUNDLE_TAMPERED', async () => {
      const entries = unzipSync(await exportApprovalBundle({ lockfilePath, publicKeyPath }));
      entries['policy.yaml'] = Buffer.from('rules: []\n');
      await expect(verifyApprovalBundle(rezip(entries), { publicKeyPath })).rejects.toMatchObject({ code: 'BUNDLE_TAMPERED' });
    });
  });

  describe('when the zip is hostile', () => {
    it.each(['../mcp-lock.json', '/etc/passwd', 'a\\..\\b', 'evil.sh'])('rejects the entry name %j with code BUNDLE_INVALID', async (name) => {
      const entries = unzipSync(await exportApprovalBundle({ lockfilePath }));
      entries[name] = Buffer.from('x');
      await expect(verifyApprovalBundle(rezip(entries))).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
    });

    it('rejects too many entries with code BUNDLE_INVALID before inflating them', async () => {
      const entries: Record<string, Uint8Array> = {};
      for (let i = 0; i < 40; i++) entries[`README.txt${i}`] = Buffer.from('x');
      await expect(verifyApprovalBundle(rezip(entries))).rejects.toMatchObject({ code: 'BUNDLE_INVALID', message: expect.stringMatching(/40 entries/) });
    });

    it.each([
      ['empty bytes', new Uint8Array()],
      ['not a zip', Buffer.from('hello, this is not a zip file at all')],
    ])('rejects %s with code BUNDLE_INVALID', async (_what, bytes) => {
      await expect(verifyApprovalBundle(bytes)).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
    });
  });
});
