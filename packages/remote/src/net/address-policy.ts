/**
 * Which network addresses an outbound connection may reach: the policy behind the guarded
 * dispatcher and fetch of this package, and the guarded download client of
 * `@mcptrust/artifact`.
 *
 * Deny by default: an address is allowed only when ipaddr.js classifies it as
 * `unicast` (ordinary public space) or `reserved` (documentation/test blocks such as
 * TEST-NET-3 203.0.113.0/24, into which some registries resolve), and it is in none
 * of the ranges this module blocks whatever ipaddr.js says:
 *
 * - IPv4 `0.0.0.0/8` (this network), `100.64.0.0/10` (carrier-grade NAT),
 *   `192.0.0.0/24` (IETF protocol assignments), `192.88.99.0/24` (6to4 relay anycast),
 *   `198.18.0.0/15` (benchmarking) and `240.0.0.0/4` (future use, broadcast).
 * - Every other non-unicast class: loopback, private (RFC 1918), link-local,
 *   unique-local `fc00::/7`, site-local, unspecified, multicast, broadcast, discard...
 * - IPv6 forms that carry an IPv4 address: an IPv4-mapped address `::ffff:a.b.c.d` is
 *   judged by the IPv4 address it embeds; IPv4-compatible `::a.b.c.d`, SIIT
 *   `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`
 *   and Teredo `2001::/32` are blocked outright, because the IPv4 address they reach
 *   (possibly a private one) is decided by a translator or relay outside our control.
 */
import ipaddr from 'ipaddr.js';
import { RemoteError } from '../errors.js';

/** How an address was classified. `range` is ipaddr.js's range name or one of this module's. */
export interface AddressClassification {
  /** Whether an outbound connection may reach the address. */
  allowed: boolean;
  /** The range the address falls in (`unicast`, `private`, `carrierGradeNat`, `ipv4Mapped(loopback)`...). */
  range: string;
}

/** IPv4 ranges blocked whatever ipaddr.js calls them (some of them it calls `reserved`). */
const BLOCKED_V4: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', 'thisNetwork'],
  ['100.64.0.0/10', 'carrierGradeNat'],
  ['192.0.0.0/24', 'ietfProtocolAssignments'],
  ['192.88.99.0/24', '6to4RelayAnycast'],
  ['198.18.0.0/15', 'benchmarking'],
  ['240.0.0.0/4', 'futureUse'],
];

/** IPv6 ranges blocked outright (they reach an IPv4 address through a translator or relay). */
const BLOCKED_V6: ReadonlyArray<readonly [string, string]> = [
  ['::/96', 'ipv4Compatible'],
  ['::ffff:0:0:0/96', 'rfc6145'],
  ['64:ff9b::/96', 'nat64'],
  ['64:ff9b:1::/48', 'nat64'],
  ['2002::/16', '6to4'],
  ['2001::/32', 'teredo'],
];

const V4_RULES = BLOCKED_V4.map(([cidr, name]) => [ipaddr.IPv4.parseCIDR(cidr), name] as const);
const V6_RULES = BLOCKED_V6.map(([cidr, name]) => [ipaddr.IPv6.parseCIDR(cidr), name] as const);

/** ipaddr.js ranges the guard accepts. */
const ALLOWED_RANGES = new Set(['unicast', 'reserved']);

function classifyV4(address: ipaddr.IPv4): AddressClassification {
  const range = address.range();
  if (!ALLOWED_RANGES.has(range)) return { allowed: false, range };
  for (const [cidr, name] of V4_RULES) {
    if (address.match(cidr)) return { allowed: false, range: name };
  }
  return { allowed: true, range };
}

/**
 * Rewrites a dotted IPv4 tail of an IPv6 address as two hex groups (`::10.0.0.1` →
 * `::a00:1`): ipaddr.js would read every dotted tail as IPv4-mapped, although only
 * `::ffff:a.b.c.d` is.
 */
function hexTail(text: string): string {
  const match = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})(%.*)?$/.exec(text);
  if (match === null || !ipaddr.IPv4.isValidFourPartDecimal(match[2] ?? '')) return text;
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(match[2] ?? '').octets;
  return `${match[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${match[3] ?? ''}`;
}

/**
 * Classifies one IP address (IPv4 dotted-decimal or IPv6, optionally with a zone id).
 * Anything that does not parse as an IP address is refused (`range: 'invalid'`).
 */
export function classifyAddress(ip: string): AddressClassification {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return classifyV4(ipaddr.IPv4.parse(text));
  const v6 = hexTail(text);
  if (!ipaddr.IPv6.isValid(v6)) return { allowed: false, range: 'invalid' };
  const address = ipaddr.IPv6.parse(v6);
  if (address.isIPv4MappedAddress()) {
    const inner = classifyV4(address.toIPv4Address());
    return { allowed: inner.allowed, range: `ipv4Mapped(${inner.range})` };
  }
  // `::` and `::1` sit inside ::/96 but keep their own, clearer names.
  const range = address.range();
  if (range === 'unspecified' || range === 'loopback') return { allowed: false, range };
  for (const [cidr, name] of V6_RULES) {
    if (address.match(cidr)) return { allowed: false, range: name };
  }
  return { allowed: ALLOWED_RANGES.has(range), range };
}

/** Whether the address is a loopback address (`127.0.0.0/8`, `::1`, or `::ffff:127.x.y.z`). */
export function isLoopbackAddress(ip: string): boolean {
  const { range } = classifyAddress(ip);
  return range === 'loopback' || range === 'ipv4Mapped(loopback)';
}

/** Options of {@link assertAddressAllowed}. */
export interface AddressPolicyOptions {
  /** Skip the policy entirely (an address that does not parse is still refused). */
  allowPrivateHosts?: boolean;
  /**
   * Let loopback addresses through (`127.0.0.0/8`, `::1`, `::ffff:127.x.y.z`); every other
   * private, link-local, metadata or reserved-for-translation range stays blocked. For an
   * upstream the user configured on loopback.
   */
  allowLoopback?: boolean;
}

/**
 * Refuses an address an outbound connection may not reach.
 *
 * @param ip - the resolved address (IPv4, or IPv6 with or without brackets or zone id)
 * @param host - the host name it was resolved from (named in the message; may equal `ip`)
 * @param options - {@link AddressPolicyOptions}
 * @throws RemoteError `BLOCKED_ADDRESS` naming the host, the address and its range
 */
export function assertAddressAllowed(ip: string, host: string, options: AddressPolicyOptions = {}): void {
  const { allowed, range } = classifyAddress(ip);
  if (allowed) return;
  if (options.allowPrivateHosts === true && range !== 'invalid') return;
  if (options.allowLoopback === true && (range === 'loopback' || range === 'ipv4Mapped(loopback)')) return;
  const hostText = host === ip ? `${host}` : `${host} (address ${ip})`;
  throw new RemoteError('BLOCKED_ADDRESS', `Refusing to connect to ${hostText}: ${ip} is in the ${range} range, which is not a public address`);
}
