/**
 * A loopback Sigstore for provenance tests: the @sigstore/mock Fulcio and Rekor behind
 * one node:http server on 127.0.0.1, the trusted root that matches them, and helpers
 * that sign npm-style SLSA provenance with a GitHub-Actions-like identity. Fulcio maps
 * the token's claims to certificate extensions: `iss` → issuer (.1.1 raw and .1.8
 * DER), `repository` → source repository URI `https://github.com/<repository>`
 * (.1.12), `sha` → commit (.1.13), `ref` → ref (.1.14), `job_workflow_ref` → build
 * signer URI (.1.9). The mock takes the SAN from `sub` (real Fulcio derives it from
 * `job_workflow_ref`), so the token's `sub` is set to the SAN GitHub would get. The
 * mock CA issues no SCTs, so the root has no CT log (verification then needs none).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeTLog, rekorHandler } from '@sigstore/mock';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { attest } from 'sigstore';

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const b64 = (buf: Uint8Array): string => Buffer.from(buf).toString('base64');

/** The running stack. */
export interface MockSigstore {
  url: string;
  /** The trusted root (protobuf form) matching the mock CA and log. */
  trustedRoot: TrustedRoot;
  /** The same root as JSON (for a --trusted-root file). */
  trustedRootJson: Record<string, unknown>;
  close(): Promise<void>;
}

/** Claims of the identity token (GitHub Actions shape). */
export interface GithubClaims {
  issuer?: string;
  repository?: string;
  ref?: string;
  sha?: string;
  workflowPath?: string;
}

/** An unsigned identity token as the mock Fulcio accepts it. */
export function githubIdentityToken(claims: GithubClaims = {}): string {
  const repository = claims.repository ?? 'o/r';
  const ref = claims.ref ?? 'refs/tags/v1.0.0';
  const workflow = claims.workflowPath ?? '.github/workflows/release.yml';
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: claims.issuer ?? 'https://token.actions.githubusercontent.com',
    sub: `https://github.com/${repository}/${workflow}@${ref}`,
    aud: 'sigstore',
    iat: now,
    exp: now + 600,
    repository,
    ref,
    sha: claims.sha ?? '0123456789abcdef0123456789abcdef01234567',
    job_workflow_ref: `${repository}/${workflow}@${ref}`,
    event_name: 'push',
  };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** Starts Fulcio and Rekor on loopback. */
export async function startMockSigstore(): Promise<MockSigstore> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ca = await initializeCA(keyPair());
  const tlog = await initializeTLog(url, keyPair());
  const handlers = [fulcioHandler(ca), rekorHandler(tlog)];
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handler = handlers.find((h) => h.path === req.url);
      if (handler === undefined || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      handler.fn(Buffer.concat(chunks).toString()).then(
        (r) => res.writeHead(r.statusCode, { 'content-type': r.contentType ?? 'text/plain' }).end(r.response),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
  });
  const start = new Date(Date.now() - 3600_000).toISOString();
  const trustedRootJson = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(tlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
      },
    ],
    certificateAuthorities: [{ subject: { organization: 'mcptrust-test', commonName: 'mock fulcio' }, uri: url, certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: { start } }],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return {
    url,
    trustedRoot: TrustedRoot.fromJSON(trustedRootJson),
    trustedRootJson,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** How {@link signStatement} signs. */
export interface SignOptions {
  /** DSSE payload type (default `application/vnd.in-toto+json`). */
  payloadType?: string;
}

/** Signs an in-toto statement as a DSSE bundle (what the attestations endpoint serves). */
export async function signStatement(stack: MockSigstore, statement: unknown, claims: GithubClaims = {}, options: SignOptions = {}): Promise<unknown> {
  const bundle = await attest(Buffer.from(JSON.stringify(statement)), options.payloadType ?? 'application/vnd.in-toto+json', {
    fulcioURL: stack.url,
    rekorURL: stack.url,
    identityToken: githubIdentityToken(claims),
    tlogUpload: true,
    // An intoto Rekor entry and a certificate chain, as npm's published bundles carry.
    // (The mock Rekor stores proposed entries verbatim, so dsse entries, which the
    // real Rekor rewrites into hashes, cannot be verified against it.)
    legacyCompatibility: true,
    retry: 0,
  });
  return bundle;
}
