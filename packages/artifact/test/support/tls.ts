/**
 * The loopback TLS fixture (self-signed for 127.0.0.1, ::1 and localhost) used by the
 * fake HTTPS registries of the tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the fixture certificate (for `NODE_EXTRA_CA_CERTS` of a CLI child). */
export const LOOPBACK_CERT_PATH: string = fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url));

/** Absolute path of the fixture private key. */
const LOOPBACK_KEY_PATH: string = fileURLToPath(new URL('../fixtures/tls/key.pem', import.meta.url));

/** The fixture certificate and key (PEM), for `https.createServer` and the client's `ca`. */
export function loopbackTls(): { cert: string; key: string } {
  return { cert: readFileSync(LOOPBACK_CERT_PATH, 'utf8'), key: readFileSync(LOOPBACK_KEY_PATH, 'utf8') };
}
