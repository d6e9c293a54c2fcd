/**
 * The part of npm's configuration that decides where a package is resolved and which
 * credentials go with it: the registry (`registry`, `@scope:registry`) and the
 * per-registry auth (`//host[:port]/path/:_authToken`, `:_auth`, `:username` +
 * `:_password`). Precedence is npm's: environment (`npm_config_registry`), then the
 * project `.npmrc`, then the user `.npmrc` (`$npm_config_userconfig` or `~/.npmrc`),
 * then https://registry.npmjs.org/. Secrets never appear in messages or in `source`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'ini';
import { ArtifactError } from '../errors.js';

/** The npm registry configuration in effect. */
export interface NpmConfig {
  /** Default registry URL, with a trailing `/`. */
  registry: string;
  /** The registry of a package (its scope's `@scope:registry`, else `registry`), trailing `/`. */
  registryFor(name: string): string;
  /** The `authorization` header for a URL (longest matching `//host/path/:` credentials), or `{}`. */
  authHeadersFor(url: string): Record<string, string>;
  /** Where `registry` came from (`env npm_config_registry`, a `.npmrc` path, `default`). */
  source: string;
}

/** Where to read the configuration from. */
export interface NpmConfigOptions {
  env: NodeJS.ProcessEnv;
  /** Project directory (its `.npmrc` is read). */
  cwd: string;
  /** Home directory (`~/.npmrc` unless `npm_config_userconfig` is set). */
  home: string;
}

const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

interface Layer {
  source: string;
  values: Record<string, string>;
}

/** Replaces `${VAR}` (and `${VAR?}`, empty when unset) from the environment; unset `${VAR}` stays as written, like npm. */
function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole: string, escapes: string, name: string, optional?: string) => {
    if (escapes.length % 2 === 1) return whole.slice(1);
    const found = env[name];
    if (found !== undefined) return escapes + found;
    return optional === undefined ? whole : escapes;
  });
}

/** Reads one `.npmrc` as flat string key/values (missing file: empty). */
function readRc(path: string, env: NodeJS.ProcessEnv): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { source: path, values: {} };
    throw new ArtifactError('RESOLVE_FAILED', `cannot read npm configuration ${path}: ${code ?? 'error'}`, { cause: error });
  }
  const parsed = parse(text) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') values[expandEnv(key, env)] = expandEnv(value, env);
  }
  return { source: path, values };
}

/** Registry URL with a trailing slash; refuses what is not an http(s) URL (named by key and source). */
function normalizeRegistry(value: string, key: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ArtifactError('RESOLVE_FAILED', `${key} in ${source} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ArtifactError('INSECURE_URL', `${key} in ${source} is not an https URL (${url.protocol})`);
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const text = url.toString();
  return text.endsWith('/') ? text : `${text}/`;
}

/** `//host[:port]/path/` of a URL (npm's "nerf dart"), path ending in `/`. */
function nerfDart(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return `//${parsed.host}${parsed.pathname}`;
}

interface Credentials {
  prefix: string;
  header: string;
}

/** Collects per-registry credentials; a key in a higher layer wins. */
function collectCredentials(layers: Layer[]): Credentials[] {
  const fields = new Map<string, Record<string, string>>();
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer.values)) {
      const match = /^(\/\/.+\/):(_authToken|_auth|username|_password)$/.exec(key);
      if (match === null) continue;
      const prefix = match[1]!.toLowerCase();
      const entry = fields.get(prefix) ?? {};
      entry[match[2]!] = value;
      fields.set(prefix, entry);
    }
  }
  const out: Credentials[] = [];
  for (const [prefix, entry] of fields) {
    if (entry._authToken) out.push({ prefix, header: `Bearer ${entry._authToken}` });
    else if (entry._auth) out.push({ prefix, header: `Basic ${entry._auth}` });
    else if (entry.username && entry._password) {
      const password = Buffer.from(entry._password, 'base64').toString('utf8');
      out.push({ prefix, header: `Basic ${Buffer.from(`${entry.username}:${password}`).toString('base64')}` });
    }
  }
  return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The value of a key from the environment (`npm_config_x` / `NPM_CONFIG_X`). */
function fromEnv(env: NodeJS.ProcessEnv, key: string): { value: string; name: string } | undefined {
  for (const name of [`npm_config_${key}`, `NPM_CONFIG_${key.toUpperCase()}`]) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, name };
  }
  return undefined;
}

/**
 * The scoped registries and per-registry credentials set in the environment
 * (`npm_config_@scope:registry`, `npm_config_//host/path/:_authToken`...), as the top layer.
 */
function envLayer(env: NodeJS.ProcessEnv): Layer {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^npm_config_(.+)$/i.exec(name);
    if (match === null || value === undefined || value === '') continue;
    const key = match[1]!;
    if (/^@[^:/]+:registry$/i.test(key) || /^\/\/.+\/:(_authToken|_auth|username|_password)$/.test(key)) values[key] = value;
  }
  return { source: 'env', values };
}

/**
 * Reads the registry configuration npm would use in `cwd`.
 *
 * @throws ArtifactError `RESOLVE_FAILED` for an unreadable `.npmrc` or a registry that is
 *   not a URL, `INSECURE_URL` for a registry that is not http(s)
 */
export function readNpmConfig(options: NpmConfigOptions): NpmConfig {
  const { env } = options;
  const userPath = fromEnv(env, 'userconfig')?.value ?? join(options.home, '.npmrc');
  const rcLayers = [readRc(join(options.cwd, '.npmrc'), env), readRc(userPath, env)];
  const layers = [envLayer(env), ...rcLayers];

  let registry = DEFAULT_REGISTRY;
  let source = 'default';
  const envRegistry = fromEnv(env, 'registry');
  if (envRegistry !== undefined) {
    source = `env ${envRegistry.name}`;
    registry = normalizeRegistry(envRegistry.value, 'registry', source);
  } else {
    const layer = rcLayers.find((l) => l.values.registry !== undefined && l.values.registry !== '');
    if (layer !== undefined) {
      source = layer.source;
      registry = normalizeRegistry(layer.values.registry!, 'registry', source);
    }
  }

  const scoped = new Map<string, string>();
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer.values)) {
      const match = /^(@[^:/]+):registry$/.exec(key);
      if (match !== null && value !== '') scoped.set(match[1]!.toLowerCase(), normalizeRegistry(value, key, layer.source));
    }
  }
  const credentials = collectCredentials(layers);

  return {
    registry,
    source,
    registryFor(name: string): string {
      if (name.startsWith('@')) {
        const scope = name.slice(0, name.indexOf('/')).toLowerCase();
        const found = scoped.get(scope);
        if (found !== undefined) return found;
      }
      return registry;
    },
    authHeadersFor(url: string): Record<string, string> {
      const dart = nerfDart(url)?.toLowerCase();
      if (dart === undefined) return {};
      const match = credentials.find((c) => dart.startsWith(c.prefix));
      return match === undefined ? {} : { authorization: match.header };
    },
  };
}
