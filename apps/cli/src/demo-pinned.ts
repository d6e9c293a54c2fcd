/**
 * The supply-chain part of `mcptrust demo`: the demo server published as an npm
 * package on a registry this process serves on loopback, pinned (`lock --pin`), run
 * from verified bytes, then refused once the registry serves other bytes for the same
 * version. The registry speaks HTTPS with a self-signed certificate for 127.0.0.1 that
 * only the demo's client trusts; that client is the product's guarded client, told (as
 * a library option no command line can set) that this loopback address is allowed.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { ArtifactError, createGuardedClient, pinServerCommand, prepareServerLaunch } from '@mcptrust/artifact';
import type { NpmArtifactPin, NpmConfig, ServerLaunch } from '@mcptrust/artifact';

/** The demo package's name and version. */
export const DEMO_PACKAGE = { name: 'mcptrust-demo-server', version: '1.0.0' } as const;

/** A one-package registry on 127.0.0.1, signing what it serves like registry.npmjs.org does. */
interface DemoRegistry {
  url: string;
  /** Serve other bytes for the same version from now on (a republished or swapped tarball). */
  swapTarball(bytes: Buffer): void;
  close(): Promise<void>;
}

/** Builds the demo package tarball from the demo server's source. */
async function demoTarball(serverPath: string, dir: string): Promise<Buffer> {
  const root = join(dir, 'package-src');
  await mkdir(join(root, 'package'), { recursive: true });
  await writeFile(join(root, 'package', 'server.mjs'), await readFile(serverPath));
  const manifest = { name: DEMO_PACKAGE.name, version: DEMO_PACKAGE.version, type: 'module', bin: { [DEMO_PACKAGE.name]: 'server.mjs' }, license: 'Apache-2.0' };
  await writeFile(join(root, 'package', 'package.json'), JSON.stringify(manifest, null, 2));
  const chunks: Buffer[] = [];
  const stream = createTar({ gzip: true, cwd: root, portable: true, mtime: new Date(0) }, ['package']);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The demo registry's certificate and key: next to the bundle, or in tooling/ from source. */
export function demoRegistryTls(): { cert: string; key: string } {
  const pairs: Array<[URL, URL]> = [
    [new URL('./demo-registry-cert.pem', import.meta.url), new URL('./demo-registry-key.pem', import.meta.url)],
    [new URL('../../../tooling/servers/demo-registry-tls/cert.pem', import.meta.url), new URL('../../../tooling/servers/demo-registry-tls/key.pem', import.meta.url)],
  ];
  for (const [cert, key] of pairs) {
    if (existsSync(fileURLToPath(cert))) return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  }
  throw new Error('the demo registry certificate is missing (expected demo-registry-cert.pem next to the mcptrust bundle)');
}

async function startDemoRegistry(tarball: Buffer, tls: { cert: string; key: string }): Promise<DemoRegistry> {
  let served = tarball;
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
  const { name, version } = DEMO_PACKAGE;
  const server = createServer(tls, (req, res) => {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const json = (body: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === `/${name}`) {
      const dist = {
        tarball: `${url}${name}/-/${name}-${version}.tgz`,
        integrity,
        signatures: [{ keyid, sig: sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64') }],
      };
      json({ name, 'dist-tags': { latest: version }, versions: { [version]: { name, version, bin: { [name]: 'server.mjs' }, dist } }, time: { [version]: '2026-01-01T00:00:00.000Z' } });
    } else if (req.url === `/${name}/-/${name}-${version}.tgz`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': served.length }).end(served);
    } else if (req.url === '/-/npm/v1/keys') {
      json({ keys: [{ keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: spki.toString('base64'), expires: null }] });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    swapTarball: (bytes) => {
      served = bytes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the pinned part of the demo did. */
export interface PinnedDemo {
  pin: NpmArtifactPin;
  launch: ServerLaunch;
  /** The refusal once the registry served other bytes. */
  refusal: ArtifactError;
  registryUrl: string;
}

/**
 * Publishes, pins and installs the demo package, runs `use` with the verified launch,
 * then swaps the registry's bytes and shows that a fresh install is refused.
 */
export async function pinnedDemo(serverPath: string, dir: string, use: (launch: ServerLaunch) => Promise<void>): Promise<PinnedDemo> {
  const tarball = await demoTarball(serverPath, dir);
  const tls = demoRegistryTls();
  const registry = await startDemoRegistry(tarball, tls);
  try {
    const client = createGuardedClient({ insecureHttpLoopback: true, ca: tls.cert });
    const npmConfig: NpmConfig = { registry: registry.url, registryFor: () => registry.url, authHeadersFor: () => ({}), source: 'the demo registry' };
    const pin = await pinServerCommand(['npx', '-y', `${DEMO_PACKAGE.name}@${DEMO_PACKAGE.version}`], { client, npmConfig, env: process.env, tree: false });
    if (pin.type !== 'npm') throw new Error('the demo package did not pin as npm');
    const launch = await prepareServerLaunch(pin, { client, cacheRoot: join(dir, 'cache'), env: process.env });
    await use(launch);
    // The same version, other bytes: what a compromised registry or mirror would serve.
    const evil = Buffer.from(tarball);
    evil[evil.length - 1] = (evil[evil.length - 1] ?? 0) ^ 0xff;
    registry.swapTarball(evil);
    let refusal: ArtifactError | undefined;
    try {
      await prepareServerLaunch(pin, { client, cacheRoot: join(dir, 'fresh-cache'), env: process.env });
    } catch (error) {
      if (!(error instanceof ArtifactError)) throw error;
      refusal = error;
    }
    if (refusal === undefined) throw new Error('the swapped tarball was not refused');
    return { pin, launch, refusal, registryUrl: registry.url };
  } finally {
    await registry.close();
  }
}
