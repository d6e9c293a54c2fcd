import { createHash } from 'node:crypto';
import * as realFs from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Lockfile } from '@mcptrust/lockfile';
import { sampleScan, UPDATED_AT } from './fixtures.js';

// The rename can be made to fail on demand; everything else is the real file system.
let failRename: Error | undefined;
jest.unstable_mockModule('node:fs/promises', () => ({
  ...realFs,
  rename: async (from: string, to: string) => {
    if (failRename !== undefined) throw failRename;
    return realFs.rename(from, to);
  },
}));

// Imported only now, so that the package sees the mocked module (nothing above may
// import the package at runtime).
const { buildLockfile, LockfileError, readLockfile, serializeLockfile, writeFileAtomic, writeLockfile } = await import('@mcptrust/lockfile');

async function caughtAsync(promise: Promise<unknown>): Promise<InstanceType<typeof LockfileError>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LockfileError);
    return error as InstanceType<typeof LockfileError>;
  }
  throw new Error('expected a LockfileError, but nothing was thrown');
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-lockfile-'));
  failRename = undefined;
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sample(): Lockfile {
  return buildLockfile(sampleScan(), { updatedAt: UPDATED_AT });
}

describe('writeLockfile', () => {
  describe('when the file does not exist yet', () => {
    it('writes the serialized bytes with mode 0644 and leaves no temporary file', async () => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      expect(readFileSync(path, 'utf8')).toBe(serializeLockfile(sample()));
      expect(statSync(path).mode & 0o777).toBe(0o644);
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });

  describe('when the file exists', () => {
    it('replaces it and keeps its mode', async () => {
      const path = join(dir, 'mcp-lock.json');
      writeFileSync(path, 'old');
      chmodSync(path, 0o600);
      await writeLockfile(path, sample());
      expect(readFileSync(path, 'utf8')).toBe(serializeLockfile(sample()));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });
  });

  describe('when the rename fails', () => {
    it('throws WRITE_FAILED naming the path, keeps the original bytes and removes the temporary file', async () => {
      const path = join(dir, 'mcp-lock.json');
      writeFileSync(path, 'original bytes');
      failRename = Object.assign(new Error('simulated I/O error'), { code: 'EIO' });
      const error = await caughtAsync(writeLockfile(path, sample()));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.file).toBe(path);
      expect(error.message).toContain(path);
      expect(error.message).toContain('EIO');
      expect(error.cause).toBe(failRename);
      expect(readFileSync(path, 'utf8')).toBe('original bytes');
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });

  describe('when the target is a directory', () => {
    it('throws WRITE_FAILED, leaves the directory as it was and no temporary file behind', async () => {
      const path = join(dir, 'mcp-lock.json');
      mkdirSync(path);
      writeFileSync(join(path, 'keep.txt'), 'kept');
      const error = await caughtAsync(writeLockfile(path, sample()));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toContain(path);
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
      expect(readFileSync(join(path, 'keep.txt'), 'utf8')).toBe('kept');
    });
  });

  describe('when the directory does not exist', () => {
    it('throws WRITE_FAILED with the OS error', async () => {
      const error = await caughtAsync(writeLockfile(join(dir, 'missing', 'mcp-lock.json'), sample()));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toContain('ENOENT');
    });
  });

  describe('when the lockfile is invalid', () => {
    it('throws before touching the disk', async () => {
      const path = join(dir, 'mcp-lock.json');
      writeFileSync(path, 'original bytes');
      const lockfile = sample();
      lockfile.tools['read_file']!.riskLevel = 'UNKNOWN' as 'LOW';
      expect((await caughtAsync(writeLockfile(path, lockfile))).code).toBe('SCHEMA_INVALID');
      expect(readFileSync(path, 'utf8')).toBe('original bytes');
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });

  describe('when the signal is aborted', () => {
    it('throws the abort reason and leaves the original file', async () => {
      const path = join(dir, 'mcp-lock.json');
      writeFileSync(path, 'original bytes');
      const reason = new Error('stop');
      await expect(writeLockfile(path, sample(), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(readFileSync(path, 'utf8')).toBe('original bytes');
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });

  describe('when two writes race', () => {
    it('leaves one complete lockfile', async () => {
      const path = join(dir, 'mcp-lock.json');
      const a = sample();
      const b = buildLockfile({ ...sampleScan(), tools: [] }, { updatedAt: UPDATED_AT });
      await Promise.all([writeLockfile(path, a), writeLockfile(path, b)]);
      expect([serializeLockfile(a), serializeLockfile(b)]).toContain(readFileSync(path, 'utf8'));
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });
});

describe('readLockfile', () => {
  describe('when the file was written by writeLockfile', () => {
    it('reads the same lockfile back', async () => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      const parsed = await readLockfile(path);
      expect(parsed.format).toBe('v3');
      expect(parsed.lockfile).toEqual(sample());
    });

    it('gives the SHA-256 of the exact bytes it parsed', async () => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      const parsed = await readLockfile(path);
      expect(parsed.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    });
  });

  describe('when the file does not exist', () => {
    it('throws NOT_FOUND naming the path', async () => {
      const path = join(dir, 'absent.json');
      const error = await caughtAsync(readLockfile(path));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.file).toBe(path);
      expect(error.message).toContain(path);
    });
  });

  describe('when the path cannot be read', () => {
    it('throws READ_FAILED naming the path and the OS error', async () => {
      const error = await caughtAsync(readLockfile(dir));
      expect(error.code).toBe('READ_FAILED');
      expect(error.message).toContain(dir);
      expect(error.message).toContain('EISDIR');
    });
  });

  describe('when the bytes are not UTF-8', () => {
    it('throws JSON_INVALID', async () => {
      const path = join(dir, 'latin1.json');
      writeFileSync(path, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
      expect((await caughtAsync(readLockfile(path))).code).toBe('JSON_INVALID');
    });
  });

  describe('when the file is invalid', () => {
    it('names the path in the parse error', async () => {
      const path = join(dir, 'mcp-lock.json');
      writeFileSync(path, '{"lockFileVersion": "3.0", "server": {"name": "s", "version": 1}}');
      const error = await caughtAsync(readLockfile(path));
      expect(error.code).toBe('SCHEMA_INVALID');
      expect(error.file).toBe(path);
      expect(error.message.startsWith(`${path} is not a valid lockfile v3`)).toBe(true);
    });
  });
});

describe('writeFileAtomic', () => {
  describe('when overwrite is false and the target exists', () => {
    it('throws WRITE_FAILED with the EEXIST cause and keeps the existing bytes', async () => {
      const path = join(dir, 'private.key');
      writeFileSync(path, 'original');
      const error = await caughtAsync(writeFileAtomic(path, 'replacement', { overwrite: false, mode: 0o600, what: 'private key' }));
      expect(error.code).toBe('WRITE_FAILED');
      expect((error.cause as NodeJS.ErrnoException).code).toBe('EEXIST');
      expect(error.message).toBe(`private key ${path} already exists`);
      expect(readFileSync(path, 'utf8')).toBe('original');
      expect(readdirSync(dir)).toEqual(['private.key']);
    });
  });

  describe('when a mode is given', () => {
    it('applies it whatever the umask, to bytes as well as text', async () => {
      const path = join(dir, 'k');
      await writeFileAtomic(path, new Uint8Array([1, 2, 3]), { mode: 0o600 });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    });
  });

  describe('when a precondition is given', () => {
    it('runs it once the temporary file is complete, just before the replacement', async () => {
      const path = join(dir, 'config.json');
      writeFileSync(path, 'before');
      const seen: string[][] = [];
      await writeFileAtomic(path, 'after', {
        precondition: async () => {
          seen.push(readdirSync(dir).sort());
          expect(readFileSync(path, 'utf8')).toBe('before');
          const temp = readdirSync(dir).find((name) => name.endsWith('.tmp'));
          expect(temp).toBeDefined();
          expect(readFileSync(join(dir, temp as string), 'utf8')).toBe('after');
        },
      });
      expect(seen).toHaveLength(1);
      expect(readFileSync(path, 'utf8')).toBe('after');
      expect(readdirSync(dir)).toEqual(['config.json']);
    });

    it('throws its error as is, leaves the target unchanged and removes the temporary file', async () => {
      const path = join(dir, 'config.json');
      writeFileSync(path, 'before');
      const failure = new Error('changed since read');
      await expect(
        writeFileAtomic(path, 'after', {
          precondition: async () => {
            throw failure;
          },
        }),
      ).rejects.toBe(failure);
      expect(readFileSync(path, 'utf8')).toBe('before');
      expect(readdirSync(dir)).toEqual(['config.json']);
    });

    it('creates nothing when it fails for a new file written without overwrite', async () => {
      const path = join(dir, 'new.json');
      await expect(
        writeFileAtomic(path, 'x', {
          overwrite: false,
          precondition: () => Promise.reject(new Error('no')),
        }),
      ).rejects.toThrow('no');
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});
