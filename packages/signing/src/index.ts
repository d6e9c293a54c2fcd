/**
 * @packageDocumentation
 * `@mcptrust/signing`: signatures over the canonical form of a lockfile — Ed25519 keys
 * and signature files compatible with the Go mcptrust, Sigstore keyless signing and
 * verification, and the reproducible approval bundle (`approval.zip`).
 */
export { SigningError } from './errors.js';
export type { SigningErrorCode, SigningErrorOptions } from './errors.js';
export type { CanonVersion, SignatureHeader, SignatureMethod } from './signature.types.js';
export {
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  readPrivateKey,
  readPublicKey,
  writeKeyPair,
} from './keys.js';
export type { Ed25519KeyPair, WriteKeyPairOptions } from './keys.js';
export { formatSignatureFile, parseCanonVersion, parseSignatureFile } from './signature-file.js';
export type { ParsedSignature } from './signature-file.js';
export {
  DEFAULT_CANON_VERSION,
  MAX_LOCKFILE_BYTES,
  canonicalLockfileBytes,
  readLockfileText,
  signLockfile,
  signLockfileText,
  verifyLockfileText,
} from './lockfile-signature.js';
export type { Ed25519Verification, SignLockfileOptions, SignLockfileResult, VerifyTextSources } from './lockfile-signature.js';
export {
  GITHUB_ACTIONS_ISSUER,
  loadTrustedRoot,
  resolveIdentityToken,
  signLockfileSigstore,
  verifySigstoreBundle,
} from './sigstore.js';
export type {
  IdentityTokenSource,
  LoadedTrustedRoot,
  ResolveIdentityTokenOptions,
  SignLockfileSigstoreOptions,
  SignLockfileSigstoreResult,
  SigstoreIdentityPolicy,
  SigstoreVerification,
  VerifySigstoreOptions,
} from './sigstore.js';
export { verifyLockfileSignature } from './verify-lockfile.js';
export type { LockfileSignatureVerification, SigstoreVerifyOptions, VerifyLockfileSignatureOptions } from './verify-lockfile.js';
export { BUNDLE_ENTRIES, BUNDLE_LIMITS, exportApprovalBundle, renderBundleReadme, verifyApprovalBundle, writeApprovalBundle } from './approval-bundle.js';
export type {
  ApprovalBundleVerification,
  BundleManifest,
  ExportApprovalBundleOptions,
  ManifestEntry,
  VerifyApprovalBundleOptions,
} from './approval-bundle.js';
