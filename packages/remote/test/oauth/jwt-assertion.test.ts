import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { RemoteError } from '../../src/errors.js';
import { privateKeyAlgorithm, signClientAssertion } from '../../src/oauth/jwt-assertion.js';

/** A key pair as PEM (private in the given encoding) and the public KeyObject. */
function ecKey(curve: string, type: 'pkcs8' | 'sec1' = 'pkcs8'): { pem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { pem: privateKey.export({ format: 'pem', type }) as string, publicKey };
}
function rsaKey(bits: number, type: 'pkcs8' | 'pkcs1' = 'pkcs8'): { pem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { pem: privateKey.export({ format: 'pem', type }) as string, publicKey };
}

const EC = ecKey('prime256v1');
const EC_SEC1 = ecKey('prime256v1', 'sec1');
const RSA = rsaKey(2048);
const RSA_PKCS1 = rsaKey(2048, 'pkcs1');

interface Decoded {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  input: string;
  signature: Buffer;
}
function decode(jwt: string): Decoded {
  const [h, c, s] = jwt.split('.');
  if (h === undefined || c === undefined || s === undefined) throw new Error('not a JWT');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>,
    input: `${h}.${c}`,
    signature: Buffer.from(s, 'base64url'),
  };
}
function verifies(jwt: string, publicKey: KeyObject): boolean {
  const { header, input, signature } = decode(jwt);
  return header['alg'] === 'ES256'
    ? verify('sha256', Buffer.from(input), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    : verify('sha256', Buffer.from(input), publicKey, signature);
}
function thrown(run: () => unknown): RemoteError {
  try {
    run();
  } catch (error) {
    if (error instanceof RemoteError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('signClientAssertion', () => {
  it('signs ES256 with an EC P-256 key (PKCS#8 and SEC1), a 64-byte IEEE P1363 signature that verifies', () => {
    for (const key of [EC, EC_SEC1]) {
      const jwt = signClientAssertion({ clientId: 'ci-bot', audience: 'https://as.example', privateKeyPem: key.pem, now: NOW });
      const { header, signature } = decode(jwt);
      expect(header).toEqual({ alg: 'ES256', typ: 'JWT' });
      expect(signature).toHaveLength(64);
      expect(verifies(jwt, key.publicKey)).toBe(true);
      expect(verifies(jwt, ecKey('prime256v1').publicKey)).toBe(false);
    }
  });

  it('signs RS256 with an RSA key (PKCS#8 and PKCS#1) that verifies', () => {
    for (const key of [RSA, RSA_PKCS1]) {
      const jwt = signClientAssertion({ clientId: 'ci-bot', audience: 'https://as.example', privateKeyPem: key.pem, keyId: 'k1', now: NOW });
      expect(decode(jwt).header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
      expect(verifies(jwt, key.publicKey)).toBe(true);
      expect(verifies(jwt, createPublicKey(rsaKey(2048).pem))).toBe(false);
    }
  });

  it('carries iss = sub = client id, aud, iat, exp = iat + 60 by default, and a UUID jti', () => {
    const { claims } = decode(signClientAssertion({ clientId: 'ci-bot', audience: 'https://as.example/', privateKeyPem: EC.pem, now: NOW + 999 }));
    expect(claims).toEqual({ iss: 'ci-bot', sub: 'ci-bot', aud: 'https://as.example/', iat: NOW / 1000, exp: NOW / 1000 + 60, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('takes a lifetime of up to 300 s and refuses more, zero or fractions', () => {
    const { claims } = decode(signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: EC.pem, lifetimeSeconds: 300, now: NOW }));
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(300);
    for (const lifetimeSeconds of [301, 0, 1.5, -5]) {
      const error = thrown(() => signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: EC.pem, lifetimeSeconds }));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(/lifetimeSeconds/);
    }
  });

  it('uses the clock when no time is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const { claims } = decode(signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: EC.pem }));
    expect(claims['iat']).toBeGreaterThanOrEqual(before);
    expect(claims['iat']).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('gives every assertion its own jti (1,000 assertions)', () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 1000; i += 1) seen.add(decode(signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: EC.pem, now: NOW })).claims['jti']);
    expect(seen.size).toBe(1000);
  });

  it('refuses an empty client id, audience or key id', () => {
    expect(thrown(() => signClientAssertion({ clientId: '', audience: 'a', privateKeyPem: EC.pem })).message).toMatch(/client id/);
    expect(thrown(() => signClientAssertion({ clientId: 'c', audience: '', privateKeyPem: EC.pem })).message).toMatch(/audience/);
    expect(thrown(() => signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: EC.pem, keyId: '' })).message).toMatch(/keyId/);
  });
});

describe('privateKeyAlgorithm', () => {
  it('names the algorithm of each supported key form', () => {
    expect(privateKeyAlgorithm(EC.pem)).toBe('ES256');
    expect(privateKeyAlgorithm(EC_SEC1.pem)).toBe('ES256');
    expect(privateKeyAlgorithm(RSA.pem)).toBe('RS256');
    expect(privateKeyAlgorithm(RSA_PKCS1.pem)).toBe('RS256');
  });

  it('refuses Ed25519, P-384 and RSA 1024 naming the key type, never the key', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const cases: Array<[string, RegExp]> = [
      [ed, /type ed25519/],
      [ecKey('secp384r1').pem, /curve secp384r1/],
      [rsaKey(1024).pem, /RSA with 1024 bits/],
    ];
    for (const [pem, message] of cases) {
      const error = thrown(() => privateKeyAlgorithm(pem));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(message);
      const body = pem.split('\n')[1] ?? '';
      expect(body.length).toBeGreaterThan(20);
      expect(error.message).not.toContain(body.slice(0, 20));
      // The signer refuses the same keys.
      expect(thrown(() => signClientAssertion({ clientId: 'c', audience: 'a', privateKeyPem: pem })).message).toMatch(message);
    }
  });

  it('refuses an encrypted PEM clearly (PKCS#8 and legacy Proc-Type)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    expect(sec1).toMatch(/Proc-Type: 4,ENCRYPTED/);
    for (const pem of [pkcs8, sec1]) {
      const error = thrown(() => privateKeyAlgorithm(pem));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(/encrypted with a passphrase/);
    }
  });

  it('refuses what is not a PEM private key: a public key, a certificate-like text, garbage, a broken body', () => {
    const secret = 'not-a-key-but-a-secret-0123456789';
    const cases = [EC.publicKey.export({ format: 'pem', type: 'spki' }) as string, secret, '-----BEGIN PRIVATE KEY-----\nAAAA' + secret + '\n-----END PRIVATE KEY-----\n'];
    for (const pem of cases) {
      const error = thrown(() => privateKeyAlgorithm(pem));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(/PEM private key/);
      expect(error.message).not.toContain(secret);
    }
  });
});
