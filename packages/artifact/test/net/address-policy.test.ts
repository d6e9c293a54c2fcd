import { describe, expect, it } from '@jest/globals';
import { ArtifactError } from '../../src/errors.js';
import { assertAddressAllowed, classifyAddress } from '../../src/index.js';

// The policy itself (every range) is tested in @mcptrust/remote; these check that
// artifact's exports keep their answers and their error class. Nothing here connects.

describe('classifyAddress', () => {
  it.each([
    ['203.0.113.7', { allowed: true, range: 'reserved' }],
    ['10.0.0.1', { allowed: false, range: 'private' }],
    ['::ffff:127.0.0.1', { allowed: false, range: 'ipv4Mapped(loopback)' }],
    ['[::1]', { allowed: false, range: 'loopback' }],
    ['not-an-ip', { allowed: false, range: 'invalid' }],
  ])('classifies %s', (ip, expected) => {
    expect(classifyAddress(ip)).toEqual(expected);
  });
});

describe('assertAddressAllowed', () => {
  it('passes a public address', () => {
    expect(() => assertAddressAllowed('203.0.113.7', 'registry.example', {})).not.toThrow();
  });

  it('throws ArtifactError BLOCKED_ADDRESS naming host, address, range and the flag', () => {
    let error: unknown;
    try {
      assertAddressAllowed('10.0.0.1', 'evil.test', {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).code).toBe('BLOCKED_ADDRESS');
    expect((error as ArtifactError).message).toBe(
      'Refusing to connect to evil.test (address 10.0.0.1): 10.0.0.1 is in the private range, which is not a public address ' +
        '(--unsafe-allow-private-tarball-hosts allows private hosts)',
    );
  });

  it('blocks loopback (artifact has no loopback allowance of its own)', () => {
    expect(() => assertAddressAllowed('127.0.0.1', 'localhost')).toThrow(ArtifactError);
  });

  it('lets allowPrivateHosts skip the policy, but never for something that is not an address', () => {
    expect(() => assertAddressAllowed('10.0.0.1', 'internal.test', { allowPrivateHosts: true })).not.toThrow();
    expect(() => assertAddressAllowed('127.0.0.1', 'localhost', { allowPrivateHosts: true })).not.toThrow();
    let error: unknown;
    try {
      assertAddressAllowed('bogus', 'x.test', { allowPrivateHosts: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).message).toBe('Refusing to connect to x.test (address bogus): bogus is in the invalid range, which is not a public address');
  });
});
