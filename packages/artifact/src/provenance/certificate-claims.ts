/**
 * The claims Fulcio puts in a signing certificate: identity (SAN), OIDC issuer and,
 * for CI workloads, the source repository, commit and ref
 * (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
 */
import { X509Certificate } from '@sigstore/core';

/** OIDs of the Fulcio extensions read here. */
export const FULCIO_OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  issuerV2: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
} as const;

/** What a signing certificate says about who signed. */
export interface CertificateClaims {
  identity?: string;
  issuer?: string;
  buildSignerUri?: string;
  sourceRepository?: string;
  sourceCommit?: string;
  sourceRef?: string;
}

/** Reads a DER UTF8String (the v2 extension encoding). */
function derUtf8(value: Buffer): string | undefined {
  if (value.length < 2 || value[0] !== 0x0c) return undefined;
  let length = value[1]!;
  let offset = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 4 || value.length < 2 + bytes) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + value[2 + i]!;
    offset = 2 + bytes;
  }
  if (offset + length !== value.length) return undefined;
  return value.subarray(offset).toString('utf8');
}

/** Reads the claims of a DER certificate. */
export function certificateClaims(der: Uint8Array): CertificateClaims {
  const cert = X509Certificate.parse(Buffer.from(der));
  const text = (oid: string): string | undefined => {
    const ext = cert.extension(oid);
    return ext === undefined ? undefined : derUtf8(ext.value);
  };
  const legacyIssuer = cert.extension(FULCIO_OID.issuerV1)?.value.toString('utf8');
  const san = cert.extSubjectAltName;
  const claims: CertificateClaims = {};
  const identity = san?.uri ?? san?.rfc822Name;
  const issuer = text(FULCIO_OID.issuerV2) ?? legacyIssuer;
  const entries: Array<[keyof CertificateClaims, string | undefined]> = [
    ['identity', identity],
    ['issuer', issuer],
    ['buildSignerUri', text(FULCIO_OID.buildSignerUri)],
    ['sourceRepository', text(FULCIO_OID.sourceRepositoryUri)],
    ['sourceCommit', text(FULCIO_OID.sourceRepositoryDigest)],
    ['sourceRef', text(FULCIO_OID.sourceRepositoryRef)],
  ];
  for (const [key, value] of entries) if (value !== undefined && value !== '') claims[key] = value;
  return claims;
}
