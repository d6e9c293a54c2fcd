/**
 * A full disk while a signature or a key pair is written. The disk is a test double over
 * the real `node:fs/promises`: once the byte budget is spent, a file write takes what
 * still fits and then fails with ENOSPC. The previous signature must stay whole and still
 * verify, with no temporary file left behind.
 */
import * as realFs from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createFullDisk } from '@mcptrust/tooling/test-support/full-disk.mjs';

const disk = createFullDisk(realFs);
jest.unstable_mockModule('node:fs/promises', () => ({ ...realFs, open: disk.open }));

const { generateKeyPair, readPrivateKey, SigningError, signLockfile, verifyLockfileSignature, writeKeyPair } = await import('../src/index.js');

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
};

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-sig-full-'));
  disk.budget = undefined;
});
afterEach(() => {
  disk.budget = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function rejected(promise: Promise<unknown>): Promise<InstanceType<typeof SigningError>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SigningError);
    return error as InstanceType<typeof SigningError>;
  }
  throw new Error('expected a SigningError');
}

describe('signLockfile on a full disk', () => {
  it('throws WRITE_FAILED, and the previous signature stays whole and still verifies, at every point', async () => {
    const lockfilePath = join(dir, 'mcp-lock.json');
    const privateKeyPath = join(dir, 'a.key');
    const publicKeyPath = join(dir, 'a.pub');
    const otherKey = join(dir, 'b.key');
    writeFileSync(lockfilePath, `${JSON.stringify(LOCK, null, 2)}\n`);
    await writeKeyPair({ privateKeyPath, publicKeyPath });
    await writeKeyPair({ privateKeyPath: otherKey, publicKeyPath: join(dir, 'b.pub') });
    await signLockfile({ lockfilePath, privateKeyPath });
    const sigPath = `${lockfilePath}.sig`;
    const before = readFileSync(sigPath);
    const files = readdirSync(dir).sort();
    // Re-signing with another key would change every signature byte.
    for (const b of [0, 1, 20, before.length - 1]) {
      disk.budget = b;
      const error = await rejected(signLockfile({ lockfilePath, privateKeyPath: otherKey }));
      disk.budget = undefined;
      expect(error.code).toBe('WRITE_FAILED');
      expect(readFileSync(sigPath)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(files);
      await expect(verifyLockfileSignature({ lockfilePath, publicKeyPath })).resolves.toMatchObject({ method: 'ed25519' });
    }
  });
});

describe('writeKeyPair on a full disk', () => {
  it('throws WRITE_FAILED and leaves no key file and no temporary file for a new pair', async () => {
    disk.budget = 10;
    const error = await rejected(writeKeyPair({ privateKeyPath: join(dir, 'k.key'), publicKeyPath: join(dir, 'k.pub') }));
    expect(error.code).toBe('WRITE_FAILED');
    expect(readdirSync(dir)).toEqual([]);
  });

  // With force, a full disk between the two writes must not leave a new private key
  // beside the old public key.
  it('with force, replaces both files or neither', async () => {
    const privateKeyPath = join(dir, 'k.key');
    const publicKeyPath = join(dir, 'k.pub');
    await writeKeyPair({ privateKeyPath, publicKeyPath });
    const before = [readFileSync(privateKeyPath), readFileSync(publicKeyPath)];
    const next = generateKeyPair();
    // Room for the private key file, not for the public one.
    disk.budget = readFileSync(privateKeyPath).length + 5;
    await rejected(writeKeyPair({ privateKeyPath, publicKeyPath, force: true, keyPair: next }));
    disk.budget = undefined;
    const after = [readFileSync(privateKeyPath), readFileSync(publicKeyPath)];
    const mixed = !after[0]!.equals(before[0]!) && after[1]!.equals(before[1]!);
    expect(mixed).toBe(false);
    expect((await readPrivateKey(privateKeyPath)).publicKey).toBeDefined();
  });
});
