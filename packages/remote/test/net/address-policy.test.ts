import { describe, expect, it } from '@jest/globals';
import { RemoteError } from '../../src/errors.js';
import { assertAddressAllowed, classifyAddress, isLoopbackAddress } from '../../src/net/address-policy.js';

// Classification only: nothing here opens a connection.
const ALLOWED: Array<[string, string]> = [
  ['8.8.8.8', 'unicast'],
  ['104.16.0.1', 'unicast'],
  ['203.0.113.7', 'reserved'], // TEST-NET-3: the registry reachable here resolves into it
  ['198.51.100.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2606:4700::1111', 'unicast'],
  ['2001:db8::1', 'reserved'],
  ['::ffff:8.8.8.8', 'ipv4Mapped(unicast)'],
];

const BLOCKED: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.5.4', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.254', 'carrierGradeNat'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['192.0.0.8', 'ietfProtocolAssignments'],
  ['192.88.99.1', '6to4RelayAnycast'],
  ['240.0.0.1', 'futureUse'],
  ['255.255.255.254', 'futureUse'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['::ffff:10.0.0.1', 'ipv4Mapped(private)'],
  ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
  ['::ffff:a9fe:a9fe', 'ipv4Mapped(linkLocal)'],
  ['::ffff:100.64.0.1', 'ipv4Mapped(carrierGradeNat)'],
  ['::10.0.0.1', 'ipv4Compatible'],
  ['::8.8.8.8', 'ipv4Compatible'],
  ['::ffff:0:10.0.0.1', 'rfc6145'],
  ['64:ff9b::a00:1', 'nat64'],
  ['64:ff9b::808:808', 'nat64'], // NAT64 of a public address too: blocked outright
  ['64:ff9b:1::1', 'nat64'],
  ['2002:a00:1::', '6to4'],
  ['2002:808:808::1', '6to4'],
  ['2001::1', 'teredo'],
  ['2001:0:4136:e378::1', 'teredo'],
  ['not-an-ip', 'invalid'],
  ['010.0.0.1', 'invalid'],
  ['', 'invalid'],
];

describe('classifyAddress', () => {
  it.each(ALLOWED)('allows %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true, range });
  });

  it.each(BLOCKED)('blocks %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
  });

  it('accepts a bracketed IPv6 literal', () => {
    expect(classifyAddress('[::1]')).toEqual({ allowed: false, range: 'loopback' });
  });
});

describe('isLoopbackAddress', () => {
  it('recognises IPv4, IPv6 and mapped loopback only', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([true, true, true]);
    expect(['10.0.0.1', '8.8.8.8', '::', 'localhost'].map(isLoopbackAddress)).toEqual([false, false, false, false]);
  });
});

describe('assertAddressAllowed', () => {
  it('passes a public address', () => {
    expect(() => assertAddressAllowed('203.0.113.7', 'registry.example', {})).not.toThrow();
  });

  it('throws BLOCKED_ADDRESS naming host, address and range', () => {
    let error: unknown;
    try {
      assertAddressAllowed('10.0.0.1', 'evil.test', {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('BLOCKED_ADDRESS');
    expect((error as RemoteError).message).toContain('evil.test');
    expect((error as RemoteError).message).toContain('10.0.0.1');
    expect((error as RemoteError).message).toContain('private');
  });

  it('lets allowPrivateHosts skip the policy, but never for something that is not an address', () => {
    expect(() => assertAddressAllowed('10.0.0.1', 'internal.test', { allowPrivateHosts: true })).not.toThrow();
    expect(() => assertAddressAllowed('127.0.0.1', 'localhost', { allowPrivateHosts: true })).not.toThrow();
    expect(() => assertAddressAllowed('bogus', 'x.test', { allowPrivateHosts: true })).toThrow(expect.objectContaining({ code: 'BLOCKED_ADDRESS' }));
  });

  it('names only the address when the host is that address', () => {
    expect(() => assertAddressAllowed('10.0.0.1', '10.0.0.1')).toThrow(
      'Refusing to connect to 10.0.0.1: 10.0.0.1 is in the private range, which is not a public address',
    );
  });
});

describe('assertAddressAllowed with allowLoopback', () => {
  const LOOPBACK = ['127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1'];
  const STILL_BLOCKED: Array<[string, string]> = [
    ['10.0.0.1', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'ipv4Mapped(private)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['64:ff9b::7f00:1', 'nat64'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['localhost', 'invalid'],
  ];

  it.each(LOOPBACK)('allows loopback %s', (ip) => {
    expect(() => assertAddressAllowed(ip, 'localhost', { allowLoopback: true })).not.toThrow();
    expect(() => assertAddressAllowed(ip, 'localhost')).toThrow(expect.objectContaining({ code: 'BLOCKED_ADDRESS' }));
  });

  it.each(STILL_BLOCKED)('still blocks %s (%s)', (ip, range) => {
    expect(() => assertAddressAllowed(ip, 'host.test', { allowLoopback: true })).toThrow(`is in the ${range} range`);
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  it.each([
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)', false],
    ['::ffff:a9fe:a9fe', 'ipv4Mapped(linkLocal)', false],
    ['[::ffff:192.168.1.1]', 'ipv4Mapped(private)', false],
    ['::FFFF:10.0.0.1', 'ipv4Mapped(private)', false],
    ['::ffff:0.0.0.0', 'ipv4Mapped(unspecified)', false],
    ['::ffff:203.0.113.7', 'ipv4Mapped(reserved)', true],
    ['0:0:0:0:0:ffff:808:808', 'ipv4Mapped(unicast)', true],
  ] as Array<[string, string, boolean]>)('judges %s by the IPv4 address it embeds (%s)', (ip, range, allowed) => {
    expect(classifyAddress(ip)).toEqual({ allowed, range });
  });
});
