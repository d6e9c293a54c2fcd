/**
 * The `--otel*` flags and the standard `OTEL_*` variables, read into one checked
 * configuration. This module imports no OpenTelemetry code: it is part of every
 * command's start-up, and the SDK (otel-sdk.ts) is loaded only when `--otel` is given.
 */
import { UsageError } from '../exit-codes.js';
import type { FlagSpec } from './flag-spec.js';

/** Where and how telemetry is exported (the result of {@link otelConfigFrom}). */
export interface OtelConfig {
  /** OTLP/HTTP URL spans are posted to (`…/v1/traces`). */
  tracesUrl: string;
  /** OTLP/HTTP URL metrics are posted to (`…/v1/metrics`). */
  metricsUrl: string;
  /** Body encoding of the exports. */
  protocol: 'http/json' | 'http/protobuf';
  /** `service.name` of the telemetry. */
  serviceName: string;
  /** Share of traces sampled, 0 to 1. */
  sampleRatio: number;
  /** Extra request headers (from `OTEL_EXPORTER_OTLP_HEADERS`). */
  headers?: Record<string, string>;
}

/** The OpenTelemetry flags every command takes (same shape as the proxy's flag table). */
export const OTEL_FLAGS: readonly FlagSpec[] = [
  { name: 'otel', type: 'boolean', default: false, describe: 'Export OpenTelemetry traces (a span per command and per proxied request) and proxy metrics over OTLP/HTTP' },
  { name: 'otel-endpoint', type: 'string', describe: 'OTLP/HTTP collector, a URL or host:port; /v1/traces and /v1/metrics are appended (default $OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318)' },
  { name: 'otel-protocol', type: 'string', describe: 'http/json (default; otlphttp is the same) or http/protobuf; gRPC is not supported (default $OTEL_EXPORTER_OTLP_PROTOCOL)' },
  { name: 'otel-service-name', type: 'string', describe: 'service.name of the telemetry (default $OTEL_SERVICE_NAME, else mcptrust)' },
  { name: 'otel-sample-ratio', type: 'string', describe: 'Share of traces sampled, from 0 to 1 (default 1); below 1, a trace the host started follows the host\'s sampling decision' },
  { name: 'otel-insecure', type: 'boolean', default: false, describe: 'Use plain HTTP for a host:port endpoint that is not loopback (loopback already uses plain HTTP)' },
];

/** Collector used when neither the flag nor the environment names one. */
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_SERVICE_NAME = 'mcptrust';
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** An http(s) URL, or throws naming `source`. Never echoes userinfo. */
function httpUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: expected an http:// or https:// URL or host:port, got "${value.replace(/\/\/[^/@]*@/, '//…@')}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: OTLP is exported over HTTP, so the endpoint must be http:// or https://, got ${url.protocol}//`);
  }
  if (url.hostname === '') throw new UsageError(`${source}: the endpoint has no host`);
  return url;
}

/**
 * A collector base URL (`--otel-endpoint`, `OTEL_EXPORTER_OTLP_ENDPOINT`): a URL as is,
 * or a bare host:port given http:// when loopback or insecure, else https://. Returns it
 * without query, fragment or trailing slash.
 */
function baseUrl(value: string, source: string, insecure: boolean): string {
  const text = value.trim();
  if (text === '') throw new UsageError(`${source}: expected a URL or host:port, got an empty value`);
  let url: URL;
  if (SCHEME.test(text)) {
    url = httpUrl(text, source);
  } else {
    url = httpUrl(`http://${text}`, source);
    if (!insecure && !isLoopback(url.hostname)) url.protocol = 'https:';
  }
  if (url.search !== '' || url.hash !== '') throw new UsageError(`${source}: the endpoint is a base URL; /v1/traces and /v1/metrics are appended, so it takes no query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A per-signal URL from the environment (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), used as is. */
function signalUrl(value: string, source: string): string {
  return httpUrl(value.trim(), source).href;
}

function protocolFrom(value: string, source: string): OtelConfig['protocol'] {
  const text = value.trim().toLowerCase();
  if (text === 'http/json' || text === 'otlphttp') return 'http/json';
  if (text === 'http/protobuf') return 'http/protobuf';
  if (text === 'grpc' || text === 'otlpgrpc') {
    throw new UsageError(`${source}: OTLP over gRPC is not supported; use http/json or http/protobuf (OTLP over HTTP, usually port 4318)`);
  }
  throw new UsageError(`${source}: expected http/json, http/protobuf or otlphttp, got "${value}"`);
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs separated by commas, values
 * percent-decoded. Errors never show a value (it is usually a token).
 */
function headersFrom(value: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [index, part] of value.split(',').entries()) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      throw new UsageError(`OTEL_EXPORTER_OTLP_HEADERS: entry ${index + 1} is not key=value with a valid header name`);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new UsageError(`OTEL_EXPORTER_OTLP_HEADERS: the value of ${key} is not valid percent-encoding`);
    }
    if (/[\r\n\0]/.test(decoded)) throw new UsageError(`OTEL_EXPORTER_OTLP_HEADERS: the value of ${key} contains a line break`);
    headers[key] = decoded;
  }
  return headers;
}

function ratioFrom(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const ratio = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new UsageError(`--otel-sample-ratio: expected a number from 0 to 1, got "${String(value)}"`);
  }
  return ratio;
}

function stringFlag(flags: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name}: expected one value, got ${Array.isArray(value) ? 'several' : typeof value}`);
  return value;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Reads the OpenTelemetry configuration of a command: undefined unless `--otel` is
 * given. The endpoint is `--otel-endpoint` (base URL or host:port), else the
 * per-signal `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `_METRICS_ENDPOINT` as they are, else
 * the base `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318`; a base gets
 * `/v1/traces` and `/v1/metrics` appended. A bare host:port is plain HTTP only when it
 * is loopback or `--otel-insecure` is given. The protocol is `--otel-protocol`, else
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, else http/json (`otlphttp` is accepted as http/json;
 * gRPC is refused). The service name is `--otel-service-name`, else `OTEL_SERVICE_NAME`,
 * else `mcptrust`; the sample ratio `--otel-sample-ratio` (0–1, default 1). Headers come
 * from `OTEL_EXPORTER_OTLP_HEADERS`.
 *
 * @param flags - the parsed command line (yargs or the proxy's fast path)
 * @param env - the environment
 * @returns the configuration, or undefined when `--otel` is not given
 * @throws UsageError naming the flag or variable whose value is invalid
 */
export function otelConfigFrom(flags: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): OtelConfig | undefined {
  if (flags['otel'] !== true) return undefined;
  const insecure = flags['otel-insecure'] === true;
  const endpointFlag = stringFlag(flags, 'otel-endpoint');
  let tracesUrl: string;
  let metricsUrl: string;
  if (endpointFlag !== undefined) {
    const base = baseUrl(endpointFlag, '--otel-endpoint', insecure);
    tracesUrl = `${base}/v1/traces`;
    metricsUrl = `${base}/v1/metrics`;
  } else {
    const baseEnv = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    const base = baseEnv === undefined ? DEFAULT_ENDPOINT : baseUrl(baseEnv, 'OTEL_EXPORTER_OTLP_ENDPOINT', insecure);
    const tracesEnv = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const metricsEnv = envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
    tracesUrl = tracesEnv === undefined ? `${base}/v1/traces` : signalUrl(tracesEnv, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    metricsUrl = metricsEnv === undefined ? `${base}/v1/metrics` : signalUrl(metricsEnv, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  }
  const protocolFlag = stringFlag(flags, 'otel-protocol');
  const protocolEnv = envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const protocol =
    protocolFlag !== undefined
      ? protocolFrom(protocolFlag, '--otel-protocol')
      : protocolEnv !== undefined
        ? protocolFrom(protocolEnv, 'OTEL_EXPORTER_OTLP_PROTOCOL')
        : 'http/json';
  const serviceFlag = stringFlag(flags, 'otel-service-name');
  if (serviceFlag !== undefined && serviceFlag.trim() === '') throw new UsageError('--otel-service-name: expected a name, got an empty value');
  const serviceName = (serviceFlag ?? envValue(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME).trim();
  const ratioFlag = flags['otel-sample-ratio'];
  const sampleRatio = ratioFlag === undefined ? 1 : ratioFrom(ratioFlag);
  const headersEnv = envValue(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const headers = headersEnv === undefined ? undefined : headersFrom(headersEnv);
  return { tracesUrl, metricsUrl, protocol, serviceName, sampleRatio, ...(headers === undefined ? {} : { headers }) };
}
