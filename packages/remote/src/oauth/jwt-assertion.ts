/**
 * RFC 7523 client assertions (`private_key_jwt`, RFC 7521 §4.2; OpenID Connect Core §9):
 * a short-lived JWT signed with the client's private key, sent instead of a client secret
 * to the token endpoint. Built with `node:crypto` only. ES256 for an EC P-256 key, RS256
 * for an RSA key of at least 2048 bits; any other key is refused, naming its type and
 * never its content.
 */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { RemoteError } from '../errors.js';

/** The signature algorithms a client assertion can use. */
export type ClientAssertionAlgorithm = 'ES256' | 'RS256';

/** Options of {@link signClientAssertion}. */
export interface ClientAssertionOptions {
  /** The client id: `iss` and `sub` of the assertion. */
  clientId: string;
  /** The `aud` claim: the authorization server's issuer (or its token endpoint). */
  audience: string;
  /** The private key, PEM: PKCS#8, SEC1 EC (`EC PRIVATE KEY`) or PKCS#1 RSA (`RSA PRIVATE KEY`); not encrypted. */
  privateKeyPem: string;
  /** The `kid` header, naming the key at the authorization server. */
  keyId?: string;
  /** Seconds from `iat` to `exp`. Default 60, at most 300. */
  lifetimeSeconds?: number;
  /** Clock, in ms. Default `Date.now()`. */
  now?: number;
}

const DEFAULT_LIFETIME_SECONDS = 60;
const MAX_LIFETIME_SECONDS = 300;
const MIN_RSA_BITS = 2048;

/** Loads a PEM private key; errors say what is wrong without quoting the PEM. */
function loadKey(pem: string): KeyObject {
  if (typeof pem !== 'string' || !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new RemoteError('INVALID_OPTIONS', 'The private key is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----", "EC PRIVATE KEY" or "RSA PRIVATE KEY")');
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new RemoteError('INVALID_OPTIONS', 'The private key is encrypted with a passphrase; give an unencrypted PEM key (kept in a file only the CI job can read)');
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new RemoteError('INVALID_OPTIONS', `The private key could not be read as a PEM private key${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** The algorithm of a loaded key, or an error naming its type. */
function algorithmOf(key: KeyObject): ClientAssertionAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ES256';
    throw new RemoteError('INVALID_OPTIONS', `Unsupported private key: EC on curve ${String(details.namedCurve)}; client assertions use ES256 (EC P-256) or RS256 (RSA, 2048 bits or more)`);
  }
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits >= MIN_RSA_BITS) return 'RS256';
    throw new RemoteError('INVALID_OPTIONS', `Unsupported private key: RSA with ${bits} bits; RS256 needs at least ${MIN_RSA_BITS}`);
  }
  throw new RemoteError('INVALID_OPTIONS', `Unsupported private key type ${String(type)}; client assertions use ES256 (EC P-256) or RS256 (RSA, 2048 bits or more)`);
}

/**
 * The algorithm a client assertion signed with this key uses: checks the key up front
 * (before any network request).
 *
 * @param pem - the private key, PEM
 * @returns `ES256` (EC P-256) or `RS256` (RSA ≥ 2048 bits)
 * @throws RemoteError `INVALID_OPTIONS` (not a PEM private key, encrypted, another key
 *   type or curve, RSA under 2048 bits); the message never contains the key
 */
export function privateKeyAlgorithm(pem: string): ClientAssertionAlgorithm {
  return algorithmOf(loadKey(pem));
}

/** base64url of a JSON value. */
function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Signs an RFC 7523 client assertion: header `{alg, typ: "JWT", kid?}`, claims
 * `iss = sub = clientId`, `aud`, `iat`, `exp = iat + lifetime`, `jti` (a random UUID,
 * unique per assertion).
 *
 * @param options - {@link ClientAssertionOptions}
 * @returns the compact JWT
 * @throws RemoteError `INVALID_OPTIONS` (an unusable key, an empty client id or audience,
 *   a lifetime outside 1–300 s)
 */
export function signClientAssertion(options: ClientAssertionOptions): string {
  const { clientId, audience } = options;
  if (typeof clientId !== 'string' || clientId === '') throw new RemoteError('INVALID_OPTIONS', 'A client assertion needs a client id');
  if (typeof audience !== 'string' || audience === '') throw new RemoteError('INVALID_OPTIONS', 'A client assertion needs an audience');
  const lifetime = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_LIFETIME_SECONDS) {
    throw new RemoteError('INVALID_OPTIONS', `lifetimeSeconds must be an integer from 1 to ${MAX_LIFETIME_SECONDS}, got ${String(lifetime)}`);
  }
  if (options.keyId !== undefined && (typeof options.keyId !== 'string' || options.keyId === '')) throw new RemoteError('INVALID_OPTIONS', 'keyId must be a non-empty string');
  const key = loadKey(options.privateKeyPem);
  const alg = algorithmOf(key);
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const header = { alg, typ: 'JWT', ...(options.keyId === undefined ? {} : { kid: options.keyId }) };
  const claims = { iss: clientId, sub: clientId, aud: audience, iat, exp: iat + lifetime, jti: randomUUID() };
  const input = `${part(header)}.${part(claims)}`;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
