/**
 * The OAuth token store: one JSON file (`oauth-tokens.json`, mode 0600, in a directory of
 * mode 0700) under the user's configuration directory, one entry per (issuer, resource).
 *
 * An entry holds the tokens, their expiry, the client registration obtained from the
 * authorization server and that server's metadata, so a later process can refresh the
 * tokens without any discovery. Writes are atomic (temporary file, fsync, rename). A file
 * that group or others may read or write is refused (POSIX), with the command that fixes
 * it. Token values never appear in an error message.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RemoteError } from '../errors.js';

/** The tokens of one entry, as the token endpoint issued them. */
export interface StoredTokens {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  /** The scope granted, when the server said. */
  scope?: string;
}

/** The client registration used with the authorization server (RFC 7591 answer). */
export interface StoredClient {
  client_id: string;
  client_secret?: string;
  client_id_issued_at?: number;
  client_secret_expires_at?: number;
  redirect_uris?: string[];
  token_endpoint_auth_method?: string;
}

/** One stored login: the tokens for `resource` issued by `issuer`. */
export interface TokenEntry {
  /** The authorization server's issuer identifier (its metadata `issuer`). */
  issuer: string;
  /** The canonical URL of the MCP server the tokens are for (see `canonicalResource`). */
  resource: string;
  /** The URL the authorization server metadata was discovered from. */
  authorizationServerUrl: string;
  /** The authorization server metadata (RFC 8414 / OIDC), as discovered at login. */
  metadata: Record<string, unknown>;
  /** The client registration. */
  client: StoredClient;
  /** The tokens. */
  tokens: StoredTokens;
  /** When the access token expires (ISO 8601), when the server said. */
  expiresAt?: string;
  /** When the entry was last written (ISO 8601). */
  savedAt: string;
}

/** What {@link TokenStore.list} shows: an entry without secrets. */
export interface TokenEntrySummary {
  issuer: string;
  resource: string;
  expiresAt?: string;
  scope?: string;
  hasRefreshToken: boolean;
  savedAt: string;
}

/** Options of {@link openTokenStore}. */
export interface TokenStoreOptions {
  /** The directory holding the file. Default {@link defaultConfigDir}. */
  dir?: string;
}

/** Where the platform keeps per-user configuration, for {@link defaultConfigDir}. */
export interface ConfigDirContext {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

const FILE_NAME = 'oauth-tokens.json';
const FORMAT_VERSION = 1;
/** How long a writer waits for another one, and when a lock left behind counts as stale. */
const LOCK_WAIT_MS = 5_000;
const LOCK_STALE_MS = 30_000;
const LOCK_RETRY_MS = 25;

interface StoreFile {
  version: number;
  entries: Record<string, TokenEntry>;
}

/**
 * The default directory of the store: `%APPDATA%\mcptrust` on Windows,
 * `$XDG_CONFIG_HOME/mcptrust` (when set to an absolute path) or `~/.config/mcptrust` elsewhere.
 *
 * @param context - environment, platform and home directory (defaults: the process's)
 * @returns an absolute directory path
 */
export function defaultConfigDir(context: ConfigDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const home = context.home ?? homedir();
  if (platform === 'win32') {
    const appData = env['APPDATA'];
    return join(appData !== undefined && appData !== '' ? appData : join(home, 'AppData', 'Roaming'), 'mcptrust');
  }
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'mcptrust');
  return join(home, '.config', 'mcptrust');
}

/** The key of an entry. */
function keyOf(issuer: string, resource: string): string {
  return `${issuer} ${resource}`;
}

function storeError(message: string, cause?: unknown): RemoteError {
  return new RemoteError('TOKEN_STORE', message, cause === undefined ? {} : { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks an entry read from disk has the shape this module writes. */
function validEntry(value: unknown): value is TokenEntry {
  if (!isRecord(value)) return false;
  const tokens = value['tokens'];
  const client = value['client'];
  return (
    typeof value['issuer'] === 'string' &&
    typeof value['resource'] === 'string' &&
    typeof value['authorizationServerUrl'] === 'string' &&
    isRecord(value['metadata']) &&
    isRecord(client) &&
    typeof client['client_id'] === 'string' &&
    isRecord(tokens) &&
    typeof tokens['access_token'] === 'string' &&
    typeof tokens['token_type'] === 'string' &&
    (value['expiresAt'] === undefined || typeof value['expiresAt'] === 'string') &&
    typeof value['savedAt'] === 'string'
  );
}

/**
 * The store of one directory. Every call reads the file again, so several processes
 * (a proxy refreshing, a `mcptrust auth logout`) see each other's writes; writes take a
 * lock file, so none is lost.
 */
export class TokenStore {
  /** The directory of the file. */
  readonly dir: string;
  /** The file. */
  readonly path: string;

  /** @param dir - the directory holding the file */
  constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, FILE_NAME);
  }

  /** Reads the file; a missing file is an empty store. */
  private async read(): Promise<StoreFile> {
    let mode: number;
    try {
      mode = (await stat(this.path)).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: FORMAT_VERSION, entries: {} };
      throw storeError(`Cannot read the token store ${this.path}: ${(error as Error).message}`, error);
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw storeError(
        `Refusing the token store ${this.path}: group or others may access it (mode ${(mode & 0o777).toString(8)}). ` +
          `Fix it with: chmod 600 '${this.path}' (and chmod 700 '${this.dir}')`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      throw storeError(`Cannot read the token store ${this.path}: not valid JSON (delete it and log in again)`, error);
    }
    if (!isRecord(parsed) || parsed['version'] !== FORMAT_VERSION || !isRecord(parsed['entries'])) {
      throw storeError(`Cannot read the token store ${this.path}: unknown format (delete it and log in again)`);
    }
    const entries: Record<string, TokenEntry> = {};
    for (const [key, entry] of Object.entries(parsed['entries'])) {
      if (validEntry(entry)) entries[key] = entry;
    }
    return { version: FORMAT_VERSION, entries };
  }

  /** Writes the file atomically: a temporary file (0600) in the same directory, fsync, rename. */
  private async write(file: StoreFile): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      if (process.platform !== 'win32') await chmod(this.dir, 0o700);
    } catch (error) {
      throw storeError(`Cannot create the token store directory ${this.dir}: ${(error as Error).message}`, error);
    }
    const temp = join(this.dir, `.${FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw storeError(`Cannot write the token store ${this.path}: ${(error as Error).message}`, error);
    }
  }

  /**
   * Runs a read-modify-write under the store's lock file (`oauth-tokens.json.lock`,
   * created exclusively), so two processes refreshing or logging in at once do not lose
   * each other's entries. A lock older than 30 s (a crashed writer) is taken over.
   */
  private async locked<T>(update: () => Promise<T>): Promise<T> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw storeError(`Cannot create the token store directory ${this.dir}: ${(error as Error).message}`, error);
    }
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await open(lock, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600)).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(`Cannot lock the token store ${this.path}: ${(error as Error).message}`, error);
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > LOCK_STALE_MS) {
          await unlink(lock).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) throw storeError(`The token store ${this.path} is locked by another mcptrust process (remove ${lock} if none is running)`);
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
      }
    }
    try {
      return await update();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  /**
   * The entry for `resource`, or undefined. With several issuers for one resource, the
   * most recently saved one.
   *
   * @param resource - a canonical resource URL
   * @throws RemoteError `TOKEN_STORE` when the file cannot be read or is too open
   */
  async find(resource: string): Promise<TokenEntry | undefined> {
    const { entries } = await this.read();
    let found: TokenEntry | undefined;
    for (const entry of Object.values(entries)) {
      if (entry.resource !== resource) continue;
      if (found === undefined || entry.savedAt > found.savedAt) found = entry;
    }
    return found;
  }

  /**
   * Adds or replaces the entry of (`entry.issuer`, `entry.resource`).
   *
   * @param entry - the entry (its `savedAt` is set now)
   * @throws RemoteError `TOKEN_STORE`
   */
  async save(entry: Omit<TokenEntry, 'savedAt'>): Promise<TokenEntry> {
    return this.locked(async () => {
      const file = await this.read();
      const saved: TokenEntry = { ...entry, savedAt: new Date().toISOString() };
      file.entries[keyOf(entry.issuer, entry.resource)] = saved;
      await this.write(file);
      return saved;
    });
  }

  /**
   * Removes the entries of `resource` (every issuer), or every entry when `resource` is undefined.
   *
   * @returns how many entries were removed
   * @throws RemoteError `TOKEN_STORE`
   */
  async remove(resource?: string): Promise<number> {
    // Nothing stored: nothing to lock (and no directory created).
    if ((await this.list(resource)).length === 0) return 0;
    return this.locked(async () => {
      const file = await this.read();
      let removed = 0;
      for (const [key, entry] of Object.entries(file.entries)) {
        if (resource !== undefined && entry.resource !== resource) continue;
        delete file.entries[key];
        removed += 1;
      }
      if (removed > 0) await this.write(file);
      return removed;
    });
  }

  /**
   * Every entry (or those of `resource`) without token values, sorted by resource.
   *
   * @throws RemoteError `TOKEN_STORE`
   */
  async list(resource?: string): Promise<TokenEntrySummary[]> {
    const { entries } = await this.read();
    return Object.values(entries)
      .filter((entry) => resource === undefined || entry.resource === resource)
      .sort((a, b) => (a.resource === b.resource ? a.issuer.localeCompare(b.issuer) : a.resource.localeCompare(b.resource)))
      .map((entry) => ({
        issuer: entry.issuer,
        resource: entry.resource,
        ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
        ...(entry.tokens.scope === undefined ? {} : { scope: entry.tokens.scope }),
        hasRefreshToken: entry.tokens.refresh_token !== undefined,
        savedAt: entry.savedAt,
      }));
  }
}

/**
 * Opens the token store (nothing is read or created until it is used).
 *
 * @param options - {@link TokenStoreOptions}
 * @returns the store
 */
export function openTokenStore(options: TokenStoreOptions = {}): TokenStore {
  return new TokenStore(options.dir ?? defaultConfigDir());
}
