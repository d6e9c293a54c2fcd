import { timingSafeEqual } from 'node:crypto';
import {
  promptHashes,
  resourceTemplateHashes,
  staticResourceHashes,
  toolHashes,
} from '@mcptrust/lockfile';
import type {
  Lockfile,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from '@mcptrust/lockfile';
import { compileUriTemplate, type UriTemplateMatcher } from './uri-template.js';

/** The four kinds of pinned items. */
export type ItemKind = 'tool' | 'prompt' | 'resourceTemplate' | 'resource';

/** A pinned item's hash fields, as found in the lockfile. */
type PinnedHashes = Readonly<Record<string, unknown>>;

interface PinnedTemplate {
  readonly uriTemplate: string;
  readonly matcher: UriTemplateMatcher | undefined;
  readonly hashes: PinnedHashes;
}

/** The result of comparing one live definition with the lockfile. */
export interface DefinitionVerdict {
  /** Whether every compared hash matched. */
  ok: boolean;
  /** The hash fields that differ (`descriptionHash`, `inputSchemaHash`, ...). */
  changed: string[];
}

/** Plain description of the allowlist a lockfile yields (for `--print-effective-allowlist`). */
export interface EffectiveAllowlist {
  /** Allowed tool names, sorted. */
  tools: string[];
  /** Allowed prompt names, sorted. */
  prompts: string[];
  /** Allowed resource URI templates, sorted. */
  resourceTemplates: string[];
  /** Allowed static resource URIs, sorted. */
  staticResources: string[];
  /** Items the lockfile denies: hidden from lists, calls refused (`ITEM_DENIED`). */
  denied: {
    /** Denied tool names, sorted. */
    tools: string[];
    /** Denied prompt names, sorted. */
    prompts: string[];
    /** Denied resource URI templates, sorted. */
    resourceTemplates: string[];
    /** Denied static resource URIs, sorted. */
    staticResources: string[];
  };
}

// Digest strings are compared without an early exit so the time taken does not reveal
// how much of a pinned hash a forged definition matched.
function sameHash(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === undefined && b === undefined;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function hashFields(o: PinnedHashes): string[] {
  return Object.keys(o).filter((k) => k.endsWith('Hash'));
}

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

const MAX_CACHE = 4096;

// The fields `toolHashes` reads, and the hash fields it writes (the ones the lockfile's
// parser compares for a tool's snapshot).
const TOOL_HASHED_FIELDS = ['description', 'inputSchema', 'outputSchema', 'annotations', 'title'] as const;
const TOOL_HASH_FIELDS = new Set(['descriptionHash', 'inputSchemaHash', 'outputSchemaHash', 'annotationsHash', 'titleHash']);

/** Whether two values parsed from JSON are the same JSON value (key order aside). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The reason of every refusal of a denied item: `MCPTRUST_DENIED: denied by the lockfile`. */
export const DENIED_REASON = 'denied by the lockfile';

/**
 * The allowlist compiled from a lockfile, plus the definition check with its cache.
 * Names compare byte-for-byte (Map keys, no normalization, PROTOCOL 20).
 */
export class Allowlist {
  /** Pinned tool hash entries by name. */
  readonly tools = new Map<string, PinnedHashes>();
  /** Pinned inputSchemas by tool name (absent for hash-only lockfiles). */
  readonly toolSchemas = new Map<string, unknown>();
  /** Pinned prompt hash entries by name. */
  readonly prompts = new Map<string, PinnedHashes>();
  /** Pinned templates by uriTemplate. */
  readonly templates = new Map<string, PinnedTemplate>();
  /** Pinned static resources by URI. */
  readonly staticResources = new Map<string, PinnedHashes & { mimeType?: unknown }>();
  /** Denied tool names (`denied.tools`). */
  readonly deniedTools = new Set<string>();
  /** Denied prompt names (`denied.prompts.definitions`). */
  readonly deniedPrompts = new Set<string>();
  /** Denied templates by uriTemplate, with their matchers. */
  readonly deniedTemplates = new Map<string, UriTemplateMatcher | undefined>();
  /** Denied static resource URIs. */
  readonly deniedStatic = new Set<string>();
  /** Whether only the pinned hash fields are compared (lockfiles converted from Go). */
  private readonly pinnedFieldsOnly: boolean;
  // Verdicts keyed by kind + serialized live definition: an identical list costs one
  // stringify and a Map lookup per item.
  private readonly cache = new Map<string, DefinitionVerdict>();
  // Tool snapshots whose hashes are exactly the pinned ones: the lockfile's parser
  // (which the engine's caller must have used, see ProxyEngineOptions.lockfile) hashed
  // each snapshot and compared it with every hash field of its entry.
  private readonly toolSnapshots = new Map<string, Readonly<Record<string, unknown>>>();

  /** @param lockfile - the parsed lockfile */
  constructor(lockfile: Lockfile) {
    this.pinnedFieldsOnly = lockfile.meta?.convertedFrom !== undefined;
    for (const name of Object.keys(lockfile.tools ?? {})) {
      const entry = own(lockfile.tools, name);
      if (entry === undefined) continue;
      this.tools.set(name, entry as unknown as PinnedHashes);
      if (entry.snapshot?.inputSchema !== undefined) this.toolSchemas.set(name, entry.snapshot.inputSchema);
      if (entry.snapshot !== undefined && !this.pinnedFieldsOnly && hashFields(entry as unknown as PinnedHashes).every((f) => TOOL_HASH_FIELDS.has(f))) {
        this.toolSnapshots.set(name, entry.snapshot as unknown as Readonly<Record<string, unknown>>);
      }
    }
    const prompts = lockfile.prompts?.definitions ?? {};
    for (const name of Object.keys(prompts)) {
      const entry = own(prompts, name);
      if (entry !== undefined) this.prompts.set(name, entry as unknown as PinnedHashes);
    }
    for (const t of lockfile.resources?.templates ?? []) {
      this.templates.set(t.uriTemplate, {
        uriTemplate: t.uriTemplate,
        matcher: compileUriTemplate(t.uriTemplate),
        hashes: t as unknown as PinnedHashes,
      });
    }
    for (const r of lockfile.resources?.static ?? []) {
      this.staticResources.set(r.uri, r as unknown as PinnedHashes);
    }
    const denied = lockfile.denied;
    if (denied !== undefined) {
      for (const name of Object.keys(denied.tools ?? {})) this.deniedTools.add(name);
      for (const name of Object.keys(denied.prompts?.definitions ?? {})) this.deniedPrompts.add(name);
      for (const t of denied.resources?.templates ?? []) this.deniedTemplates.set(t.uriTemplate, compileUriTemplate(t.uriTemplate));
      for (const r of denied.resources?.static ?? []) this.deniedStatic.add(r.uri);
    }
  }

  /** Whether the lockfile denies this item (by exact name, URI template or URI). */
  isDenied(kind: ItemKind, id: string): boolean {
    switch (kind) {
      case 'tool':
        return this.deniedTools.has(id);
      case 'prompt':
        return this.deniedPrompts.has(id);
      case 'resourceTemplate':
        return this.deniedTemplates.has(id);
      case 'resource':
        return this.deniedStatic.has(id);
    }
  }

  /**
   * Whether a URI is denied: a denied static resource, or one a denied template matches.
   * Checked before the approved entries, so a denial wins over an approved template that
   * matches the same URI (the narrower decision is the deliberate one).
   */
  deniesUri(uri: string): boolean {
    if (this.deniedStatic.has(uri)) return true;
    for (const matcher of this.deniedTemplates.values()) if (matcher !== undefined && matcher.matches(uri)) return true;
    return false;
  }

  /** The pinned template a URI matches, if any (templates in lockfile order). */
  matchTemplate(uri: string): string | undefined {
    for (const t of this.templates.values()) {
      if (t.matcher !== undefined && t.matcher.matches(uri)) return t.uriTemplate;
    }
    return undefined;
  }

  /** Plain description of what is allowed. */
  describe(): EffectiveAllowlist {
    return {
      tools: [...this.tools.keys()].sort(),
      prompts: [...this.prompts.keys()].sort(),
      resourceTemplates: [...this.templates.keys()].sort(),
      staticResources: [...this.staticResources.keys()].sort(),
      denied: {
        tools: [...this.deniedTools].sort(),
        prompts: [...this.deniedPrompts].sort(),
        resourceTemplates: [...this.deniedTemplates.keys()].sort(),
        staticResources: [...this.deniedStatic].sort(),
      },
    };
  }

  /** The pinned entry of an item, if pinned. */
  pinned(kind: ItemKind, id: string): PinnedHashes | undefined {
    switch (kind) {
      case 'tool':
        return this.tools.get(id);
      case 'prompt':
        return this.prompts.get(id);
      case 'resourceTemplate':
        return this.templates.get(id)?.hashes;
      case 'resource':
        return this.staticResources.get(id);
    }
  }

  /**
   * Compares a live definition (attacker-controlled, from the server) with its pinned
   * entry. `id` must already be known to be pinned. Any failure to hash counts as a
   * mismatch (fail closed).
   */
  verify(kind: ItemKind, id: string, live: Record<string, unknown>, serialized?: string): DefinitionVerdict {
    if (kind === 'tool' && this.sameAsToolSnapshot(id, live)) return { ok: true, changed: [] };
    const key = kind + '\u0000' + (serialized ?? JSON.stringify(live));
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const pinned = this.pinned(kind, id);
    let verdict: DefinitionVerdict;
    if (pinned === undefined) {
      verdict = { ok: false, changed: ['(not pinned)'] };
    } else {
      try {
        const hashes = this.hashesOf(kind, live);
        const fields = new Set(hashFields(pinned));
        if (!this.pinnedFieldsOnly) for (const f of hashFields(hashes)) fields.add(f);
        const changed: string[] = [];
        for (const f of fields) if (!sameHash(hashes[f], pinned[f])) changed.push(f);
        if (kind === 'resource' && (pinned['mimeType'] ?? '') !== (live['mimeType'] ?? '')) changed.push('mimeType');
        verdict = { ok: changed.length === 0, changed };
      } catch {
        verdict = { ok: false, changed: ['(unhashable)'] };
      }
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, verdict);
    return verdict;
  }

  /**
   * Whether every field a tool's hashes are computed from is the same JSON value in the
   * live definition as in its verified snapshot: then its hashes are the snapshot's,
   * which are the pinned ones, and nothing needs hashing. Any difference (or no usable
   * snapshot) leaves the decision to the hashes.
   */
  private sameAsToolSnapshot(id: string, live: Record<string, unknown>): boolean {
    const snapshot = this.toolSnapshots.get(id);
    if (snapshot === undefined) return false;
    for (const f of TOOL_HASHED_FIELDS) {
      const a = Object.prototype.hasOwnProperty.call(live, f) ? live[f] : undefined;
      const b = Object.prototype.hasOwnProperty.call(snapshot, f) ? snapshot[f] : undefined;
      if (!jsonEqual(a, b)) return false;
    }
    return true;
  }

  private hashesOf(kind: ItemKind, live: Record<string, unknown>): Record<string, unknown> {
    switch (kind) {
      case 'tool':
        if (live['inputSchema'] === null || typeof live['inputSchema'] !== 'object') throw new Error('no inputSchema');
        return { ...toolHashes(live as unknown as ToolDefinition) };
      case 'prompt':
        return { ...promptHashes(live as unknown as PromptDefinition) };
      case 'resourceTemplate':
        return { ...resourceTemplateHashes(live as unknown as ResourceTemplateDefinition) };
      case 'resource':
        return { ...staticResourceHashes(live as unknown as ResourceDefinition) };
    }
  }
}

/** The allowlist a lockfile yields, as plain sorted lists. */
export function effectiveAllowlist(lockfile: Lockfile): EffectiveAllowlist {
  return new Allowlist(lockfile).describe();
}
