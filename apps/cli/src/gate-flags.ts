/**
 * Flags shared by the commands that gate on a lockfile (`check`, `proxy`): which
 * signature must hold and which policy applies. Both are resolved before any server
 * is started, so a bad key, signature or rule is an operational error (exit 2), never
 * a half-run gate.
 */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { CheckDriftResult, DriftItem } from '@mcptrust/drift';
import { buildPolicyInput, evaluatePolicy, loadPolicy, loadPreset, PRESET_NAMES } from '@mcptrust/policy';
import type { LoadedPolicy, PolicyDriftItem, PolicyResult, PolicySignature } from '@mcptrust/policy';
import { GITHUB_ACTIONS_ISSUER, SigningError, verifyLockfileSignature } from '@mcptrust/signing';
import type { LockfileSignatureVerification, SigstoreVerifyOptions, VerifyLockfileSignatureOptions } from '@mcptrust/signing';
import { UsageError } from './exit-codes.js';
import { printable } from './output.js';
import { SIGNATURE_FLAG_SPECS } from './signature-flags.js';

/** Adds the signature flags (`--key` or keyless `--issuer` + `--identity`/`--identity-regexp`). */
export function signatureOptions<T>(y: Argv<T>): Argv<T> {
  let cli = y;
  for (const { name, ...option } of SIGNATURE_FLAG_SPECS) cli = cli.option(name, option) as Argv<T>;
  return cli;
}

/**
 * Builds the keyless policy from the flags. Returns undefined when no keyless flag is
 * given.
 */
export function sigstorePolicyFromFlags(argv: Record<string, unknown>): SigstoreVerifyOptions | undefined {
  const githubActions = argv['github-actions'] === true;
  const issuerFlag = argv['issuer'] === undefined ? undefined : String(argv['issuer']);
  const identity = argv['identity'] === undefined ? undefined : String(argv['identity']);
  const regexpText = argv['identity-regexp'] === undefined ? undefined : String(argv['identity-regexp']);
  const trustedRootPath = argv['trusted-root'] === undefined ? undefined : String(argv['trusted-root']);
  const keyless = githubActions || issuerFlag !== undefined || identity !== undefined || regexpText !== undefined;
  if (!keyless) {
    if (trustedRootPath !== undefined) throw new UsageError('--trusted-root needs --issuer and --identity (or --identity-regexp)');
    if (argv['insecure-ignore-sct'] === true) throw new UsageError('--insecure-ignore-sct needs --issuer and --identity (or --identity-regexp)');
    return undefined;
  }
  const issuer = issuerFlag ?? (githubActions ? GITHUB_ACTIONS_ISSUER : undefined);
  if (issuer === undefined || issuer.trim() === '') throw new UsageError('--issuer: expected the OIDC issuer URL (or --github-actions)');
  if ((identity === undefined) === (regexpText === undefined)) throw new UsageError('give exactly one of --identity SAN or --identity-regexp RE');
  if (identity !== undefined && identity.trim() === '') throw new UsageError('--identity: expected the certificate identity (email or URI)');
  let identityRegexp: RegExp | undefined;
  if (regexpText !== undefined) {
    try {
      // The pattern is the operator's own flag, never signer-supplied text.
      identityRegexp = new RegExp(regexpText, 'u');
    } catch (error) {
      throw new UsageError(`--identity-regexp: invalid regular expression: ${(error as Error).message}`);
    }
  }
  if (trustedRootPath !== undefined && trustedRootPath.trim() === '') throw new UsageError('--trusted-root: expected a file path');
  return {
    issuer,
    ...(identity === undefined ? {} : { identity }),
    ...(identityRegexp === undefined ? {} : { identityRegexp }),
    ...(trustedRootPath === undefined ? {} : { trustedRootPath }),
    ...(argv['insecure-ignore-sct'] === true ? { ctLogThreshold: 0 } : {}),
  };
}

/** The signature check the flags ask for, or undefined when none is asked for. */
export function signatureCheckFromFlags(argv: Record<string, unknown>, lockfilePath: string): VerifyLockfileSignatureOptions | undefined {
  const sigstore = sigstorePolicyFromFlags(argv);
  const key = argv['key'] === undefined ? undefined : String(argv['key']);
  if (sigstore !== undefined && key !== undefined) throw new UsageError('--key is for Ed25519 signatures; keyless verification uses --issuer/--identity');
  if (key?.trim() === '') throw new UsageError('--key: expected a public key file');
  const signaturePath = argv['signature'] === undefined ? undefined : String(argv['signature']);
  if (signaturePath !== undefined && sigstore === undefined && key === undefined) throw new UsageError('--signature needs --key or --issuer/--identity');
  if (signaturePath?.trim() === '') throw new UsageError('--signature: expected a file path');
  if (sigstore === undefined && key === undefined) return undefined;
  return {
    lockfilePath,
    ...(signaturePath === undefined ? {} : { signaturePath }),
    ...(sigstore === undefined ? { publicKeyPath: key } : { sigstore }),
  };
}

/** The outcome of a signature check: verified, or a finding (the signature does not hold). */
export type SignatureOutcome = { valid: true; verification: LockfileSignatureVerification } | { valid: false; reason: string };

/**
 * Verifies the lockfile signature. A signature that was checked and does not hold is a
 * finding (`valid: false`); anything that prevented checking (unreadable key, garbage
 * signature file) is thrown as the signing error (exit 2).
 */
export async function checkSignature(options: VerifyLockfileSignatureOptions): Promise<SignatureOutcome> {
  try {
    return { valid: true, verification: await verifyLockfileSignature(options) };
  } catch (error) {
    if (error instanceof SigningError && error.code === 'SIGNATURE_INVALID') return { valid: false, reason: error.message };
    throw error;
  }
}

/** One sentence describing a verified signature. */
export function describeVerification(v: LockfileSignatureVerification): string {
  return v.method === 'sigstore'
    ? `valid Sigstore signature (identity ${printable(v.identity)}, issuer ${printable(v.issuer)}; trusted root: ${v.trustedRoot.description})`
    : `valid Ed25519 signature (${v.signaturePath}, canonical form ${v.legacy ? 'legacy v1' : v.canonVersion})`;
}

/** The signature part of the policy input. */
export function policySignature(outcome: SignatureOutcome | undefined): PolicySignature {
  if (outcome === undefined) return { present: false, verified: false, method: '' };
  return outcome.valid ? { present: true, verified: true, method: outcome.verification.method } : { present: true, verified: false, method: '' };
}

/** Adds `--policy FILE` and `--preset NAME`. */
export function policyOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('policy', { type: 'string', describe: 'Evaluate this policy file (YAML, CEL rules)' })
    .option('preset', { type: 'string', choices: [...PRESET_NAMES], describe: 'Evaluate a built-in policy preset' })
    .conflicts('policy', 'preset') as Argv<T>;
}

/** Loads and compiles the policy the flags name (before any server starts), or undefined. */
export async function policyFromFlags(argv: Record<string, unknown>): Promise<LoadedPolicy | undefined> {
  const file = argv['policy'] === undefined ? undefined : String(argv['policy']);
  const preset = argv['preset'] === undefined ? undefined : String(argv['preset']);
  if (file !== undefined) {
    if (file.trim() === '') throw new UsageError('--policy: expected a file path');
    // The Go mcptrust took a preset name in --policy: say how to ask for one here
    // instead of a bare "cannot read" (a file of that name still wins).
    if ((PRESET_NAMES as readonly string[]).includes(file) && !existsSync(file)) {
      throw new UsageError(`--policy ${file}: no such policy file; for the shipped preset, use --preset ${file}`);
    }
    return loadPolicy(file);
  }
  return preset === undefined ? undefined : loadPreset(preset as (typeof PRESET_NAMES)[number]);
}

/** Drift items as the policy input describes them. */
export function toPolicyDriftItems(items: readonly DriftItem[]): PolicyDriftItem[] {
  return items.map((item) => {
    const last = item.pathSegments[item.pathSegments.length - 1];
    return {
      kind: item.kind,
      itemType: item.itemType,
      id: item.itemId,
      severity: item.severity,
      fields: typeof last === 'string' && last.endsWith('Hash') ? [last] : [],
      rule: item.rule,
      path: item.path,
      message: item.message,
    };
  });
}

/** Evaluates a policy over a drift check's scan, lockfile and drift, with the signature outcome. */
export function evaluateGatePolicy(policy: LoadedPolicy, result: CheckDriftResult, signature: SignatureOutcome | undefined): PolicyResult {
  const input = buildPolicyInput(result.scan, { lockfile: result.lockfile, drift: toPolicyDriftItems(result.items), signature: policySignature(signature) });
  return evaluatePolicy(policy, input);
}
