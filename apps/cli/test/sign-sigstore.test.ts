// Keyless sign/verify through the built CLI against a loopback Sigstore stack
// (@sigstore/mock Fulcio, Rekor and TSA on 127.0.0.1, self-made trusted root).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE, runCli } from './helpers.js';

const MOCK = fileURLToPath(new URL('../../../packages/signing/test/support/sigstore-mock.mjs', import.meta.url));
const ISSUER = 'https://issuer.test';
const EMAIL = 'approver@example.test';

let dir: string;
let mock: ChildProcess | undefined;
let url: string;
let root: string;
let lock: string;

function token(): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, sub: EMAIL, email: EMAIL, email_verified: true, aud: 'sigstore', iat: now, exp: now + 600 })}.`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-keyless-'));
  root = join(dir, 'trusted_root.json');
  lock = join(dir, 'mcp-lock.json');
  await writeFile(lock, `${JSON.stringify({ lockFileVersion: '3.0', tools: { echo: { riskLevel: 'LOW' } } }, null, 2)}\n`);
  const child = spawn(NODE, [MOCK, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  mock = child;
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0] as string) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`mock Sigstore exited with ${String(code)}`)));
  });
});
afterAll(async () => {
  if (mock?.pid !== undefined) process.kill(mock.pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const verifyArgs = (extra: string[]): string[] => ['verify', '--trusted-root', root, '--insecure-ignore-sct', '--issuer', ISSUER, ...extra];

describe('mcptrust sign --sigstore / verify --issuer', () => {
  it('signs with a token from SIGSTORE_ID_TOKEN, verifies (exit 0) and names the trusted root', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const signed = await runCli(['sign', '--sigstore', '--fulcio-url', url, '--rekor-url', url, '--tsa-url', url, lock], { env: { SIGSTORE_ID_TOKEN: token() } });
    expect(signed.stderr).toMatch(/bundle written/);
    expect(signed.code).toBe(0);
    expect(JSON.parse(await readFile(`${lock}.sigstore.json`, 'utf8'))).toHaveProperty('verificationMaterial');
    const ok = await runCli(verifyArgs(['--identity', EMAIL, lock]));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`trusted root: the trusted root file ${root}`);
    expect((await runCli(verifyArgs(['--identity-regexp', '^approver@example\\.test$', lock]))).code).toBe(0);
  });

  it('exits 1 for a tampered lockfile, the wrong identity and the wrong issuer', async () => {
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, (await readFile(lock, 'utf8')).replace('LOW', 'HIGH'));
    expect((await runCli(verifyArgs(['--identity', EMAIL, '--signature', `${lock}.sigstore.json`, tampered]))).code).toBe(1);
    expect((await runCli(verifyArgs(['--identity', 'mallory@example.test', lock]))).code).toBe(1);
    const wrongIssuer = await runCli(['verify', '--trusted-root', root, '--insecure-ignore-sct', '--issuer', 'https://evil.test', '--identity', EMAIL, lock]);
    expect(wrongIssuer.code).toBe(1);
    expect(wrongIssuer.stderr).toContain('https://issuer.test');
  });

  it('says it used the root shipped with @sigstore/tuf when no --trusted-root is given (and rejects the mock chain, exit 1)', async () => {
    const r = await runCli(['verify', '--issuer', ISSUER, '--identity', EMAIL, lock]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/@sigstore\/tuf/);
  });

  it('exits 2 without an identity token, and for --identity together with --identity-regexp', async () => {
    const noToken = await runCli(['sign', '--sigstore', '--fulcio-url', url, '--rekor-url', url, lock], {
      env: { SIGSTORE_ID_TOKEN: undefined, ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/identity token/);
    expect((await runCli(verifyArgs(['--identity', EMAIL, '--identity-regexp', '.*', lock]))).code).toBe(2);
  });
});
