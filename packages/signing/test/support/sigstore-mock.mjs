// A loopback Sigstore stack for tests: the @sigstore/mock Fulcio, Rekor and TSA
// handlers behind one node:http server on 127.0.0.1, plus the trusted root that
// matches them. Nothing here talks to anything but loopback.
//
// Imported by the library tests; run as a script by the CLI tests, it prints one JSON
// line {"url", "trustedRootPath"} and serves until killed.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { fulcioHandler, initializeCA, initializeTLog, initializeTSA, rekorHandler, tsaHandler } from '@sigstore/mock';

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** Base64url JSON, for the unsigned test JWT. */
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned identity token as the mock Fulcio accepts it (email_verified is required). */
export function identityToken({ issuer = 'https://issuer.test', email = 'approver@example.test' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer, sub: email, email, email_verified: true, aud: 'sigstore', iat: now, exp: now + 600 })}.`;
}

/**
 * Starts the stack. The mock's CA, log and TSA share one clock rounded to the second:
 * the mock TSA encodes fractional seconds in a form @sigstore/verify rejects, and its
 * timestamp must fall inside the certificate's validity. The mock CA is started
 * without a CT log (its SCT list encoding is not RFC 6962), so verification uses
 * ctLogThreshold 0.
 */
export async function startMockSigstore() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
  const ca = await initializeCA(keyPair(), undefined, clock);
  const tlog = await initializeTLog(url, keyPair(), clock);
  const tsa = await initializeTSA(keyPair(), clock);
  // The mocks stamp their certificates with the real time at creation (notBefore),
  // but read the shared clock lazily for every signature, entry and timestamp. Move it
  // to the next whole second now that the certificates exist: a timestamp taken from a
  // clock read before a second boundary was crossed during set-up would predate its
  // own TSA certificate and fail verification.
  clock.setTime((Math.floor(Date.now() / 1000) + 1) * 1000);
  const handlers = [fulcioHandler(ca), rekorHandler(tlog), tsaHandler(tsa)];
  const requests = [];
  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push(req.url);
      const handler = handlers.find((h) => h.path === req.url);
      if (handler === undefined || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      handler.fn(Buffer.concat(chunks).toString()).then(
        (r) => res.writeHead(r.statusCode, { 'content-type': r.contentType ?? 'text/plain' }).end(r.response),
        (e) => res.writeHead(500).end(String(e)),
      );
    });
  });
  const start = new Date(clock.getTime() - 3600_000).toISOString();
  const b64 = (buf) => Buffer.from(buf).toString('base64');
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(tlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
      },
    ],
    certificateAuthorities: [
      { subject: { organization: 'mcptrust-test', commonName: 'mock fulcio' }, uri: url, certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: { start } },
    ],
    ctlogs: [],
    timestampAuthorities: [
      {
        subject: { organization: 'mcptrust-test', commonName: 'mock tsa' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
        validFor: { start },
      },
    ],
  };
  return {
    url,
    trustedRoot,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stack = await startMockSigstore();
  const trustedRootPath = process.argv[2];
  writeFileSync(trustedRootPath, JSON.stringify(stack.trustedRoot, null, 2));
  process.stdout.write(`${JSON.stringify({ url: stack.url, trustedRootPath })}\n`);
  process.on('SIGTERM', () => void stack.close().then(() => process.exit(0)));
}
