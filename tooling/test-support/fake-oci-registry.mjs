// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * A loopback OCI registry (Distribution API v2) over HTTPS with the fixture
 * certificate: manifests and indexes by tag or digest, optional anonymous bearer
 * tokens, and fault switches (a lying Docker-Content-Digest header, a moved or deleted
 * tag, other bytes served under a digest).
 */
import { createHash } from "node:crypto";
import { createServer } from "node:https";
import { loopbackTls } from "./tls.mjs";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
function ociDigest(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
function imageManifest(seed) {
  const config = ociDigest(Buffer.from(seed));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: seed.length }, layers: [] }));
}
async function startFakeOciRegistry() {
  const blobs = /* @__PURE__ */ new Map();
  const tags = /* @__PURE__ */ new Map();
  const liars = /* @__PURE__ */ new Set();
  const requests = [];
  let token;
  const server = createServer(loopbackTls(), (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    requests.push({
      method: req.method ?? "GET",
      path,
      ...req.headers.accept === void 0 ? {} : { accept: req.headers.accept },
      ...req.headers.authorization === void 0 ? {} : { authorization: req.headers.authorization }
    });
    const json = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    if (path === "/token") {
      json(200, { [token?.field ?? "token"]: "anon-token" });
      return;
    }
    if (token !== void 0 && req.headers.authorization !== "Bearer anon-token") {
      const { port } = server.address();
      json(401, { errors: [{ code: "UNAUTHORIZED" }] }, { "www-authenticate": `Bearer realm="https://127.0.0.1:${port}/token",service="fake",scope="repository:o/s:pull"` });
      return;
    }
    if (path === "/v2/") {
      json(200, {}, { "docker-distribution-api-version": "registry/2.0" });
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m === null) {
      json(404, { errors: [{ code: "NOT_FOUND" }] });
      return;
    }
    const [, repository, reference] = m;
    if (![...tags.keys(), ...blobs.keys()].some((k) => k.startsWith(`${repository}:`) || k.startsWith(`${repository}@`))) {
      json(404, { errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }] });
      return;
    }
    const digest = reference.startsWith("sha256:") ? reference : tags.get(`${repository}:${reference}`);
    const blob = digest === void 0 ? void 0 : blobs.get(`${repository}@${digest}`);
    if (blob === void 0 || digest === void 0) {
      json(404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
      return;
    }
    const header = liars.has(`${repository}:${reference}`) ? ociDigest(Buffer.from("something else")) : digest;
    res.writeHead(200, { "content-type": blob.type, "content-length": blob.body.length, "docker-content-digest": header, "docker-distribution-api-version": "registry/2.0" });
    res.end(req.method === "HEAD" ? void 0 : blob.body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${server.address().port}`;
  const put = (repository, body, type) => {
    const digest = ociDigest(body);
    blobs.set(`${repository}@${digest}`, { body, type });
    return digest;
  };
  return {
    host,
    requests,
    putManifest(repository, tag, body) {
      const digest = put(repository, body, OCI_MANIFEST);
      tags.set(`${repository}:${tag}`, digest);
      return digest;
    },
    putIndex(repository, tag, platforms) {
      const digests = {};
      const manifests = Object.entries(platforms).map(([platform, body]) => {
        const digest2 = put(repository, body, OCI_MANIFEST);
        digests[platform] = digest2;
        const [os, architecture, variant] = platform.split("/");
        return { mediaType: OCI_MANIFEST, digest: digest2, size: body.length, platform: { os, architecture, ...variant === void 0 ? {} : { variant } } };
      });
      const attestation = imageManifest(`attestation of ${tag}`);
      manifests.push({ mediaType: OCI_MANIFEST, digest: put(repository, attestation, OCI_MANIFEST), size: attestation.length, platform: { os: "unknown", architecture: "unknown" } });
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      const digest = put(repository, index, OCI_INDEX);
      tags.set(`${repository}:${tag}`, digest);
      return { digest, platforms: digests };
    },
    lieAboutDigest(repository, tag) {
      liars.add(`${repository}:${tag}`);
    },
    moveTag(repository, tag, body) {
      const digest = put(repository, body, OCI_MANIFEST);
      tags.set(`${repository}:${tag}`, digest);
      return digest;
    },
    deleteTag(repository, tag) {
      tags.delete(`${repository}:${tag}`);
    },
    deleteDigest(repository, digest) {
      blobs.delete(`${repository}@${digest}`);
    },
    serveWrongBytes(repository, digest, body) {
      blobs.set(`${repository}@${digest}`, { body, type: OCI_MANIFEST });
    },
    requireToken(options) {
      token = { field: options?.accessTokenField === true ? "access_token" : "token" };
    },
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => error === void 0 ? resolve() : reject(error));
    })
  };
}
export {
  OCI_INDEX,
  OCI_MANIFEST,
  imageManifest,
  ociDigest,
  startFakeOciRegistry
};
