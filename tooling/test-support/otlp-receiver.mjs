// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * A loopback OTLP/HTTP receiver standing in for an OpenTelemetry collector (none is
 * installed for the tests). `startOtlpReceiver()` listens on 127.0.0.1 (random port) and
 * records every `POST /v1/traces` and `POST /v1/metrics`: JSON bodies decoded, gzip
 * bodies (`content-encoding: gzip`) inflated first, protobuf bodies kept as bytes with
 * their content type. It answers `200 {}` (application/json), or `503` in the
 * `unavailable` mode (`setUnavailable(true)`), and 404 for any other path. `waitFor`
 * resolves once a matching request arrived. Always `close()` it.
 */
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";

/** @param {import('./otlp-receiver.d.mts').OtlpReceiverOptions} [options] */
export async function startOtlpReceiver(options = {}) {
  /** @type {import('./otlp-receiver.d.mts').OtlpRequest[]} */
  const requests = [];
  /** @type {Array<{ test: (r: import('./otlp-receiver.d.mts').OtlpRequest) => boolean, resolve: (r: import('./otlp-receiver.d.mts').OtlpRequest) => void }>} */
  let waiters = [];
  let unavailable = options.unavailable === true;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "POST" || (path !== "/v1/traces" && path !== "/v1/metrics")) {
        res.writeHead(404, { "content-type": "application/json" }).end("{}");
        return;
      }
      let raw = Buffer.concat(chunks);
      const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
      if (encoding === "gzip") raw = gunzipSync(raw);
      const contentType = String(req.headers["content-type"] ?? "");
      let json;
      if (contentType.startsWith("application/json")) {
        try {
          json = JSON.parse(raw.toString("utf8"));
        } catch {
          json = undefined;
        }
      }
      /** @type {import('./otlp-receiver.d.mts').OtlpRequest} */
      const record = {
        path: /** @type {'/v1/traces' | '/v1/metrics'} */ (path),
        contentType,
        contentEncoding: encoding,
        headers: { ...req.headers },
        raw: new Uint8Array(raw),
        ...(json === undefined ? {} : { json }),
        answered: unavailable ? 503 : 200,
      };
      requests.push(record);
      const still = [];
      for (const w of waiters) {
        if (w.test(record)) w.resolve(record);
        else still.push(w);
      }
      waiters = still;
      if (unavailable) res.writeHead(503, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("otlp-receiver: no TCP address");
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    port: address.port,
    requests,
    setUnavailable(value) {
      unavailable = value;
    },
    spans() {
      return requests
        .filter((r) => r.path === "/v1/traces" && r.json !== undefined)
        .flatMap((r) => (r.json.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((span) => ({ ...span, resource: rs.resource })))));
    },
    metrics() {
      return requests
        .filter((r) => r.path === "/v1/metrics" && r.json !== undefined)
        .flatMap((r) => (r.json.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? [])));
    },
    waitFor(test = () => true, timeoutMs = 10_000) {
      const found = requests.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.resolve !== done);
          reject(new Error(`otlp-receiver: no matching request within ${timeoutMs} ms (${requests.length} received)`));
        }, timeoutMs);
        const done = (r) => {
          clearTimeout(timer);
          resolve(r);
        };
        waiters.push({ test, resolve: done });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The value of an OTLP/JSON attribute list entry (`[{ key, value: { stringValue } }]`),
 * as a plain value (`intValue` as a number), or undefined when absent.
 * @param {Array<{ key: string, value: Record<string, unknown> }> | undefined} attributes
 * @param {string} key
 */
export function otlpAttribute(attributes, key) {
  const entry = (attributes ?? []).find((a) => a.key === key);
  if (entry === undefined) return undefined;
  const v = entry.value ?? {};
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue;
  return v;
}
