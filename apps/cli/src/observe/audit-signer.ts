/**
 * `--audit-key`: the audit log's signer from a key file in the format of
 * `mcptrust keygen`. Its own module, imported only when the flag is given, so the
 * bundle puts exactly this in its chunk: the key reader of the signing package, not the
 * package with Sigstore (~90 ms to load).
 */
import { createAuditSigner } from '@mcptrust/audit';
import type { AuditSigner } from '@mcptrust/audit';
import { readPrivateKey } from '@mcptrust/signing/keys';

/** Reads the Ed25519 private key at `path` and makes the audit log's signer of it. */
export async function auditSignerFrom(path: string): Promise<AuditSigner> {
  const pair = await readPrivateKey(path);
  return createAuditSigner(pair.seed, pair.publicKey);
}
