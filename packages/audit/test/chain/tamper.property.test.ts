import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createAuditSigner, openAuditLog, verifyAuditLog } from '../../src/chain/index.js';
import type { AuditHead, AuditSigner } from '../../src/chain/index.js';

let dir: string;
let publicKey: Uint8Array;
/** One log holding two chains (a second run resumed it), signed, with its head. */
let single: { bytes: Buffer; names: string[]; head: AuditHead };
let mutated: string;
/** A rotated log: its files' bytes, in order, and its head. */
let rotated: { files: Buffer[]; names: string[]; head: AuditHead };
/** Lines of an unrelated log (another chain) to splice in. */
let foreign: Buffer[];

function splitLines(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  return text.split('\n').slice(0, -1).map((l) => Buffer.from(l, 'latin1'));
}

function joinLines(lines: readonly Buffer[]): Buffer {
  return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
}

function writeLog(name: string, signer: AuditSigner, options: { maxFileBytes?: number; runs?: number } = {}): { names: string[]; head: AuditHead } {
  const path = join(dir, name);
  let head: AuditHead | undefined;
  for (let run = 0; run < (options.runs ?? 1); run += 1) {
    const log = openAuditLog({ path, signer, checkpointEvery: 3, ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }), start: { mcptrust_version: '0.1.0', mode: 'enforce' } });
    for (let i = 0; i < 5; i += 1) log.append('decision', { action: i % 2 === 0 ? 'allowed' : 'blocked', tool: `tool_${i}`, reason: 'not in allowlist' });
    head = log.close();
  }
  const names = [path];
  for (let n = 1; existsSync(`${path}.${n}`); n += 1) names.push(`${path}.${n}`);
  return { names, head: head! };
}

/**
 * Verifies (with the key and the head) mutated contents of a log's files, written under
 * their own names (records name their files) in a folder of their own.
 */
function passes(contents: readonly Buffer[], names: readonly string[], head: AuditHead): boolean {
  const paths = names.map((name) => join(mutated, basename(name)));
  contents.forEach((bytes, i) => writeFileSync(paths[i]!, bytes));
  return verifyAuditLog(paths, { publicKey, head }).ok;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-chain-prop-'));
  mutated = join(dir, 'mutated');
  mkdirSync(mutated);
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  publicKey = Buffer.from(jwk.x!, 'base64url');
  const signer = createAuditSigner(Buffer.from(jwk.d!, 'base64url'), publicKey);
  const other = writeLog('other.jsonl', signer);
  foreign = splitLines(readFileSync(other.names[0]!));
  const one = writeLog('single.jsonl', signer, { runs: 2 });
  single = { bytes: readFileSync(one.names[0]!), names: one.names, head: one.head };
  const rot = writeLog('rotated.jsonl', signer, { maxFileBytes: 600 });
  rotated = { files: rot.names.map((n) => readFileSync(n)), names: rot.names, head: rot.head };
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tamper evidence (with the public key and the head)', () => {
  it('the untouched logs verify', () => {
    expect(passes([single.bytes], single.names, single.head)).toBe(true);
    expect(rotated.files.length).toBeGreaterThan(2);
    expect(passes(rotated.files, rotated.names, rotated.head)).toBe(true);
  });

  it('any single byte flip fails verification', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const bytes = Buffer.from(single.bytes);
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ mask;
        return !passes([bytes], single.names, single.head);
      }),
      { numRuns: 300 },
    );
  });

  it('any single byte flip in any file of a rotated log fails verification', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (file, at, mask) => {
        const files = rotated.files.map((b) => Buffer.from(b));
        const bytes = files[file % files.length]!;
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ mask;
        return !passes(files, rotated.names, rotated.head);
      }),
      { numRuns: 200 },
    );
  });

  it('deleting any line fails verification', () => {
    const lines = splitLines(single.bytes);
    fc.assert(
      fc.property(fc.nat({ max: lines.length - 1 }), (i) => !passes([joinLines(lines.filter((_, j) => j !== i))], single.names, single.head)),
      { numRuns: lines.length * 2 },
    );
  });

  it('swapping any two lines fails verification', () => {
    const lines = splitLines(single.bytes);
    fc.assert(
      fc.property(fc.nat({ max: lines.length - 1 }), fc.nat({ max: lines.length - 1 }), (i, j) => {
        fc.pre(i !== j);
        const swapped = [...lines];
        [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
        return !passes([joinLines(swapped)], single.names, single.head);
      }),
      { numRuns: 200 },
    );
  });

  it('splicing in a line of another chain (inserted or replacing one) fails verification', () => {
    const lines = splitLines(single.bytes);
    fc.assert(
      fc.property(fc.nat({ max: lines.length }), fc.nat({ max: foreign.length - 1 }), fc.boolean(), (at, from, replace) => {
        const spliced = [...lines];
        spliced.splice(at, replace ? 1 : 0, foreign[from]!);
        return !passes([joinLines(spliced)], single.names, single.head);
      }),
      { numRuns: 200 },
    );
  });
});
