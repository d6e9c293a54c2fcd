// lock --pin, run, artifact verify and the pin comparison of diff, end to end against
// a loopback HTTPS npm registry (the fixture certificate is trusted through
// NODE_EXTRA_CA_CERTS, loopback reached through --unsafe-allow-private-tarball-hosts),
// with a temporary HOME, npm config and cache: nothing here touches the user's files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, NODE, runCli } from './helpers.js';
import { startFakeRegistry } from '@mcptrust/tooling/test-support/fake-npm-registry.mjs';
import type { FakeRegistry } from '@mcptrust/tooling/test-support/fake-npm-registry.mjs';
import { fixtureDepPackage, fixtureServerPackage } from '@mcptrust/tooling/test-support/fixture-packages.mjs';
import { LOOPBACK_CERT_PATH } from '@mcptrust/tooling/test-support/tls.mjs';

const UNSAFE = '--unsafe-allow-private-tarball-hosts';
let registry: FakeRegistry;
let dir: string;
let env: Record<string, string>;
let lock: string;
let marker: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-pin-'));
  registry = await startFakeRegistry({ packages: [await fixtureServerPackage('1.0.0'), await fixtureDepPackage('1.0.0')] });
  await writeFile(join(dir, 'npmrc'), '');
  marker = join(dir, 'postinstall-ran');
  lock = join(dir, 'mcp-lock.json');
  env = {
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    npm_config_registry: registry.url,
    npm_config_userconfig: join(dir, 'npmrc'),
    npm_config_cache: join(dir, 'npm-cache'),
    NODE_EXTRA_CA_CERTS: LOOPBACK_CERT_PATH,
    // npm's own cafile setting (set machine-wide here) replaces NODE_EXTRA_CA_CERTS for npm.
    npm_config_cafile: LOOPBACK_CERT_PATH,
    npm_config_fetch_retries: '0',
    MCPTRUST_TEST_MARKER: marker,
  };
}, 60_000);

afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

async function connectRun(flags: string[]): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'run', '--lock', lock, UNSAFE, ...flags],
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1', ...env },
  });
  let err = '';
  (transport.stderr as import('node:stream').Readable | null)?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const client = new Client({ name: 'test-host', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

describe('lock --pin', () => {
  it('pins the package and its dependency tree and scans the server from the pinned install (scripts off)', async () => {
    const result = await runCli(['lock', '--pin', UNSAFE, '--output', lock, '--', 'npx', '-y', 'fixture-mcp-server@^1.0.0', 'from-lock'], { env, timeoutMs: 90_000 });
    expect(result.stderr).toContain('pinned npm fixture-mcp-server@1.0.0 (1 dependencies)');
    expect(result.stderr).toContain('provenance of fixture-mcp-server@1.0.0 was not checked');
    expect(result.code).toBe(0);
    const written = JSON.parse(await readFile(lock, 'utf8')) as { server: { artifact: Record<string, unknown> }; tools: Record<string, unknown> };
    const pin = written.server.artifact;
    expect(pin).toMatchObject({ type: 'npm', name: 'fixture-mcp-server', version: '1.0.0', registry: registry.url.replace(/\/$/, ''), argv: ['from-lock'] });
    expect(pin['integrity']).toMatch(/^sha512-/);
    expect(pin['tarball_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(pin['registry_signature']).toEqual({ keyid: registry.keyid, verified: true });
    expect(pin['tree']).toEqual([expect.objectContaining({ path: 'node_modules/fixture-dep', name: 'fixture-dep', version: '1.0.0', integrity: expect.stringMatching(/^sha512-/) })]);
    expect(Object.keys(written.tools)).toEqual(['echo']);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('refuses what cannot be pinned, naming what can (exit 2)', async () => {
    const result = await runCli(['lock', '--pin', '--output', join(dir, 'other.json'), '--', 'uvx', 'mcp-server-fetch'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/npx, npm exec or pnpm dlx of a registry package, or docker run IMAGE/);
  });

  it('refuses --verify-provenance when the registry serves no provenance (exit 1)', async () => {
    const result = await runCli(['lock', '--pin', '--verify-provenance', UNSAFE, '--output', join(dir, 'prov.json'), '--', 'npx', '-y', 'fixture-mcp-server@1.0.0'], { env, timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/serves no SLSA provenance for fixture-mcp-server@1.0.0/);
    expect(existsSync(join(dir, 'prov.json'))).toBe(false);
  }, 120_000);
});

describe('run', () => {
  it('serves the host the pinned server from verified bytes, behind the proxy', async () => {
    const { client, stderr } = await connectRun([]);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(['echo']);
      const answer = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(answer.content).toEqual([{ type: 'text', text: 'hi from-lock' }]);
      expect(stderr()).toMatch(/mcptrust: verified npm fixture-mcp-server@1\.0\.0, bin fixture-mcp-server/);
    } finally {
      await client.close();
    }
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('--no-proxy starts the verified server directly; --dry-run prints what would start on stderr only', async () => {
    const dry = await runCli(['run', '--lock', lock, UNSAFE, '--no-proxy', '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('');
    expect(dry.stderr).toContain(`would start: ${NODE} `);
    expect(dry.stderr).toContain('bin/server.js from-lock');
    const { client } = await connectRun(['--no-proxy']);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses a dependency whose bytes changed, before anything starts (exit 1, field and both values named)', async () => {
    const other = await fixtureDepPackage('1.0.0');
    registry.swapTarball('fixture-dep', '1.0.0', Buffer.concat([other.tarball, Buffer.from([0])]));
    try {
      const result = await runCli(['run', '--lock', lock, UNSAFE], { env: { ...env, XDG_CACHE_HOME: join(dir, 'fresh-cache') } });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/server\.artifact\.tree\[0\]/);
      expect(result.stderr).toMatch(/sha512/);
      const verify = await runCli(['artifact', 'verify', '--lock', lock, UNSAFE], { env });
      expect(verify.code).toBe(1);
      expect(verify.stderr).toMatch(/tree\[0\]/);
    } finally {
      registry.swapTarball('fixture-dep', '1.0.0', (await fixtureDepPackage('1.0.0')).tarball);
    }
    const again = await runCli(['artifact', 'verify', '--lock', lock, UNSAFE], { env });
    expect(again.stderr).toContain('the registry serves the pinned bytes (2 tarballs checked)');
    expect(again.code).toBe(0);
  }, 60_000);

  it('--require-provenance refuses to start a package the registry serves no provenance for (exit 1, nothing on stdout)', async () => {
    const result = await runCli(['run', '--lock', lock, UNSAFE, '--require-provenance', '--no-proxy'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('serves no SLSA provenance for fixture-mcp-server@1.0.0');
  });

  it('says a lockfile without a pin cannot be run (exit 2)', async () => {
    const plain = join(dir, 'plain.json');
    const json = JSON.parse(await readFile(lock, 'utf8')) as { server: Record<string, unknown> };
    delete json.server['artifact'];
    await writeFile(plain, JSON.stringify(json, null, 2));
    const result = await runCli(['run', '--lock', plain], { env });
    expect(result.stderr).toContain('pins no artifact (server.artifact): lock the server with mcptrust lock --pin');
    expect(result.code).toBe(2);
  });
});

describe('diff of a pinned lockfile', () => {
  it('reports a command that now resolves to another version as critical artifact drift', async () => {
    registry.publish(await fixtureServerPackage('1.1.0'));
    const result = await runCli(['diff', '--lock', lock, UNSAFE, '--format', 'json', '--', 'npx', '-y', 'fixture-mcp-server', 'from-lock'], { env, timeoutMs: 90_000 });
    const report = JSON.parse(result.stdout) as { items: Array<{ itemType: string; rule: string; severity: string; path: string }> };
    expect(report.items).toEqual(expect.arrayContaining([expect.objectContaining({ itemType: 'artifact', rule: 'artifact-changed', severity: 'critical', path: 'server.artifact.version' })]));
    expect(result.code).toBe(1);
  }, 120_000);
});
