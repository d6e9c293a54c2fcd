// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * A loopback npm registry over HTTPS (fixture certificate, 127.0.0.1, random port) for
 * the tests. `startFakeRegistry({ packages })` serves:
 *
 * - `GET /<name>` (scoped as `@scope%2fname`, `@scope%2Fname` or `@scope/name`): the full
 *   packument `{ _id, name, dist-tags: { latest: highest }, versions, time }`, each
 *   version being its package.json plus `_id` and `dist { tarball, integrity, shasum,
 *   signatures: [{ keyid, sig }], attestations? }`;
 * - `GET /<name>/-/<unscoped>-<version>.tgz`: the tarball;
 * - `GET /-/npm/v1/keys`: the registry's P-256 key (generated per registry; keyid
 *   `SHA256:<base64 sha256 of the SPKI DER>`); `dist.signatures` are ECDSA-SHA256 (DER,
 *   base64) over `${name}@${version}:${integrity}` of the published tarball;
 * - `GET /-/npm/v1/attestations/<name>@<version>` (name possibly `%2f`-encoded): what
 *   `setAttestations` set (404 otherwise); a version with attestations gets
 *   `dist.attestations = { url, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } }`.
 *
 * Fault switches: `swapTarball` (other bytes, packument unchanged), `setIntegrity`
 * (served `dist.integrity` changed; the signature stays over the published integrity
 * unless `{ resign: true }`), `redirectTarball` (302), `publish` (a new version later),
 * `stripAttestations`, `setSignature` (other or no signature), `removeKeys` (keys 404),
 * `requireToken` (401 on every path without `authorization: Bearer <token>`).
 * Every request is recorded in `requests`. Always `close()` it.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:https";
import { loopbackTls } from "./tls.mjs";
function compareVersions(a, b) {
  const [coreA = "", preA] = a.split("-", 2);
  const [coreB = "", preB] = b.split("-", 2);
  const na = coreA.split(".").map(Number);
  const nb = coreB.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return d;
  }
  if (preA === preB) return 0;
  if (preA === void 0) return 1;
  if (preB === void 0) return -1;
  return preA < preB ? -1 : 1;
}
async function startFakeRegistry(options) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyid = `SHA256:${createHash("sha256").update(spki).digest("base64")}`;
  const packages = /* @__PURE__ */ new Map();
  const requests = [];
  let keysRemoved = false;
  let token;
  let clock = Date.parse("2024-01-01T00:00:00.000Z");
  const signFor = (name, version, integrity) => sign("sha256", Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString("base64");
  const state = (name, version) => {
    const found = packages.get(name)?.get(version);
    if (found === void 0) throw new Error(`fake registry: no ${name}@${version}`);
    return found;
  };
  const publish = (pkg) => {
    let versions = packages.get(pkg.name);
    if (versions === void 0) packages.set(pkg.name, versions = /* @__PURE__ */ new Map());
    clock += 6e4;
    versions.set(pkg.version, {
      pkg,
      tarball: pkg.tarball,
      integrity: pkg.integrity,
      signedIntegrity: pkg.integrity,
      signature: null,
      published: new Date(clock).toISOString()
    });
  };
  for (const pkg of options.packages) publish(pkg);
  let server;
  const base = () => `https://127.0.0.1:${server.address().port}/`;
  const unscoped = (name) => name.slice(name.lastIndexOf("/") + 1);
  const tarballUrl = (name, version) => `${base()}${name}/-/${unscoped(name)}-${version}.tgz`;
  const attestationsUrl = (name, version) => `${base()}-/npm/v1/attestations/${name}@${version}`;
  const packument = (name, versions) => {
    const sorted = [...versions.keys()].sort(compareVersions);
    const doc = { _id: name, name, "dist-tags": { latest: sorted[sorted.length - 1] } };
    const out = {};
    const time = {};
    for (const version of sorted) {
      const v = versions.get(version);
      const signature = v.signature === null ? signFor(name, version, v.signedIntegrity) : v.signature;
      const dist = {
        tarball: tarballUrl(name, version),
        integrity: v.integrity,
        shasum: createHash("sha1").update(v.pkg.tarball).digest("hex")
      };
      if (signature !== void 0) dist.signatures = [{ keyid, sig: signature }];
      if (v.attestations !== void 0) {
        dist.attestations = { url: attestationsUrl(name, version), provenance: { predicateType: "https://slsa.dev/provenance/v1" } };
      }
      out[version] = { ...v.pkg.packageJson, _id: `${name}@${version}`, dist };
      time[version] = v.published;
    }
    doc.versions = out;
    doc.time = time;
    return doc;
  };
  const json = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  server = createServer(loopbackTls(), (req, res) => {
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: { ...req.headers } });
    if (token !== void 0 && req.headers.authorization !== `Bearer ${token}`) {
      json(res, 401, { error: "authentication required" });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      json(res, 405, { error: "method not allowed" });
      return;
    }
    let path;
    try {
      path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    } catch {
      json(res, 400, { error: "bad path" });
      return;
    }
    if (path === "/-/npm/v1/keys") {
      if (keysRemoved) json(res, 404, { error: "not found" });
      else json(res, 200, { keys: [{ keyid, keytype: "ecdsa-sha2-nistp256", scheme: "ecdsa-sha2-nistp256", key: spki.toString("base64"), expires: null }] });
      return;
    }
    const att = /^\/-\/npm\/v1\/attestations\/((?:@[^/]+\/)?[^/@]+)@([^/]+)$/.exec(path);
    if (att !== null) {
      const v = packages.get(att[1])?.get(att[2]);
      if (v?.attestations === void 0) json(res, 404, { error: "not found" });
      else json(res, 200, v.attestations);
      return;
    }
    const tgz = /^\/((?:@[^/]+\/)?[^/]+)\/-\/([^/]+)\.tgz$/.exec(path);
    if (tgz !== null) {
      const name2 = tgz[1];
      const versions2 = packages.get(name2);
      const prefix = `${unscoped(name2)}-`;
      const version = tgz[2].startsWith(prefix) ? tgz[2].slice(prefix.length) : void 0;
      const v = version === void 0 ? void 0 : versions2?.get(version);
      if (v === void 0) {
        json(res, 404, { error: "not found" });
      } else if (v.redirect !== void 0) {
        res.writeHead(302, { location: v.redirect }).end();
      } else {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(v.tarball.length) }).end(v.tarball);
      }
      return;
    }
    const name = path.slice(1);
    const versions = packages.get(name);
    if (versions === void 0) json(res, 404, { error: "Not found" });
    else json(res, 200, packument(name, versions));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: base(),
    requests,
    privateKey,
    keyid,
    swapTarball(name, version, bytes) {
      state(name, version).tarball = Buffer.from(bytes);
    },
    setIntegrity(name, version, sri, opts) {
      const v = state(name, version);
      v.integrity = sri;
      if (opts?.resign === true) v.signedIntegrity = sri;
    },
    redirectTarball(name, version, location) {
      state(name, version).redirect = location;
    },
    publish,
    setAttestations(name, version, body) {
      state(name, version).attestations = body;
    },
    stripAttestations() {
      for (const versions of packages.values()) for (const v of versions.values()) delete v.attestations;
    },
    setSignature(name, version, sig) {
      state(name, version).signature = sig;
    },
    removeKeys() {
      keysRemoved = true;
    },
    requireToken(value) {
      token = value;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    }
  };
}
export {
  startFakeRegistry
};
