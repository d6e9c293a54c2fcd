// Hostile approval bundles, keys and signature files: each refused with a SigningError
// naming what was wrong, before anything is inflated where the zip's own records say
// enough. The zips are built with fflate and then edited byte by byte where fflate
// cannot produce the attack (a name listed twice, a size that lies).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { exportApprovalBundle, readPublicKey, signLockfile, SigningError, verifyApprovalBundle, verifyLockfileSignature, writeKeyPair } from '../src/index.js';

// A Go v3 lockfile (vectors/mcptrust-go/SOURCE.md).
const GOLDEN = fileURLToPath(new URL('./vectors/mcptrust-go/golden-lock.v3.json', import.meta.url));

let dir: string;
let lockfilePath: string;
let publicKeyPath: string;
let entries: Record<string, Uint8Array>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-hostile-bundle-'));
  lockfilePath = join(dir, 'mcp-lock.json');
  await writeFile(lockfilePath, await readFile(GOLDEN));
  publicKeyPath = join(dir, 'public.key');
  await writeKeyPair({ privateKeyPath: join(dir, 'private.key'), publicKeyPath });
  await signLockfile({ lockfilePath, privateKeyPath: join(dir, 'private.key') });
  entries = unzipSync(await exportApprovalBundle({ lockfilePath, publicKeyPath }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(bytes: Uint8Array): Promise<SigningError> {
  try {
    await verifyApprovalBundle(bytes, { source: 'approval.zip' });
  } catch (error) {
    if (error instanceof SigningError) return error;
    throw error;
  }
  throw new Error('expected the bundle to be refused');
}

/** Offsets of every central directory record. */
function centralRecords(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const offsets: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (view.getUint32(i, true) === 0x02014b50) offsets.push(i);
  return offsets;
}

/** Replaces every occurrence of one ASCII name with another of the same length (local and central headers). */
function renameAll(zip: Uint8Array, from: string, to: string): Uint8Array {
  const out = Buffer.from(zip);
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) out.write(to, at, 'ascii');
  return out;
}

describe('verifyApprovalBundle with a hostile zip', () => {
  it('refuses a symbolic link entry by name', async () => {
    const zippable: Zippable = {};
    for (const [name, data] of Object.entries(entries)) zippable[name] = [data, { os: 3, attrs: (0o100644 << 16) >>> 0 }];
    zippable['mcp-lock.json'] = [Buffer.from('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }];
    const error = await refusal(zipSync(zippable));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toBe('approval.zip holds entry "mcp-lock.json": a symbolic link, not a file');
  });

  it('refuses a directory entry', async () => {
    const zippable: Zippable = { ...entries, 'README.txt': [new Uint8Array(), { os: 3, attrs: (0o040755 << 16) >>> 0 }] };
    expect((await refusal(zipSync(zippable))).message).toBe('approval.zip holds entry "README.txt": not a regular file');
  });

  it('refuses an entry name listed twice (two different lockfiles under one name)', async () => {
    const other = Buffer.from(entries['mcp-lock.json'] as Uint8Array).toString('utf8').replace('"', ' "');
    const twice = renameAll(zipSync({ ...entries, 'mcp-lock.jsoX': Buffer.from(other) }), 'mcp-lock.jsoX', 'mcp-lock.json');
    const error = await refusal(twice);
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toBe('approval.zip holds the entry name "mcp-lock.json" twice');
  });

  it.each(['../mcp-lock.json', '/mcp-lock.json', 'C:\\mcp-lock.json', 'a/../../mcp-lock.json'])('refuses the traversal or absolute name %j', async (name) => {
    const error = await refusal(zipSync({ ...entries, [name]: Buffer.from('x') }));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toContain(JSON.stringify(name));
  });

  it('refuses entries whose declared sizes add up past the inflation limit, before inflating any', async () => {
    const zip = Buffer.from(zipSync({ ...entries, 'policy.yaml': Buffer.from('rules: []\n') }));
    // Each central record claims 60 MiB inflated (one 160 MiB bomb spread over entries).
    for (const at of centralRecords(zip)) zip.writeUInt32LE(60 * 1024 * 1024, at + 24);
    const error = await refusal(zip);
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toBe(`approval.zip would inflate to more than ${160 * 1024 * 1024} bytes`);
  });

  it('refuses one entry that claims more than the entry limit', async () => {
    const zip = Buffer.from(zipSync(entries));
    const first = centralRecords(zip)[0] as number;
    zip.writeUInt32LE(0xffffffff, first + 24);
    expect((await refusal(zip)).code).toBe('BUNDLE_INVALID');
  });

  it('refuses a 16 MiB run of zeros whose record declares 10 bytes (the size lies)', async () => {
    const zeros = new Uint8Array(16 * 1024 * 1024);
    const zip = Buffer.from(zipSync({ ...entries, 'README.txt': zeros }, { level: 1 }));
    for (const at of centralRecords(zip)) {
      const nameLength = zip.readUInt16LE(at + 28);
      if (zip.toString('utf8', at + 46, at + 46 + nameLength) === 'README.txt') zip.writeUInt32LE(10, at + 24);
    }
    const error = await refusal(zip);
    expect(['BUNDLE_INVALID', 'BUNDLE_TAMPERED']).toContain(error.code);
  });

  it('refuses a zip truncated anywhere', async () => {
    const zip = zipSync(entries);
    for (const cut of [1, 22, Math.floor(zip.length / 2), zip.length - 23, zip.length - 1]) {
      expect((await refusal(zip.subarray(0, cut))).code).toBe('BUNDLE_INVALID');
    }
  });
});

describe('hostile keys and signature files', () => {
  it.each([
    ['a PEM header around garbage', '-----BEGIN PUBLIC KEY-----\nnot base64 at all!!\n-----END PUBLIC KEY-----\n'],
    ['a private key where a public key belongs', 'PRIVATE'],
    ['binary noise', '\u0000\u00ff\u0001'],
    ['a 1 MiB file', 'A'.repeat(1024 * 1024)],
  ])('readPublicKey refuses %s with a KEY_ code naming the file', async (_what, content) => {
    const path = join(dir, 'hostile.pub');
    await writeFile(path, content === 'PRIVATE' ? await readFile(join(dir, 'private.key')) : content);
    const error = await readPublicKey(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigningError);
    expect((error as SigningError).code).toMatch(/^KEY_/);
    expect((error as SigningError).message).toContain(path);
  });

  it('refuses a signature file of 1 MiB before parsing it', async () => {
    const sig = join(dir, 'big.sig');
    await writeFile(sig, `{"canon_version":"v2"}\n${'0'.repeat(1024 * 1024)}\n`);
    const error = await verifyLockfileSignature({ lockfilePath, signaturePath: sig, publicKeyPath }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigningError);
    expect((error as SigningError).code).toBe('SIGNATURE_FILE_INVALID');
  });
});
