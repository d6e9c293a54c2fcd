/**
 * Hash-level comparison of two lockfiles: what `mcptrust lock` shows when it refuses to
 * overwrite a lockfile the server no longer matches. (The semantic diff with severities
 * is `@mcptrust/drift`'s job; this says which item and which pinned part.)
 */
import { goPromptArgumentsHash, goToolHashes } from './go-compat.js';
import { hashesMatch, hashJson } from './hashing.js';
import { deniedItems } from './denied.js';
import type { LockfileItemKind } from './denied.js';
import { escapeText } from './json-path.js';
import type { LockedPrompt, LockedResourceTemplate, LockedStaticResource, LockedTool, Lockfile } from './lockfile.types.js';
import type { JsonObject } from './scan-report.types.js';

/** What kind of item a change is about. */
export type LockfileItemType = 'server' | 'tool' | 'prompt' | 'resourceTemplate' | 'resource';

/** Whether the item appeared, disappeared or changed. */
export type LockfileChangeKind = 'added' | 'removed' | 'changed';

/** One item that differs between two lockfiles. */
export interface LockfileChange {
  /** What kind of item. */
  itemType: LockfileItemType;
  /** Tool or prompt name, URI template, URI, or server name. */
  id: string;
  /** Added, removed or changed. */
  kind: LockfileChangeKind;
  /** For `changed`: the pinned fields that differ (e.g. `descriptionHash`, `inputSchemaHash`); empty otherwise. */
  fields: string[];
}

const ITEM_ORDER: readonly LockfileItemType[] = ['server', 'tool', 'prompt', 'resourceTemplate', 'resource'];

const LABELS: Record<LockfileItemType, string> = {
  server: 'server',
  tool: 'tool',
  prompt: 'prompt',
  resourceTemplate: 'resource template',
  resource: 'resource',
};

/** Equal hashes (or both absent). */
function same(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined ? a === b : hashesMatch(a, b);
}

/** Equal to either of two candidate hashes: this project's, or the Go mcptrust's. */
function sameAsEither(pinned: string, current: string, legacy: string | undefined): boolean {
  return hashesMatch(pinned, current) || (legacy !== undefined && hashesMatch(pinned, legacy));
}

function differing<T extends object>(a: T, b: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((field) => !same(a[field] as string | undefined, b[field] as string | undefined));
}

function toolFields(old: LockedTool, next: LockedTool): string[] {
  if (old.snapshot !== undefined) {
    const fields = differing(old, next, ['descriptionHash', 'inputSchemaHash', 'outputSchemaHash', 'annotationsHash', 'titleHash']);
    if (old.riskLevel !== next.riskLevel) fields.push('riskLevel');
    return fields;
  }
  // Converted from the Go format: only the description and input schema were pinned,
  // hashed the Go way. An unchanged tool matches either hashing.
  const legacy = next.snapshot === undefined ? undefined : goToolHashes(next.snapshot);
  const fields: string[] = [];
  if (!sameAsEither(old.descriptionHash, next.descriptionHash, legacy?.descriptionHash)) fields.push('descriptionHash');
  if (!sameAsEither(old.inputSchemaHash, next.inputSchemaHash, legacy?.inputSchemaHash)) fields.push('inputSchemaHash');
  return fields;
}

function promptFields(old: LockedPrompt, next: LockedPrompt): string[] {
  if (old.snapshot !== undefined) return differing(old, next, ['descriptionHash', 'argumentsHash', 'titleHash']);
  const fields = differing(old, next, ['descriptionHash']);
  const legacy = next.snapshot === undefined ? undefined : goPromptArgumentsHash(next.snapshot.arguments);
  if (!sameAsEither(old.argumentsHash, next.argumentsHash, legacy)) fields.push('argumentsHash');
  if (old.titleHash !== undefined && !same(old.titleHash, next.titleHash)) fields.push('titleHash');
  return fields;
}

function templateFields(old: LockedResourceTemplate, next: LockedResourceTemplate): string[] {
  const fields = differing(old, next, ['templateHash', 'nameHash', 'descriptionHash']);
  // The Go format had no titles: compare them only where they were pinned.
  if ((old.snapshot !== undefined || old.titleHash !== undefined) && !same(old.titleHash, next.titleHash)) fields.push('titleHash');
  if (old.mimeType !== next.mimeType) fields.push('mimeType');
  return fields;
}

function staticFields(old: LockedStaticResource, next: LockedStaticResource): string[] {
  const fields = differing(old, next, ['nameHash', 'descriptionHash', 'titleHash']);
  if (old.mimeType !== next.mimeType) fields.push('mimeType');
  return fields;
}

/**
 * The identity of an artifact pin: the pin without the time its provenance was
 * verified, so that pinning the same bytes again is not a change.
 */
export function artifactPinIdentity(pin: JsonObject | undefined): string | undefined {
  if (pin === undefined) return undefined;
  const provenance = pin['provenance'];
  if (typeof provenance !== 'object' || provenance === null || Array.isArray(provenance)) return hashJson(pin);
  const { verified_at: _verifiedAt, ...kept } = provenance;
  return hashJson({ ...pin, provenance: kept });
}

function serverFields(old: Lockfile, next: Lockfile): string[] {
  const a = old.server;
  const b = next.server;
  const converted = old.meta.convertedFrom;
  // The pinned artifact (`lock --pin`): another package, version, tree or image is a change.
  const artifact = artifactPinIdentity(a.artifact) === artifactPinIdentity(b.artifact) ? [] : ['artifact'];
  // A converted Go lockfile recorded the server's name (v3 only) and nothing else.
  if (converted !== undefined) return [...(converted === 'go-v3' && a.name !== b.name ? ['name'] : []), ...artifact];
  const fields: string[] = [...artifact];
  if (a.name !== b.name) fields.push('name');
  if (a.version !== b.version) fields.push('version');
  if (a.protocolVersion !== b.protocolVersion) fields.push('protocolVersion');
  if (a.title !== b.title) fields.push('title');
  // Another endpoint (or a stdio server locked where a remote one was) is a change to review.
  if (a.url !== b.url) fields.push('url');
  if (!same(a.instructionsHash, b.instructionsHash)) fields.push('instructionsHash');
  if (!hashesMatch(hashJson(a.capabilities), hashJson(b.capabilities))) fields.push('capabilities');
  return fields;
}

function compareMaps<T>(
  itemType: LockfileItemType,
  old: ReadonlyMap<string, T>,
  next: ReadonlyMap<string, T>,
  fieldsOf: (a: T, b: T) => string[],
  out: LockfileChange[],
  deniedInNext: ReadonlySet<string>,
): void {
  for (const [id, item] of old) {
    const current = next.get(id);
    if (current === undefined) {
      // Denied on purpose since (`lock --exclude`): a decision, not a change of the server.
      if (!deniedInNext.has(id)) out.push({ itemType, id, kind: 'removed', fields: [] });
      continue;
    }
    const fields = fieldsOf(item, current);
    if (fields.length > 0) out.push({ itemType, id, kind: 'changed', fields });
  }
  for (const id of next.keys()) {
    // An item denied in `old` and approved in `next` still shows as added: approving
    // it again is a change to review (`lock --include` says why it made it).
    if (!old.has(id)) out.push({ itemType, id, kind: 'added', fields: [] });
  }
}

function deniedIds(lockfile: Lockfile, itemType: LockfileItemKind): Set<string> {
  return new Set(deniedItems(lockfile).filter((item) => item.itemType === itemType).map((item) => item.id));
}

/**
 * Compares two lockfiles on what they pin (hashes, risk levels, MIME types, the
 * server's identity and capabilities), ignoring `meta`. Items are matched by name (tools,
 * prompts), URI template or URI. Items without a snapshot (converted from the Go
 * format) are compared on what that format pinned, and match when their hash equals
 * either this project's hashing or the Go mcptrust's of the new definition.
 *
 * Only the approved surface is compared. Denied items (`denied`) are decisions, not
 * drift: an item approved in `old` and denied in `next` is not "removed" (it was
 * narrowed on purpose), and a denied item whose definition changed is not "changed"
 * (it stays denied either way). An item denied in `old` and approved in `next` is
 * "added": approving it is a change to review, so a caller that forgot to carry the
 * denials over fails closed.
 *
 * @returns the changes sorted by item type (server, tools, prompts, resource
 * templates, resources) and then id; empty when the lockfiles pin the same surface.
 */
export function compareLockfiles(old: Lockfile, next: Lockfile): LockfileChange[] {
  const changes: LockfileChange[] = [];
  const denied = (itemType: LockfileItemKind): Set<string> => deniedIds(next, itemType);
  const server = serverFields(old, next);
  if (server.length > 0) changes.push({ itemType: 'server', id: old.server.name || next.server.name, kind: 'changed', fields: server });
  compareMaps('tool', new Map(Object.entries(old.tools)), new Map(Object.entries(next.tools)), toolFields, changes, denied('tool'));
  compareMaps('prompt', new Map(Object.entries(old.prompts.definitions)), new Map(Object.entries(next.prompts.definitions)), promptFields, changes, denied('prompt'));
  compareMaps(
    'resourceTemplate',
    new Map(old.resources.templates.map((t) => [t.uriTemplate, t])),
    new Map(next.resources.templates.map((t) => [t.uriTemplate, t])),
    templateFields,
    changes,
    denied('resourceTemplate'),
  );
  compareMaps(
    'resource',
    new Map(old.resources.static.map((r) => [r.uri, r])),
    new Map(next.resources.static.map((r) => [r.uri, r])),
    staticFields,
    changes,
    denied('resource'),
  );
  return changes.sort(
    (a, b) => ITEM_ORDER.indexOf(a.itemType) - ITEM_ORDER.indexOf(b.itemType) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** `descriptionHash` → `description`, `templateHash` → `template`. */
function fieldLabel(field: string): string {
  return field.endsWith('Hash') ? field.slice(0, -'Hash'.length) : field;
}

/**
 * One sentence for a change: "tool `exec_shell` was added", "tool `read_file` changed:
 * description, inputSchema". Characters outside printable ASCII in the id are shown
 * as `\uXXXX` escapes, so that a name cannot hide or reorder text on a terminal.
 */
export function describeLockfileChange(change: LockfileChange): string {
  const subject = `${LABELS[change.itemType]} \`${escapeText(change.id)}\``;
  if (change.kind === 'added') return `${subject} was added`;
  if (change.kind === 'removed') return `${subject} was removed`;
  return `${subject} changed: ${change.fields.map(fieldLabel).join(', ')}`;
}
