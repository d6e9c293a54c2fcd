// lock --pin, run and artifact verify of a `docker run` server, against a loopback OCI
// registry (HTTPS with the fixture certificate) and a fake `docker` first on PATH that
// records its argv and runs the fixture MCP server as the "container".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { imageManifest, startFakeOciRegistry } from '@mcptrust/tooling/test-support/fake-oci-registry.mjs';
import type { FakeOciRegistry } from '@mcptrust/tooling/test-support/fake-oci-registry.mjs';
import { LOOPBACK_CERT_PATH } from '@mcptrust/tooling/test-support/tls.mjs';
import { CLI, FIXTURE, NODE, runCli } from './helpers.js';

const FAKE_DOCKER = fileURLToPath(new URL('../../../tooling/test-support/fake-docker.mjs', import.meta.url));
const UNSAFE = '--unsafe-allow-private-tarball-hosts';
let registry: FakeOciRegistry;
let dir: string;
let env: Record<string, string>;
let lock: string;
let image: string;
let digest: string;

async function dockerCalls(): Promise<string[][]> {
  const text = await readFile(env['FAKE_DOCKER_LOG']!, 'utf8').catch(() => '');
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as string[]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-oci-'));
  await mkdir(join(dir, 'bin'));
  await symlink(FAKE_DOCKER, join(dir, 'bin', 'docker'));
  registry = await startFakeOciRegistry();
  digest = registry.putManifest('o/s', '1.0', imageManifest('server v1'));
  image = `${registry.host}/o/s`;
  lock = join(dir, 'mcp-lock.json');
  env = {
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
    NODE_EXTRA_CA_CERTS: LOOPBACK_CERT_PATH,
    FAKE_DOCKER_LOG: join(dir, 'docker.log'),
    FAKE_DOCKER_SERVE: FIXTURE,
  };
});

afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a docker run server', () => {
  it('lock --pin pins the image by the digest of the manifest bytes and scans the container started by digest', async () => {
    const result = await runCli(['lock', '--pin', UNSAFE, '--output', lock, '--', 'docker', 'run', '-i', '--rm', `${image}:1.0`, '--verbose'], { env, timeoutMs: 60_000 });
    expect(result.stderr).toContain(`pinned oci ${image}:1.0@${digest}`);
    expect(result.code).toBe(0);
    const pin = (JSON.parse(await readFile(lock, 'utf8')) as { server: { artifact: Record<string, unknown> } }).server.artifact;
    expect(pin).toEqual({ type: 'oci', image, tag: '1.0', digest, docker_args: ['-i', '--rm'], argv: ['--verbose'] });
    expect(await dockerCalls()).toEqual([['run', '-i', '--rm', `${image}@${digest}`, '--verbose']]);
  }, 90_000);

  it('run starts the pinned digest behind the proxy for an SDK client', async () => {
    const transport = new StdioClientTransport({ command: NODE, args: [CLI, 'run', '--lock', lock, UNSAFE], stderr: 'pipe', env: { ...(process.env as Record<string, string>), NO_COLOR: '1', ...env } });
    let stderr = '';
    (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const client = new Client({ name: 'test-host', version: '1.0.0' });
    try {
      await client.connect(transport);
      const locked = Object.keys((JSON.parse(await readFile(lock, 'utf8')) as { tools: Record<string, unknown> }).tools);
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(locked.sort());
      expect(stderr).toContain(`verified oci ${image}@${digest} (tag 1.0)`);
    } finally {
      await client.close();
    }
    expect((await dockerCalls()).at(-1)).toEqual(['run', '-i', '--rm', `${image}@${digest}`, '--verbose']);
  }, 60_000);

  it('artifact verify passes, then reports a tag moved to other bytes (exit 1)', async () => {
    const ok = await runCli(['artifact', 'verify', '--lock', lock, UNSAFE], { env });
    expect(ok.code).toBe(0);
    const moved = registry.moveTag('o/s', '1.0', imageManifest('server v2'));
    const result = await runCli(['artifact', 'verify', '--lock', lock, UNSAFE], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`tag 1.0 of ${image} moved: pinned ${digest}, now ${moved}`);
  });

  it('refuses a registry whose Docker-Content-Digest header lies about the manifest (nothing written)', async () => {
    registry.putManifest('o/liar', '1.0', imageManifest('liar'));
    registry.lieAboutDigest('o/liar', '1.0');
    const out = join(dir, 'liar.json');
    const result = await runCli(['lock', '--pin', UNSAFE, '--output', out, '--', 'docker', 'run', '-i', `${registry.host}/o/liar:1.0`], { env });
    expect(result.stderr).toMatch(/Docker-Content-Digest header .* does not match the manifest it sent/);
    expect(result.code).toBe(2);
    await expect(readFile(out)).rejects.toThrow();
  });

  it('refuses a docker option it does not know instead of guessing where the image is (exit 2)', async () => {
    const result = await runCli(['lock', '--pin', UNSAFE, '--output', join(dir, 'x.json'), '--', 'docker', 'run', '--frobnicate', 'x', `${image}:1.0`], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--frobnicate');
  });
});
