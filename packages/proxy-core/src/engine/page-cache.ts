/**
 * The list-page cache: a list page byte for byte identical to one already checked,
 * with only the proxy id changed, gets the same filtered answer without being parsed
 * or re-hashed, as text or straight from the pieces it arrived in.
 */
import type { AuditEvent } from '@mcptrust/audit';
import { findTopLevelId } from '../raw-json.js';
import { asciiAt, bytesAt } from './byte-ranges.js';
import { ENVELOPE_HEAD, MAX_PROXY_ID_CHARS, isPlainIdText } from './id-text.js';
import type { Observation } from './observation.js';
import type { PendingTable } from './pending-table.js';
import type { Session } from './session.js';

/**
 * A list page the engine has already parsed, checked and filtered. A later server line
 * that is byte-for-byte `prefix + "<pending proxy id>" + suffix` is the same JSON
 * document with only the id string changed, so it gets the same verdict without being
 * parsed or re-hashed again.
 */
interface CachedPage {
  readonly method: string;
  readonly version: number;
  readonly prefix: string;
  readonly suffix: string;
  // `,"result":<filtered result>}`: the answer after the host's id, as text and bytes.
  readonly tail: string;
  tailBytes: Buffer | undefined;
  // UTF-8 of prefix and suffix, for the check on bytes (made on first use).
  prefixBytes: Buffer | undefined;
  suffixBytes: Buffer | undefined;
  readonly audit: Partial<AuditEvent> | undefined;
}

const MAX_CACHED_PAGES = 8;
// Larger pages are filtered every time rather than kept in memory.
const MAX_CACHED_PAGE_CHARS = 1024 * 1024;

/** The page-cache stage (most recent page first, at most eight). */
export class PageCache {
  private readonly pages: CachedPage[] = [];

  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly table: PendingTable,
  ) {}

  /** No page is cached (the common case: lines skip the cache at no cost). */
  get empty(): boolean {
    return this.pages.length === 0;
  }

  /** Records a filtered page so an identical one is answered from the cache. */
  remember(method: string, raw: string, resultJson: string, audit: Partial<AuditEvent> | undefined): void {
    if (raw.length > MAX_CACHED_PAGE_CHARS) return;
    // The text was validated by JSON.parse, so the id span found here is exact.
    const span = findTopLevelId(raw);
    if (span === undefined) return;
    const page: CachedPage = {
      method,
      version: this.session.stateVersion,
      prefix: raw.slice(0, span.start),
      suffix: raw.slice(span.end),
      tail: ',"result":' + resultJson + '}',
      tailBytes: undefined,
      prefixBytes: undefined,
      suffixBytes: undefined,
      audit,
    };
    const cache = this.pages;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      if (c.method === method && c.prefix === page.prefix && c.suffix === page.suffix) {
        cache.splice(i, 1);
        break;
      }
    }
    cache.unshift(page);
    if (cache.length > MAX_CACHED_PAGES) cache.length = MAX_CACHED_PAGES;
  }

  /**
   * Answers a list page from the cache when `line` is exactly a cached page's text
   * with another pending proxy id in place of the old one. Replacing one plain JSON
   * string token by another leaves a valid document with the same structure, so the
   * line needs neither parsing nor re-hashing: it is the page that was checked, and
   * the state its verdict depended on has not changed (`stateVersion`). Returns false
   * (the caller takes the full path) on any doubt.
   */
  fromText(line: string): boolean {
    const cache = this.pages;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      const idChars = line.length - c.prefix.length - c.suffix.length;
      if (idChars < 18 || idChars > MAX_PROXY_ID_CHARS + 2) continue;
      if (c.version !== this.session.stateVersion) {
        cache.length = 0;
        return false;
      }
      const open = c.prefix.length;
      if (line.charCodeAt(open) !== 0x22 || line.charCodeAt(open + idChars - 1) !== 0x22) continue;
      // Substring equality compares whole flat strings at memory speed.
      if (line.slice(open + idChars) !== c.suffix || line.slice(0, open) !== c.prefix) continue;
      // The token must be a plain string (no escapes, so its text is its value) that is
      // exactly a pending id.
      return this.answer(c, line.slice(open + 1, open + idChars - 1));
    }
    return false;
  }

  /**
   * The byte form of {@link PageCache.fromText}: the line is compared with the cached
   * page's prefix and suffix as bytes, piece by piece, so a repeated page is answered
   * without being joined, decoded or parsed. Same rules: a plain ASCII id token that is
   * exactly a pending id of the same method, and a cache still valid for the session.
   */
  fromBytes(parts: readonly Uint8Array[], byteLength: number): boolean {
    const cache = this.pages;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      c.prefixBytes ??= Buffer.from(c.prefix);
      c.suffixBytes ??= Buffer.from(c.suffix);
      const open = c.prefixBytes.length;
      const idBytes = byteLength - open - c.suffixBytes.length;
      if (idBytes < 18 || idBytes > MAX_PROXY_ID_CHARS + 2) continue;
      if (c.version !== this.session.stateVersion) {
        cache.length = 0;
        return false;
      }
      const token = asciiAt(parts, open, idBytes);
      if (token === undefined || token.charCodeAt(0) !== 0x22 || token.charCodeAt(idBytes - 1) !== 0x22) continue;
      if (!bytesAt(parts, open + idBytes, c.suffixBytes) || !bytesAt(parts, 0, c.prefixBytes)) continue;
      return this.answer(c, token.slice(1, -1));
    }
    return false;
  }

  /** Answers a pending list request from a cached page; false if the id does not fit. */
  private answer(c: CachedPage, token: string): boolean {
    if (!isPlainIdText(token)) return false;
    const entry = this.table.pending.get(token);
    if (entry === undefined || entry.method !== c.method || entry.internal !== undefined || entry.hostId === undefined) return false;
    this.table.complete(entry, false);
    if (c.audit !== undefined) this.obs.audit(this.session.mode === 'audit-only' ? 'audit_only' : 'filtered', 'server_to_host', { ...c.audit });
    if (this.session.io.toHostBytes !== undefined) {
      c.tailBytes ??= Buffer.from(c.tail);
      this.session.io.toHostBytes([Buffer.from(ENVELOPE_HEAD + entry.hostId), c.tailBytes]);
    } else {
      this.session.io.toHost(ENVELOPE_HEAD + entry.hostId + c.tail);
    }
    if (this.obs.auditAllowed) this.obs.auditAnswer(entry, undefined);
    return true;
  }
}
