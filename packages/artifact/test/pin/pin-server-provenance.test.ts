// pinServerCommand and prepareServerLaunch with provenance, end to end offline: the
// loopback npm registry serves the fixture package with SLSA provenance signed by the
// loopback Sigstore, and the pin records the verified claims.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError } from '../../src/errors.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { NpmConfig } from '../../src/npm/npm-config.js';
import { pinServerCommand } from '../../src/pin-server.js';
import type { ProvenanceRequirement } from '../../src/pin-server.js';
import { prepareServerLaunch } from '../../src/prepare-launch.js';
import { startFakeRegistry } from '../support/fake-npm-registry.js';
import type { FakeRegistry } from '../support/fake-npm-registry.js';
import { fixtureDepPackage, fixtureServerPackage } from '../support/fixture-packages.js';
import { startMockSigstore } from '../support/mock-sigstore.js';
import type { MockSigstore } from '../support/mock-sigstore.js';
import { npmProvenanceStatement, signProvenance } from '../support/provenance-statements.js';
import { loopbackTls } from '../support/tls.js';

let registry: FakeRegistry;
let stack: MockSigstore;
let dir: string;
let npmConfig: NpmConfig;
const client = createGuardedClient({ ca: loopbackTls().cert, insecureHttpLoopback: true });
const COMMAND = ['npx', '-y', 'fixture-mcp-server@1.0.0'];

function requirement(over: Partial<ProvenanceRequirement> = {}): ProvenanceRequirement {
  return { trustedRoot: stack.trustedRoot, trustedRootDescription: 'the loopback test root', expectedSource: 'https://github.com/o/r', ...over };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-pin-provenance-'));
  const server = await fixtureServerPackage('1.0.0');
  registry = await startFakeRegistry({ packages: [server, await fixtureDepPackage('1.0.0')] });
  stack = await startMockSigstore();
  const sha512hex = Buffer.from(server.integrity.slice('sha512-'.length), 'base64').toString('hex');
  registry.setAttestations('fixture-mcp-server', '1.0.0', await signProvenance(stack, npmProvenanceStatement({ name: 'fixture-mcp-server', version: '1.0.0', sha512hex })));
  npmConfig = { registry: registry.url, registryFor: () => registry.url, authHeadersFor: () => ({}), source: 'test' };
}, 60_000);

afterAll(async () => {
  await registry.close();
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

describe('pinServerCommand with provenance', () => {
  it('records the registry signature and the verified provenance claims in the pin', async () => {
    const pin = await pinServerCommand(COMMAND, { client, npmConfig, env: process.env, tree: false, provenance: requirement() });
    expect(pin.type).toBe('npm');
    if (pin.type !== 'npm') return;
    expect(pin.registry_signature).toEqual({ keyid: registry.keyid, verified: true });
    expect(pin.provenance).toMatchObject({ method: 'sigstore_slsa', verified: true, source_repo: 'https://github.com/o/r', source_ref: 'refs/tags/v1.0.0', trusted_root: 'the loopback test root' });
  });

  it('refuses provenance from another repository than expected (nothing pinned)', async () => {
    await expect(pinServerCommand(COMMAND, { client, npmConfig, env: process.env, tree: false, provenance: requirement({ expectedSource: 'https://github.com/o/other' }) })).rejects.toMatchObject({
      code: 'PROVENANCE_INVALID',
    });
  });

  it('refuses a bad registry signature before looking at provenance', async () => {
    registry.setSignature('fixture-mcp-server', '1.0.0', Buffer.from('forged').toString('base64'));
    try {
      const error = await pinServerCommand(COMMAND, { client, npmConfig, env: process.env, tree: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).code).toBe('SIGNATURE_INVALID');
    } finally {
      registry.setSignature('fixture-mcp-server', '1.0.0', undefined);
    }
  });

  it('run-time re-verification refuses once the registry stops serving provenance', async () => {
    const pin = await pinServerCommand(COMMAND, { client, npmConfig, env: process.env, tree: false, provenance: requirement() }).catch(() => undefined);
    // setSignature(undefined) above removed the signature: with provenance asked, that alone refuses.
    expect(pin).toBeUndefined();
    const unsigned = await pinServerCommand(COMMAND, { client, npmConfig, env: process.env, tree: false });
    registry.stripAttestations();
    const error = await prepareServerLaunch(unsigned, { client, cacheRoot: join(dir, 'cache'), env: process.env, provenance: requirement() }).catch((e: unknown) => e);
    expect((error as ArtifactError).code).toBe('PROVENANCE_MISSING');
  });
});
