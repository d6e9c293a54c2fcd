// Hostile lockfiles: huge, endless, truncated, keys repeated to show a reviewer one
// thing and a parser another, and bytes that are not text. Each is refused with a
// LockfileError naming the file and what was wrong; a lockfile too large to read back
// is never written.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLockfile, LockfileError, parseLockfile, readLockfile, serializeLockfile, writeLockfile } from '../src/index.js';
import { sampleScan, UPDATED_AT } from './fixtures.js';

let dir: string;
let valid: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-hostile-lockfile-'));
  valid = serializeLockfile(buildLockfile(sampleScan(), { updatedAt: UPDATED_AT }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readError(path: string): Promise<LockfileError> {
  try {
    await readLockfile(path);
  } catch (error) {
    if (error instanceof LockfileError) return error;
    throw error;
  }
  throw new Error('expected the lockfile to be refused');
}

const parseError = (text: string): LockfileError => {
  try {
    parseLockfile(text, { file: 'mcp-lock.json' });
  } catch (error) {
    if (error instanceof LockfileError) return error;
    throw error;
  }
  throw new Error('expected the lockfile to be refused');
};

describe('readLockfile with a hostile file', () => {
  it('refuses a 200 MB file with TOO_LARGE naming it', async () => {
    const path = join(dir, 'huge.json');
    await writeFile(path, '');
    await truncate(path, 200 * 1000 * 1000); // sparse: no disk space used
    const error = await readError(path);
    expect(error.code).toBe('TOO_LARGE');
    expect(error.file).toBe(path);
    expect(error.message).toContain('larger than 67108864 bytes');
  });

  it('refuses a file that never ends (/dev/zero) with TOO_LARGE instead of reading forever', async () => {
    expect((await readError('/dev/zero')).code).toBe('TOO_LARGE');
  });

  it.each([
    ['its first byte', () => 1],
    ['100 bytes', () => 100],
    ['half of it', () => Math.floor(valid.length / 2)],
    ['all but its closing brace', () => valid.lastIndexOf('}')],
  ])('refuses the lockfile truncated to %s with JSON_INVALID naming the file', async (_what, length) => {
    const path = join(dir, 'truncated.json');
    await writeFile(path, valid.slice(0, length()));
    const error = await readError(path);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.message).toContain(path);
  });

  it('refuses bytes that are not UTF-8 with JSON_INVALID', async () => {
    const path = join(dir, 'latin1.json');
    await writeFile(path, Buffer.concat([Buffer.from(valid.slice(0, 50)), Buffer.from([0xff, 0xfe]), Buffer.from(valid.slice(50))]));
    expect((await readError(path)).code).toBe('JSON_INVALID');
  });
});

describe('parseLockfile with repeated keys', () => {
  it('refuses two different top-level `tools` objects (a reviewer sees the first, a parser keeps the last)', () => {
    const root = JSON.parse(valid) as Record<string, unknown>;
    const text = valid.replace(/\n}\n?$/, `,\n  "tools": ${JSON.stringify({ exec_shell: root['tools'] })}\n}\n`);
    const error = parseError(text);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.jsonPath).toBe('tools');
    expect(error.message).toContain('repeats the key at tools');
  });

  it('refuses a repeated hash inside one tool, naming its path', () => {
    const text = valid.replace(/"inputSchemaHash": ("[^"]+")/, '"inputSchemaHash": $1, "inputSchemaHash": "sha256:0000"');
    const error = parseError(text);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.jsonPath).toMatch(/^tools\..+\.inputSchemaHash$/);
  });

  it('refuses a key repeated through an escape ("tools" and "\\u0074ools")', () => {
    const text = valid.replace(/\n}\n?$/, ',\n  "\\u0074ools": {}\n}\n');
    expect(parseError(text).jsonPath).toBe('tools');
  });

  it('refuses nesting 100,000 levels deep with JSON_INVALID or SCHEMA_INVALID, never a crash', () => {
    const deep = `{"lockFileVersion":"3.0","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(['JSON_INVALID', 'SCHEMA_INVALID']).toContain(parseError(deep).code);
  });
});

describe('writeLockfile of a lockfile no reader would accept', () => {
  it('refuses with TOO_LARGE and leaves the previous file as it was', async () => {
    const path = join(dir, 'mcp-lock.json');
    await writeFile(path, valid);
    // 65 tools with 1 MiB descriptions: about 130 MiB once stored in snapshots.
    const scan = sampleScan();
    const model = scan.tools[0] as (typeof scan.tools)[number];
    const description = 'x'.repeat(1024 * 1024);
    scan.tools = Array.from({ length: 65 }, (_, i) => ({ ...model, name: `tool_${i}`, description }));
    const lockfile = buildLockfile(scan, { updatedAt: UPDATED_AT });
    const error = await writeLockfile(path, lockfile).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockfileError);
    expect((error as LockfileError).code).toBe('TOO_LARGE');
    expect(await readFile(path, 'utf8')).toBe(valid);
    expect((await readdir(dir)).filter((name) => name.startsWith('.mcp-lock') || name.includes('.tmp'))).toEqual([]);
  });
});
