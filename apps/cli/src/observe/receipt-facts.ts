/**
 * What a command adds to its receipt (lockfile, artifact, drift, policy, proxy
 * decisions, audit chain), and the receipt flags read from a raw command line for runs
 * that failed before their flags were parsed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Receipt, ReceiptMode } from '@mcptrust/audit';

/** The optional parts of a receipt a command fills in. */
export type ReceiptFacts = Partial<Pick<Receipt, 'lockfile' | 'artifact' | 'drift' | 'policy' | 'proxy' | 'chain'>>;

/** `--receipt` and `--receipt-mode` from a command line yargs did not parse (before `--` only). */
export function receiptFlagsFromArgv(argv: readonly string[]): { path: string; mode: ReceiptMode } | undefined {
  let path: string | undefined;
  let mode: ReceiptMode = 'overwrite';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[i + 1];
    if (name === '--receipt' && value !== undefined && value !== '' && !value.startsWith('-')) path = value;
    // An unknown mode appends: nothing already in the file is lost.
    if (name === '--receipt-mode') mode = value === 'overwrite' ? 'overwrite' : 'append';
  }
  return path === undefined ? undefined : { path, mode };
}

/**
 * What a receipt says about a lockfile: its SHA-256 and the artifact it pins, read
 * from the file as it is when the run ends (`lock` has just written it). Nothing when
 * it cannot be read.
 */
export async function lockfileFacts(path: string): Promise<Pick<ReceiptFacts, 'lockfile' | 'artifact'>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return {};
  }
  const lockfile = { path, sha256: createHash('sha256').update(bytes).digest('hex') };
  let artifact: ReceiptFacts['artifact'];
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { server?: { artifact?: unknown } };
    artifact = artifactReceipt(parsed.server?.artifact);
  } catch {
    artifact = undefined;
  }
  return artifact === undefined ? { lockfile } : { lockfile, artifact };
}

/** A policy rule's outcome, as the receipt needs it. */
interface RuleOutcome {
  name: string;
  status: string;
  severity: string;
  controlRefs?: readonly string[];
}

/**
 * The receipt's policy part (Go receipt v1 shape): `fail` when the check fails, `warn`
 * when only warnings were hit, else `pass`; `rules_hit` lists every rule that did not pass.
 */
export function policyReceipt(passed: boolean, rules: readonly RuleOutcome[], preset?: string): NonNullable<ReceiptFacts['policy']> {
  const hit = rules.filter((r) => r.status !== 'pass');
  return {
    ...(preset === undefined ? {} : { preset }),
    status: !passed ? 'fail' : hit.length > 0 ? 'warn' : 'pass',
    rules_hit: hit.map((r) => ({ name: r.name, severity: r.severity, ...(r.controlRefs === undefined || r.controlRefs.length === 0 ? {} : { control_refs: [...r.controlRefs] }) })),
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The receipt's artifact part from a lockfile's `server.artifact` pin (read loosely:
 * the receipt reports what the lockfile says, the pin was checked elsewhere).
 */
export function artifactReceipt(pin: unknown): ReceiptFacts['artifact'] {
  if (typeof pin !== 'object' || pin === null) return undefined;
  const p = pin as Record<string, unknown>;
  const type = p['type'];
  if (type !== 'npm' && type !== 'oci') return undefined;
  const name = type === 'npm' ? text(p['name']) : text(p['image']);
  if (name === undefined) return undefined;
  const pick = (key: string, as = key): Record<string, string> => (text(p[key]) === undefined ? {} : { [as]: text(p[key])! });
  const prov = typeof p['provenance'] === 'object' && p['provenance'] !== null ? (p['provenance'] as Record<string, unknown>) : undefined;
  return {
    type,
    name,
    ...(type === 'npm' ? pick('version') : pick('tag', 'version')),
    ...pick('registry'),
    ...pick('integrity'),
    ...pick('tarball_sha256'),
    ...pick('digest'),
    ...(prov === undefined || text(prov['method']) === undefined
      ? {}
      : {
          provenance: {
            method: text(prov['method'])!,
            verified: true,
            ...(text(prov['source_repo']) === undefined ? {} : { source_repo: text(prov['source_repo'])! }),
            ...(text(prov['builder_id']) === undefined ? {} : { builder_id: text(prov['builder_id'])! }),
            ...(text(prov['verified_at']) === undefined ? {} : { verified_at: text(prov['verified_at'])! }),
          },
        }),
  };
}
