import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { ArtifactError } from '../../src/errors.js';
import { normalizeIntegrity, sha512HexFromIntegrity, verifyTarball } from '../../src/npm/verify-bytes.js';

const bytes = Buffer.from('the pinned tarball bytes');
const other = Buffer.from('some other tarball bytes');
const sri = (b: Buffer) => `sha512-${createHash('sha512').update(b).digest('base64')}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha1Sri = `sha1-${createHash('sha1').update(bytes).digest('base64')}`;

function failure(fn: () => void): ArtifactError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected a failure');
}

describe('verifyTarball', () => {
  it.each([
    ['sha512 only', { integrity: sri(bytes) }],
    ['sha512, sha256 and size', { integrity: sri(bytes), sha256: sha256(bytes), size: bytes.length }],
    ['upper-case sha256', { integrity: sri(bytes), sha256: sha256(bytes).toUpperCase() }],
    ['sha512 next to a sha1', { integrity: `${sha1Sri} ${sri(bytes)}` }],
  ])('accepts matching bytes (%s)', (_label, expected) => {
    expect(() => verifyTarball(bytes, expected, 'server.artifact')).not.toThrow();
  });

  it.each([
    ['integrity', { integrity: sri(other) }, 'server.artifact.integrity', sri(other), sri(bytes)],
    ['sha256', { integrity: sri(bytes), sha256: sha256(other) }, 'server.artifact.tarball_sha256', sha256(other), sha256(bytes)],
    ['size', { integrity: sri(bytes), size: bytes.length + 1 }, 'server.artifact.tarball_size', String(bytes.length + 1), String(bytes.length)],
  ])('refuses a %s mismatch naming the field and both values', (_label, expected, field, want, found) => {
    const error = failure(() => verifyTarball(bytes, expected, 'server.artifact'));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.field).toBe(field);
    expect(error.expected).toBe(want);
    expect(error.found).toBe(found);
    expect(error.message).toContain(field);
    expect(error.message).toContain(want);
    expect(error.message).toContain(found);
  });

  it('names the tree entry and its path', () => {
    const error = failure(() => verifyTarball(bytes, { integrity: sri(other) }, 'server.artifact.tree[3] (node_modules/x)'));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.field).toBe('server.artifact.tree[3].integrity');
    expect(error.message).toContain('node_modules/x');
  });

  it.each([
    ['sha1-only', sha1Sri],
    ['empty', ''],
    ['malformed sha512', 'sha512-not-base64!'],
    ['two different sha512', `${sri(bytes)} ${sri(other)}`],
  ])('refuses a %s pin as INVALID_PIN naming the field', (_label, integrity) => {
    const error = failure(() => verifyTarball(bytes, { integrity }, 'server.artifact.tree[0] (node_modules/a)'));
    expect(error.code).toBe('INVALID_PIN');
    expect(error.field).toBe('server.artifact.tree[0].integrity');
  });

  it('refuses a malformed sha256 or size in the pin', () => {
    expect(failure(() => verifyTarball(bytes, { integrity: sri(bytes), sha256: 'xyz' }, 'server.artifact')).field).toBe('server.artifact.tarball_sha256');
    expect(failure(() => verifyTarball(bytes, { integrity: sri(bytes), size: -1 }, 'server.artifact')).field).toBe('server.artifact.tarball_size');
  });

  it('normalises an SRI to its sha512 part', () => {
    expect(normalizeIntegrity(`${sha1Sri} ${sri(bytes)}`, 'f')).toBe(sri(bytes));
    expect(sha512HexFromIntegrity(sri(bytes), 'f')).toBe(createHash('sha512').update(bytes).digest('hex'));
  });
});
