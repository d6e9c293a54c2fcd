/**
 * Sigstore keyless signatures over a lockfile: the RFC 8785 canonical form of the
 * lockfile is signed with a short-lived Fulcio certificate bound to an OIDC identity
 * and logged in Rekor (and optionally timestamped by a TSA). Verification never
 * refreshes TUF: it uses the trusted root file given, or the one shipped inside
 * `@sigstore/tuf`, and says which.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { Signer } from '@sigstore/verify';
import { sign as sigstoreSign, DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL } from 'sigstore';
import { SigningError } from './errors.js';
import { decodeUtf8, readBounded, writeAtomic } from './files.js';
import { canonicalLockfileBytes, readLockfileText } from './lockfile-signature.js';

/** The OIDC issuer of GitHub Actions workload identity tokens. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** The TUF mirror whose shipped seed holds the public-good trusted root. */
const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
const MAX_BUNDLE_BYTES = 1024 * 1024;
const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;

/** Where an identity token may come from, in order of precedence. */
export interface ResolveIdentityTokenOptions {
  /** An explicit token (`--identity-token`). */
  token?: string;
  /** The environment: `SIGSTORE_ID_TOKEN`, then GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`. */
  env?: Record<string, string | undefined>;
  /** Aborts the GitHub Actions token request. */
  signal?: AbortSignal;
}

/** Which source {@link resolveIdentityToken} used. */
export type IdentityTokenSource = 'explicit' | 'SIGSTORE_ID_TOKEN' | 'github-actions';

/**
 * Finds the OIDC identity token for keyless signing.
 * @throws SigningError `SIGSTORE_FAILED` when there is none or the request fails
 */
export async function resolveIdentityToken(options: ResolveIdentityTokenOptions = {}): Promise<{ token: string; source: IdentityTokenSource }> {
  if (options.token !== undefined && options.token !== '') return { token: options.token, source: 'explicit' };
  const env = options.env ?? {};
  const fromEnv = env['SIGSTORE_ID_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, source: 'SIGSTORE_ID_TOKEN' };
  const url = env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const bearer = env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (url !== undefined && url !== '' && bearer !== undefined && bearer !== '') {
    let body: unknown;
    try {
      const request = new URL(url);
      request.searchParams.set('audience', 'sigstore');
      const response = await fetch(request, {
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new SigningError('SIGSTORE_FAILED', `cannot get the GitHub Actions OIDC token: ${(error as Error).message} (does the job have "permissions: id-token: write"?)`, { cause: error });
    }
    const value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
    if (typeof value !== 'string' || value === '') throw new SigningError('SIGSTORE_FAILED', 'the GitHub Actions OIDC token response has no "value"');
    return { token: value, source: 'github-actions' };
  }
  throw new SigningError(
    'SIGSTORE_FAILED',
    'no identity token: pass --identity-token, set SIGSTORE_ID_TOKEN, or run in GitHub Actions with "permissions: id-token: write"',
  );
}

/** Options of {@link signLockfileSigstore}. */
export interface SignLockfileSigstoreOptions {
  lockfilePath: string;
  /** Where the Sigstore bundle (JSON) goes; `<lockfile>.sigstore.json` by default. */
  bundlePath?: string;
  /** The OIDC identity token (see {@link resolveIdentityToken}). */
  identityToken: string;
  /** Fulcio (certificate authority); the public-good instance by default. */
  fulcioUrl?: string;
  /** Rekor (transparency log); the public-good instance by default. */
  rekorUrl?: string;
  /** RFC 3161 timestamp authority; none by default (Rekor's integrated time is used). */
  tsaUrl?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** What {@link signLockfileSigstore} wrote. */
export interface SignLockfileSigstoreResult {
  bundlePath: string;
}

/**
 * Signs a lockfile keyless and writes the Sigstore bundle atomically.
 * @throws SigningError `SIGSTORE_FAILED`, `LOCKFILE_INVALID`, `WRITE_FAILED`
 */
export async function signLockfileSigstore(options: SignLockfileSigstoreOptions): Promise<SignLockfileSigstoreResult> {
  const text = await readLockfileText(options.lockfilePath);
  const payload = Buffer.from(canonicalLockfileBytes(text, 'v2', options.lockfilePath));
  let bundle: unknown;
  try {
    bundle = await sigstoreSign(payload, {
      identityToken: options.identityToken,
      fulcioURL: options.fulcioUrl ?? DEFAULT_FULCIO_URL,
      rekorURL: options.rekorUrl ?? DEFAULT_REKOR_URL,
      ...(options.tsaUrl === undefined ? {} : { tsaServerURL: options.tsaUrl }),
      timeout: options.timeoutMs ?? 30_000,
      retry: 0,
    });
  } catch (error) {
    throw new SigningError('SIGSTORE_FAILED', `keyless signing failed: ${(error as Error).message}`, { cause: error });
  }
  const bundlePath = options.bundlePath ?? `${options.lockfilePath}.sigstore.json`;
  await writeAtomic(bundlePath, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o644, overwrite: true, what: 'Sigstore bundle' });
  return { bundlePath };
}

/** A loaded trusted root and where it came from. */
export interface LoadedTrustedRoot {
  trustedRoot: TrustedRoot;
  /** `file` (given by the operator) or `embedded` (the seed shipped in `@sigstore/tuf`). */
  source: 'file' | 'embedded';
  /** Human description for the operator ("the trusted root file x", ...). */
  description: string;
}

function toTrustedRoot(json: unknown, source: string): TrustedRoot {
  try {
    if (typeof json !== 'object' || json === null) throw new Error('not a JSON object');
    return TrustedRoot.fromJSON(json);
  } catch (error) {
    throw new SigningError('TRUSTED_ROOT_INVALID', `${source} is not a Sigstore trusted root: ${(error as Error).message}`, { cause: error, file: source });
  }
}

/**
 * Loads the trusted root: the given file, or the public-good root shipped inside
 * `@sigstore/tuf` (no network: it is as fresh as the installed package).
 * @throws SigningError `TRUSTED_ROOT_INVALID`
 */
export async function loadTrustedRoot(options: { path?: string } = {}): Promise<LoadedTrustedRoot> {
  if (options.path !== undefined) {
    const bytes = await readBounded(options.path, { what: 'trusted root', maxBytes: MAX_TRUSTED_ROOT_BYTES, missing: 'TRUSTED_ROOT_INVALID', failed: 'TRUSTED_ROOT_INVALID' });
    let json: unknown;
    try {
      json = JSON.parse(decodeUtf8(bytes, options.path, 'trusted root', 'TRUSTED_ROOT_INVALID'));
    } catch (error) {
      if (error instanceof SigningError) throw error;
      throw new SigningError('TRUSTED_ROOT_INVALID', `trusted root ${options.path} is not JSON`, { cause: error, file: options.path });
    }
    return { trustedRoot: toTrustedRoot(json, options.path), source: 'file', description: `the trusted root file ${options.path}` };
  }
  let seeds: unknown;
  try {
    seeds = ((await import('@sigstore/tuf/seeds.json', { with: { type: 'json' } })) as { default: unknown }).default;
  } catch (error) {
    throw new SigningError('TRUSTED_ROOT_INVALID', 'the trusted root shipped with @sigstore/tuf cannot be loaded', { cause: error });
  }
  const target = (seeds as Record<string, { targets?: Record<string, unknown> } | undefined>)[PUBLIC_GOOD_TUF_MIRROR]?.targets?.['trusted_root.json'];
  if (typeof target !== 'string') throw new SigningError('TRUSTED_ROOT_INVALID', 'the @sigstore/tuf seed holds no trusted_root.json');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(target, 'base64').toString('utf8'));
  } catch (error) {
    throw new SigningError('TRUSTED_ROOT_INVALID', 'the trusted_root.json shipped with @sigstore/tuf is not JSON', { cause: error });
  }
  return {
    trustedRoot: toTrustedRoot(json, '@sigstore/tuf seeds.json'),
    source: 'embedded',
    description: `the Sigstore public-good trusted root shipped with @sigstore/tuf (offline; not refreshed from ${PUBLIC_GOOD_TUF_MIRROR})`,
  };
}

/** The identity a keyless signature must carry. */
export interface SigstoreIdentityPolicy {
  /** Exact OIDC issuer (certificate extension 1.3.6.1.4.1.57264.1.8). */
  issuer: string;
  /** Exact subject alternative name (email or URI). */
  identity?: string;
  /** Regular expression the SAN must match (written by the operator, never by the signer). */
  identityRegexp?: RegExp;
}

/** Options of {@link verifySigstoreBundle}. */
export interface VerifySigstoreOptions extends SigstoreIdentityPolicy {
  /** Trusted root file; the one shipped with `@sigstore/tuf` by default. */
  trustedRootPath?: string;
  /**
   * Certificate transparency SCTs required in the Fulcio certificate (default 1). 0
   * is for private instances without a CT log.
   */
  ctLogThreshold?: number;
}

/** Outcome of a successful keyless verification. */
export interface SigstoreVerification {
  /** The certificate's SAN. */
  identity: string;
  /** The certificate's OIDC issuer. */
  issuer: string;
  /** Which trusted root was used. */
  trustedRoot: Omit<LoadedTrustedRoot, 'trustedRoot'>;
}

/**
 * Verifies a Sigstore bundle (JSON text) over lockfile text: certificate chain to the
 * trusted root, transparency log entry, signature over the canonical lockfile, and
 * the identity policy.
 * @throws SigningError `SIGNATURE_INVALID` (finding), `SIGNATURE_FILE_INVALID`,
 * `TRUSTED_ROOT_INVALID`, `LOCKFILE_INVALID`
 */
export async function verifySigstoreBundle(
  lockfileText: string,
  bundleText: string,
  options: VerifySigstoreOptions & { lockfileSource?: string; bundleSource?: string },
): Promise<SigstoreVerification> {
  const bundleSource = options.bundleSource ?? 'Sigstore bundle';
  const lockSource = options.lockfileSource ?? 'lockfile';
  if (options.identity === undefined && options.identityRegexp === undefined) {
    throw new SigningError('SIGSTORE_FAILED', 'keyless verification needs an expected identity (exact SAN or regular expression)');
  }
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(JSON.parse(bundleText));
  } catch (error) {
    throw new SigningError('SIGNATURE_FILE_INVALID', `${bundleSource} is not a Sigstore bundle: ${(error as Error).message}`, { cause: error, file: bundleSource });
  }
  const root = await loadTrustedRoot(options.trustedRootPath === undefined ? {} : { path: options.trustedRootPath });
  const payload = Buffer.from(canonicalLockfileBytes(lockfileText, 'v2', lockSource));
  let signer: Signer;
  try {
    const verifier = new Verifier(toTrustMaterial(root.trustedRoot), { tlogThreshold: 1, ctlogThreshold: options.ctLogThreshold ?? 1 });
    signer = verifier.verify(toSignedEntity(bundle, payload));
  } catch (error) {
    // Everything past parsing is a verdict on attacker-controlled material: a bad
    // chain, log entry or signature is the same finding as a tampered lockfile.
    throw new SigningError('SIGNATURE_INVALID', `Sigstore signature of ${lockSource} is INVALID: ${(error as Error).message} (trusted root: ${root.description})`, { cause: error, file: lockSource });
  }
  const identity = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  if (issuer !== options.issuer) {
    throw new SigningError('SIGNATURE_INVALID', `Sigstore signature of ${lockSource} was made by issuer "${issuer}", expected "${options.issuer}" (trusted root: ${root.description})`, { file: lockSource });
  }
  const identityOk = options.identity !== undefined ? identity === options.identity : options.identityRegexp?.test(identity) === true;
  if (!identityOk) {
    const expected = options.identity !== undefined ? `"${options.identity}"` : `a match of /${options.identityRegexp?.source ?? ''}/`;
    throw new SigningError('SIGNATURE_INVALID', `Sigstore signature of ${lockSource} was made by "${identity}", expected ${expected} (trusted root: ${root.description})`, { file: lockSource });
  }
  return { identity, issuer, trustedRoot: { source: root.source, description: root.description } };
}

/** Reads a Sigstore bundle file as text (bounded). */
export async function readSigstoreBundleText(path: string): Promise<string> {
  const bytes = await readBounded(path, { what: 'Sigstore bundle', maxBytes: MAX_BUNDLE_BYTES, missing: 'SIGNATURE_MISSING', failed: 'SIGNATURE_FILE_INVALID' });
  return decodeUtf8(bytes, path, 'Sigstore bundle', 'SIGNATURE_FILE_INVALID');
}
