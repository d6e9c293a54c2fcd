// Keyless signing end to end against the loopback Sigstore stack in support/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrustedRoot, resolveIdentityToken, signLockfileSigstore, verifyLockfileSignature } from '../src/index.js';
import { identityToken, startMockSigstore } from './support/sigstore-mock.mjs';
import type { MockSigstore } from './support/sigstore-mock.mjs';

const ISSUER = 'https://issuer.test';
const EMAIL = 'approver@example.test';
let stack: MockSigstore;
let dir: string;
let lockfilePath: string;
let trustedRootPath: string;

beforeAll(async () => {
  stack = await startMockSigstore();
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-sigstore-'));
  lockfilePath = join(dir, 'mcp-lock.json');
  await writeFile(lockfilePath, `${JSON.stringify({ lockFileVersion: '3.0', tools: { a: { riskLevel: 'LOW' } } }, null, 2)}\n`);
  trustedRootPath = join(dir, 'trusted_root.json');
  await writeFile(trustedRootPath, JSON.stringify(stack.trustedRoot));
  await signLockfileSigstore({ lockfilePath, identityToken: identityToken({ issuer: ISSUER, email: EMAIL }), fulcioUrl: stack.url, rekorUrl: stack.url, tsaUrl: stack.url });
});
afterAll(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const policy = (extra: Record<string, unknown> = {}) => ({ issuer: ISSUER, identity: EMAIL, trustedRootPath, ctLogThreshold: 0, ...extra });

describe('signLockfileSigstore', () => {
  it('used the loopback Fulcio, Rekor and TSA and wrote a bundle next to the lockfile', async () => {
    expect(stack.requests).toEqual(expect.arrayContaining(['/api/v2/signingCert', '/api/v1/log/entries', '/api/v1/timestamp']));
    const bundle = JSON.parse(await readFile(`${lockfilePath}.sigstore.json`, 'utf8')) as { mediaType: string };
    expect(bundle.mediaType).toMatch(/sigstore\.bundle/);
  });
});

describe('verifyLockfileSignature with sigstore', () => {
  it('accepts the signed lockfile and reports identity, issuer and the trusted root used', async () => {
    const result = await verifyLockfileSignature({ lockfilePath, sigstore: policy() });
    expect(result).toMatchObject({ method: 'sigstore', identity: EMAIL, issuer: ISSUER, trustedRoot: { source: 'file' } });
    await expect(verifyLockfileSignature({ lockfilePath, sigstore: policy({ identity: undefined, identityRegexp: /@example\.test$/ }) })).resolves.toMatchObject({ identity: EMAIL });
  });

  it('rejects a tampered lockfile with code SIGNATURE_INVALID', async () => {
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, (await readFile(lockfilePath, 'utf8')).replace('LOW', 'HIGH'));
    await expect(verifyLockfileSignature({ lockfilePath: tampered, signaturePath: `${lockfilePath}.sigstore.json`, sigstore: policy() })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it.each([
    ['identity', { identity: 'mallory@example.test' }],
    ['identity regexp', { identity: undefined, identityRegexp: /^someone-else@/ }],
    ['issuer', { issuer: 'https://other-issuer.test' }],
  ])('rejects the wrong %s with code SIGNATURE_INVALID', async (_what, extra) => {
    await expect(verifyLockfileSignature({ lockfilePath, sigstore: policy(extra) })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('rejects the bundle under the public-good root shipped with @sigstore/tuf with code SIGNATURE_INVALID', async () => {
    await expect(verifyLockfileSignature({ lockfilePath, sigstore: { issuer: ISSUER, identity: EMAIL } })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('loadTrustedRoot', () => {
  it('decodes the trusted root shipped inside @sigstore/tuf without network', async () => {
    const root = await loadTrustedRoot();
    expect(root.source).toBe('embedded');
    expect(root.trustedRoot.certificateAuthorities.length).toBeGreaterThan(0);
    expect(root.description).toMatch(/@sigstore\/tuf/);
  });

  it('refuses a file that is not a trusted root with code TRUSTED_ROOT_INVALID', async () => {
    const bad = join(dir, 'bad-root.json');
    await writeFile(bad, '[1,2');
    await expect(loadTrustedRoot({ path: bad })).rejects.toMatchObject({ code: 'TRUSTED_ROOT_INVALID', file: bad });
  });
});

describe('resolveIdentityToken', () => {
  let server: Server;
  let seen: { url?: string; auth?: string } = {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { url: req.url ?? '', auth: req.headers.authorization ?? '' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: 'gha-token' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('prefers the explicit token, then SIGSTORE_ID_TOKEN', async () => {
    await expect(resolveIdentityToken({ token: 't', env: { SIGSTORE_ID_TOKEN: 'e' } })).resolves.toEqual({ token: 't', source: 'explicit' });
    await expect(resolveIdentityToken({ env: { SIGSTORE_ID_TOKEN: 'e' } })).resolves.toEqual({ token: 'e', source: 'SIGSTORE_ID_TOKEN' });
  });

  it('asks the GitHub Actions token endpoint for audience sigstore with the request token', async () => {
    const address = server.address() as { port: number };
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${address.port}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' };
    await expect(resolveIdentityToken({ env })).resolves.toEqual({ token: 'gha-token', source: 'github-actions' });
    expect(seen.url).toBe('/token?api-version=2.0&audience=sigstore');
    expect(seen.auth).toBe('Bearer req');
  });

  it('fails with code SIGSTORE_FAILED when there is no token source', async () => {
    await expect(resolveIdentityToken({ env: {} })).rejects.toMatchObject({ code: 'SIGSTORE_FAILED' });
  });
});
