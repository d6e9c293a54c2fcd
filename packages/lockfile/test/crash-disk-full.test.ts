/**
 * A full disk while a lockfile is replaced. The disk is a test double over the real
 * `node:fs/promises`: once the byte budget is spent, a file write takes what still fits
 * and then fails with ENOSPC; `sync` can be made to fail too (delayed allocation reports
 * a full disk at fsync). Whatever the point of failure, `writeLockfile` throws
 * WRITE_FAILED, the previous lockfile is byte-for-byte intact and no temporary file is
 * left behind.
 */
import * as realFs from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createFullDisk } from '@mcptrust/tooling/test-support/full-disk.mjs';
import type { Lockfile } from '@mcptrust/lockfile';
import { sampleScan, UPDATED_AT } from './fixtures.js';

const disk = createFullDisk(realFs);
jest.unstable_mockModule('node:fs/promises', () => ({ ...realFs, open: disk.open }));

const { buildLockfile, LockfileError, readLockfile, serializeLockfile, writeLockfile } = await import('@mcptrust/lockfile');

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-crash-'));
  disk.budget = undefined;
  disk.failSync = undefined;
});
afterEach(() => {
  disk.budget = undefined;
  disk.failSync = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function sample(updatedAt = UPDATED_AT): Lockfile {
  return buildLockfile(sampleScan(), { updatedAt });
}

async function rejected(promise: Promise<unknown>): Promise<InstanceType<typeof LockfileError>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LockfileError);
    return error as InstanceType<typeof LockfileError>;
  }
  throw new Error('expected a LockfileError');
}

describe('writeLockfile on a full disk', () => {
  describe('when the disk fills up during the write', () => {
    it('throws WRITE_FAILED with ENOSPC, keeps the previous lockfile and removes the temporary file, at every point', async () => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      const before = readFileSync(path);
      const next = sample('2030-01-01T00:00:00Z');
      const size = Buffer.byteLength(serializeLockfile(next));
      for (const b of [0, 1, 100, Math.floor(size / 2), size - 1]) {
        disk.budget = b;
        const error = await rejected(writeLockfile(path, next));
        disk.budget = undefined;
        expect(error.code).toBe('WRITE_FAILED');
        expect((error.cause as { code?: string }).code).toBe('ENOSPC');
        expect(error.message).toContain('the previous file, if any, is unchanged');
        expect(readFileSync(path)).toEqual(before);
        expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
        // What is there still reads as the lockfile it was.
        expect((await readLockfile(path)).lockfile.meta.updatedAt).toBe(sample().meta.updatedAt);
      }
    });
  });

  describe('when the data fits but fsync reports the disk full', () => {
    it.each(['ENOSPC', 'EIO'])('throws WRITE_FAILED (%s) and keeps the previous lockfile', async (code) => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      const before = readFileSync(path);
      disk.failSync = code;
      const error = await rejected(writeLockfile(path, sample('2030-01-01T00:00:00Z')));
      disk.failSync = undefined;
      expect((error.cause as { code?: string }).code).toBe(code);
      expect(readFileSync(path)).toEqual(before);
      expect(readdirSync(dir)).toEqual(['mcp-lock.json']);
    });
  });

  describe('when there was no lockfile yet', () => {
    it('creates nothing', async () => {
      const path = join(dir, 'mcp-lock.json');
      disk.budget = 10;
      await rejected(writeLockfile(path, sample()));
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  describe('when the disk has room again', () => {
    it('writes the whole new lockfile', async () => {
      const path = join(dir, 'mcp-lock.json');
      await writeLockfile(path, sample());
      disk.budget = 5;
      await rejected(writeLockfile(path, sample('2030-01-01T00:00:00Z')));
      disk.budget = undefined;
      await writeLockfile(path, sample('2030-01-01T00:00:00Z'));
      expect(readFileSync(path, 'utf8')).toBe(serializeLockfile(sample('2030-01-01T00:00:00Z')));
    });
  });
});
