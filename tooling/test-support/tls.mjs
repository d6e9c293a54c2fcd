// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * The loopback TLS fixture (self-signed for 127.0.0.1, ::1 and localhost) used by the
 * fake HTTPS registries of the tests.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const LOOPBACK_CERT_PATH = fileURLToPath(new URL("./tls/cert.pem", import.meta.url));
const LOOPBACK_KEY_PATH = fileURLToPath(new URL("./tls/key.pem", import.meta.url));
function loopbackTls() {
  return { cert: readFileSync(LOOPBACK_CERT_PATH, "utf8"), key: readFileSync(LOOPBACK_KEY_PATH, "utf8") };
}
export {
  LOOPBACK_CERT_PATH,
  loopbackTls
};
