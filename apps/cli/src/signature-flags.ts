/**
 * The signature flags, described once for every command that checks a lockfile
 * signature (`verify`, `check`, `proxy`). This module imports nothing, so the proxy's
 * fast path can read it without loading the signing code.
 */

/** One signature flag: its yargs shape. */
export interface SignatureFlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly default?: boolean;
  readonly describe: string;
}

/** Every signature flag: `--key` (Ed25519) or keyless `--issuer` + `--identity`/`--identity-regexp`. */
export const SIGNATURE_FLAG_SPECS: readonly SignatureFlagSpec[] = [
  { name: 'key', type: 'string', describe: 'Ed25519 public key the lockfile signature must verify with' },
  { name: 'signature', type: 'string', describe: 'Signature file (default <lockfile>.sig, or <lockfile>.sigstore.json when keyless)' },
  { name: 'issuer', type: 'string', describe: 'Keyless (Sigstore): the OIDC issuer the signature must come from' },
  { name: 'identity', type: 'string', describe: 'Keyless: expected certificate identity (email or URI), exact' },
  { name: 'identity-regexp', type: 'string', describe: 'Keyless: regular expression the identity must match (anchor it with ^…$)' },
  { name: 'github-actions', type: 'boolean', default: false, describe: 'Keyless: the issuer is GitHub Actions (https://token.actions.githubusercontent.com)' },
  { name: 'trusted-root', type: 'string', describe: 'Keyless: Sigstore trusted_root.json (default: the root shipped with mcptrust, offline)' },
  { name: 'insecure-ignore-sct', type: 'boolean', default: false, describe: 'Keyless: do not require a CT log SCT (private instances without CT)' },
];
