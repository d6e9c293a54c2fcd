import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import type { GuardedClient, GuardedResponse } from '../../src/net/guarded-client.types.js';
import { fetchRegistryKeys, verifyRegistrySignature } from '../../src/provenance/registry-signatures.js';
import type { RegistryKey, RegistrySignatureInput } from '../../src/provenance/registry-signatures.js';

const NAME = '@acme/mcp-server';
const VERSION = '1.2.3';
const INTEGRITY = `sha512-${createHash('sha512').update('the pinned tarball bytes').digest('base64')}`;

function registryKey(curve: 'P-256' | 'P-384' = 'P-256'): { key: RegistryKey; sign(text: string): string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
  return {
    key: { keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: spki.toString('base64'), expires: null },
    sign: (text) => sign('sha256', Buffer.from(text), privateKey).toString('base64'),
  };
}

const signer = registryKey();
const { keyid } = signer.key;
const base: RegistrySignatureInput = {
  name: NAME,
  version: VERSION,
  integrity: INTEGRITY,
  signatures: [{ keyid, sig: signer.sign(`${NAME}@${VERSION}:${INTEGRITY}`) }],
  keys: [signer.key],
};

function refusal(input: RegistrySignatureInput): ArtifactError {
  try {
    verifyRegistrySignature(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).code).toBe('SIGNATURE_INVALID');
    return error as ArtifactError;
  }
  throw new Error('expected the registry signature to be refused');
}

describe('verifyRegistrySignature', () => {
  it('accepts the registry signature over name@version:integrity', () => {
    expect(verifyRegistrySignature(base)).toEqual({ keyid, verified: true });
  });

  it('refuses a signature over another integrity or made with another key', () => {
    const other = `sha512-${createHash('sha512').update('x').digest('base64')}`;
    expect(refusal({ ...base, integrity: other }).message).toContain(`the signature made with ${keyid} does not verify`);
    const impostor = registryKey();
    const forged = [{ keyid, sig: impostor.sign(`${NAME}@${VERSION}:${INTEGRITY}`) }];
    expect(refusal({ ...base, signatures: forged }).message).toContain('does not verify');
  });

  it('refuses a signature made with a key the registry does not publish', () => {
    expect(refusal({ ...base, keys: [registryKey().key] }).message).toContain(`no registry key ${keyid}`);
  });

  it('refuses a key that expired before the version was published', () => {
    const expired = { ...signer.key, expires: '2020-01-01T00:00:00.000Z' };
    expect(refusal({ ...base, keys: [expired], publishedAt: '2021-01-01T00:00:00.000Z' }).message).toContain('expired 2020-01-01');
    // Published before the expiry: the signature still counts.
    expect(verifyRegistrySignature({ ...base, keys: [expired], publishedAt: '2019-06-01T00:00:00.000Z' }).verified).toBe(true);
    // Publish time unknown: only a key valid now counts; an unparsable date fails closed.
    expect(refusal({ ...base, keys: [expired] }).message).toContain('publish time unknown');
    expect(verifyRegistrySignature({ ...base, keys: [expired], now: new Date('2019-06-01T00:00:00Z') }).verified).toBe(true);
    expect(refusal({ ...base, keys: [{ ...signer.key, expires: 'soon' }], publishedAt: '2021-01-01T00:00:00Z' }).message).toContain('expired soon');
  });

  it('says the registry did not sign when there is no signature at all', () => {
    for (const signatures of [undefined, null, []]) {
      const error = refusal({ ...base, signatures });
      expect(error.message).toContain(`the registry did not sign ${NAME}@${VERSION}`);
      expect(error.field).toBe('dist.signatures');
    }
    expect(refusal({ ...base, signatures: 'nope' }).message).toContain('is not a list of {keyid, sig}');
  });

  it('accepts only ECDSA P-256 keys', () => {
    const p384 = registryKey('P-384');
    const input = { ...base, signatures: [{ keyid: p384.key.keyid, sig: p384.sign(`${NAME}@${VERSION}:${INTEGRITY}`) }], keys: [p384.key] };
    expect(refusal(input).message).toContain('is not an ECDSA P-256 key');
    expect(refusal({ ...base, keys: [{ ...signer.key, keytype: 'ed25519' }] }).message).toContain('unsupported type ed25519');
  });

  it('uses whichever listed signature verifies (key rotation)', () => {
    const stale = { keyid: 'SHA256:retired', sig: 'AAAA' };
    expect(verifyRegistrySignature({ ...base, signatures: [stale, ...(base.signatures as unknown[])] })).toEqual({ keyid, verified: true });
  });
});

/** A GuardedClient answering one canned response and recording what was asked. */
function cannedClient(status: number, body: unknown): { client: GuardedClient; urls: string[]; headers: Array<Record<string, string> | undefined> } {
  const urls: string[] = [];
  const headers: Array<Record<string, string> | undefined> = [];
  const request = async (url: string, init?: { headers?: Record<string, string> }): Promise<GuardedResponse> => {
    urls.push(url);
    headers.push(init?.headers);
    return { status, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), url };
  };
  const unused = async (): Promise<never> => {
    throw new Error('only request() is expected');
  };
  return { client: { request, get: unused, getJson: unused }, urls, headers };
}

describe('fetchRegistryKeys', () => {
  it('reads the keys endpoint, sending the registry credentials', async () => {
    const { client, urls, headers } = cannedClient(200, { keys: [signer.key] });
    expect(await fetchRegistryKeys(client, 'https://registry.example/', { authorization: 'Bearer t' })).toEqual([signer.key]);
    expect(urls).toEqual(['https://registry.example/-/npm/v1/keys']);
    expect(headers[0]?.['authorization']).toBe('Bearer t');
  });

  it('returns undefined when the registry publishes no keys (404)', async () => {
    expect(await fetchRegistryKeys(cannedClient(404, 'not found').client, 'https://registry.example', {})).toBeUndefined();
  });

  it('refuses a malformed answer or another status, naming the URL', async () => {
    await expect(fetchRegistryKeys(cannedClient(200, { keys: [{ keyid: 1 }] }).client, 'https://registry.example/', {})).rejects.toThrow(
      /https:\/\/registry\.example\/-\/npm\/v1\/keys answered something other than/,
    );
    await expect(fetchRegistryKeys(cannedClient(200, '<html>').client, 'https://registry.example/', {})).rejects.toMatchObject({ code: 'RESOLVE_FAILED' });
    await expect(fetchRegistryKeys(cannedClient(500, '').client, 'https://registry.example/', {})).rejects.toThrow(/keys answered HTTP 500/);
  });
});
