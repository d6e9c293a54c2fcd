// @ts-check
/**
 * A safety net for the tests of guarded network clients (the artifact downloads, the
 * remote servers' dispatcher, fetch and OAuth): while installed, no socket may connect
 * anywhere but loopback. If a guard ever regressed, a test would record a refused dial
 * here (and fail) instead of sending traffic to a private, metadata or public address.
 * `connects` also lets a test show that nothing was dialled at all.
 *
 * It patches `net.Socket.prototype.connect` (TLS sockets inherit it): an IP-literal
 * host must be loopback, and a `lookup` passed to the socket is wrapped so that it can
 * only hand loopback addresses to the socket.
 */
import net from 'node:net';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * @typedef {(error: Error | null, address?: unknown, family?: number) => void} Callback
 * @typedef {(hostname: string, options: { all?: boolean }, callback: Callback) => void} Lookup
 */

/**
 * @param {Lookup} lookup
 * @param {string[]} refused
 * @returns {Lookup}
 */
function loopbackOnly(lookup, refused) {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error !== null) return callback(error);
      const list = Array.isArray(address) ? address.map((entry) => String(entry.address)) : [String(address)];
      const outside = list.filter((entry) => !LOOPBACK.test(entry));
      if (outside.length > 0) {
        refused.push(...outside.map((entry) => `${hostname} → ${entry}`));
        return callback(new Error(`test dial guard: refusing to dial ${outside.join(', ')} for ${hostname}`));
      }
      return callback(null, address, family);
    });
  };
}

/**
 * Installs the safety net (call in `beforeAll`, `restore()` in `afterAll`).
 * @returns {import('./dial-guard.d.mts').DialGuard}
 */
export function installDialGuard() {
  const original = net.Socket.prototype.connect;
  /** @type {string[]} */
  const connects = [];
  /** @type {string[]} */
  const refused = [];
  /**
   * @this {net.Socket}
   * @param {...unknown} args
   */
  function guardedConnect(...args) {
    // Node calls connect either with (options, cb) or with its normalised [[options, cb]].
    const first = args[0];
    const options = /** @type {{ host?: string; path?: string | null; lookup?: Lookup } | undefined} */ (Array.isArray(first) ? first[0] : first);
    if (typeof options === 'object' && options !== null && (options.path === undefined || options.path === null)) {
      const host = options.host ?? 'localhost';
      connects.push(host);
      if (net.isIP(host) !== 0) {
        if (!LOOPBACK.test(host)) {
          refused.push(`${host} → ${host}`);
          throw new Error(`test dial guard: refusing to dial ${host}`);
        }
      } else if (typeof options.lookup === 'function') {
        options.lookup = loopbackOnly(options.lookup, refused);
      } else {
        refused.push(`${host} → (system resolver)`);
        throw new Error(`test dial guard: refusing to resolve ${host} with the system resolver`);
      }
    }
    return /** @type {(...rest: unknown[]) => net.Socket} */ (original).apply(this, args);
  }
  net.Socket.prototype.connect = /** @type {typeof original} */ (/** @type {unknown} */ (guardedConnect));
  return {
    connects,
    refused,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
