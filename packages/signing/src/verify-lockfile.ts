/**
 * The one entry point other commands (`proxy --key`, `check --key`) call before they
 * trust a lockfile: Ed25519 with a public key file, or Sigstore keyless with an
 * expected identity.
 */
import { SigningError } from './errors.js';
import { verifyEd25519File } from './lockfile-signature.js';
import { readLockfileText } from './lockfile-signature.js';
import { readSigstoreBundleText, verifySigstoreBundle } from './sigstore.js';
import type { LoadedTrustedRoot, SigstoreIdentityPolicy } from './sigstore.js';
import type { CanonVersion } from './signature.types.js';

/** Keyless verification settings of {@link verifyLockfileSignature}. */
export interface SigstoreVerifyOptions extends SigstoreIdentityPolicy {
  /** Trusted root file; the root shipped with `@sigstore/tuf` by default. */
  trustedRootPath?: string;
  /** SCTs required in the certificate (default 1; 0 for private instances without CT). */
  ctLogThreshold?: number;
}

/** Options of {@link verifyLockfileSignature}: exactly one of `publicKeyPath` / `sigstore`. */
export interface VerifyLockfileSignatureOptions {
  lockfilePath: string;
  /** Signature file (`<lockfile>.sig`) or Sigstore bundle (`<lockfile>.sigstore.json`) by default. */
  signaturePath?: string;
  /** Ed25519 public key file. */
  publicKeyPath?: string;
  /** Sigstore keyless policy. */
  sigstore?: SigstoreVerifyOptions;
}

/** A verified lockfile signature. */
export type LockfileSignatureVerification =
  | { method: 'ed25519'; signaturePath: string; canonVersion: CanonVersion; legacy: boolean }
  | {
      method: 'sigstore';
      signaturePath: string;
      identity: string;
      issuer: string;
      trustedRoot: Omit<LoadedTrustedRoot, 'trustedRoot'>;
    };

/**
 * Verifies a lockfile's signature and resolves only when it is valid.
 *
 * @throws SigningError `SIGNATURE_INVALID` when the signature was checked and does not
 * match (tampered lockfile, wrong key, wrong identity): a finding. Every other code
 * (`SIGNATURE_MISSING`, `SIGNATURE_FILE_INVALID`, `KEY_READ_FAILED`, `KEY_INVALID`,
 * `LOCKFILE_INVALID`, `TRUSTED_ROOT_INVALID`, `UNSUPPORTED_CANONICALIZATION`,
 * `SIGSTORE_FAILED`) means nothing could be verified: an operational error. Either
 * way the lockfile MUST NOT be trusted.
 */
export async function verifyLockfileSignature(options: VerifyLockfileSignatureOptions): Promise<LockfileSignatureVerification> {
  if ((options.publicKeyPath === undefined) === (options.sigstore === undefined)) {
    throw new SigningError('SIGSTORE_FAILED', 'verifyLockfileSignature needs exactly one of publicKeyPath or sigstore');
  }
  if (options.publicKeyPath !== undefined) {
    const result = await verifyEd25519File({
      lockfilePath: options.lockfilePath,
      publicKeyPath: options.publicKeyPath,
      ...(options.signaturePath === undefined ? {} : { signaturePath: options.signaturePath }),
    });
    return { method: 'ed25519', signaturePath: result.signaturePath, canonVersion: result.canonVersion, legacy: result.legacy };
  }
  const policy = options.sigstore as SigstoreVerifyOptions;
  const signaturePath = options.signaturePath ?? `${options.lockfilePath}.sigstore.json`;
  const text = await readLockfileText(options.lockfilePath);
  const bundleText = await readSigstoreBundleText(signaturePath);
  const result = await verifySigstoreBundle(text, bundleText, { ...policy, lockfileSource: options.lockfilePath, bundleSource: signaturePath });
  return { method: 'sigstore', signaturePath, ...result };
}
