/**
 * Denied items: what a server offers that was deliberately left out of the approved
 * surface. Selectors (`tool:write_file`, `tool:*_file`, `prompt:NAME`,
 * `resource:URI`, `template:URI_TEMPLATE`) name items; `denyItems` and `approveItems`
 * move items between the approved sections and `denied`, which share one shape.
 */
import { LockfileError } from './errors.js';
import { escapeText } from './json-path.js';
import type {
  DeniedSection,
  LockedPrompt,
  LockedResourceTemplate,
  LockedStaticResource,
  LockedTool,
  Lockfile,
} from './lockfile.types.js';
import { createRecord } from './schema.js';

/** The four kinds of items a lockfile pins (approved or denied). */
export type LockfileItemKind = 'tool' | 'prompt' | 'resourceTemplate' | 'resource';

/** One item of a lockfile, by kind and identity (name, URI template or URI). */
export interface LockfileItemRef {
  /** What kind of item. */
  itemType: LockfileItemKind;
  /** Tool or prompt name, URI template or URI. */
  id: string;
}

/** A parsed selector such as `tool:*_file`. */
export interface ItemSelector {
  /** The kind of item it selects. */
  itemType: LockfileItemKind;
  /** The identity, where each `*` stands for any run of characters (none included). */
  pattern: string;
  /** The selector as written, for messages. */
  text: string;
}

/** Selector prefixes and the item kind each one names. */
const SELECTOR_PREFIXES: Readonly<Record<string, LockfileItemKind>> = {
  tool: 'tool',
  prompt: 'prompt',
  template: 'resourceTemplate',
  resource: 'resource',
};

const PREFIX_OF: Readonly<Record<LockfileItemKind, string>> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'template', resource: 'resource' };

/** What a selector looks like, for error messages. */
export const SELECTOR_EXPECTED = 'KIND:NAME with KIND one of tool, prompt, template, resource (e.g. tool:write_file, tool:*_file)';

/**
 * Parses a selector: `tool:NAME`, `prompt:NAME`, `template:URI_TEMPLATE` or
 * `resource:URI`. Everything after the first `:` is the identity, compared exactly
 * (no case folding, no Unicode normalization) except that `*` matches any run of
 * characters.
 *
 * @throws LockfileError `INVALID_SELECTOR` for an unknown kind or an empty identity
 */
export function parseItemSelector(text: string): ItemSelector {
  const colon = typeof text === 'string' ? text.indexOf(':') : -1;
  const shown = `"${escapeText(String(text))}"`;
  if (colon === -1) {
    throw new LockfileError('INVALID_SELECTOR', `selector ${shown} has no kind: expected ${SELECTOR_EXPECTED}`, { expected: SELECTOR_EXPECTED, found: shown });
  }
  const kind = text.slice(0, colon);
  const itemType = Object.prototype.hasOwnProperty.call(SELECTOR_PREFIXES, kind) ? SELECTOR_PREFIXES[kind] : undefined;
  if (itemType === undefined) {
    throw new LockfileError('INVALID_SELECTOR', `selector ${shown} has an unknown kind "${escapeText(kind)}": expected ${SELECTOR_EXPECTED}`, {
      expected: SELECTOR_EXPECTED,
      found: shown,
    });
  }
  const pattern = text.slice(colon + 1);
  if (pattern === '') {
    throw new LockfileError('INVALID_SELECTOR', `selector ${shown} names no item: expected ${SELECTOR_EXPECTED}`, { expected: SELECTOR_EXPECTED, found: shown });
  }
  return { itemType, pattern, text };
}

/**
 * Whether `id` matches `pattern`, where `*` matches any run of characters (none
 * included) and every other character matches itself exactly, compared by code point.
 * No regular expression is built from the pattern (names are attacker-controlled and
 * may hold any character); the greedy two-pointer walk is O(pattern × id) at worst.
 */
export function matchesGlob(pattern: string, id: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(id);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.length && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (star !== -1) {
      // Let the last `*` take one more character and retry from there.
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Whether a selector selects an item. */
export function selectorMatches(selector: ItemSelector, item: LockfileItemRef): boolean {
  return selector.itemType === item.itemType && matchesGlob(selector.pattern, item.id);
}

/** The selector naming exactly this item (`tool:write_file`); ids holding `*` also match look-alikes of the glob. */
export function formatItemSelector(item: LockfileItemRef): string {
  return `${PREFIX_OF[item.itemType]}:${item.id}`;
}

/** Quotes a word for a POSIX shell (`'tool:it'\''s'`), so a suggested command can be pasted as it is. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `--exclude` flags that deny these items on purpose (`--exclude 'tool:write_file'`),
 * shell-quoted, at most `max` of them followed by ` …`. Every refusal over added items
 * (lock, check, the proxy's preflight) suggests them in the same words.
 */
export function formatExcludeFlags(items: readonly LockfileItemRef[], max = 5): string {
  const flags = items.slice(0, max).map((item) => `--exclude ${shellQuote(formatItemSelector(item))}`);
  return `${flags.join(' ')}${items.length > max ? ' …' : ''}`;
}

type Sections = Pick<Lockfile, 'tools' | 'prompts' | 'resources'>;

function itemsOf(sections: Sections | undefined): LockfileItemRef[] {
  if (sections === undefined) return [];
  return [
    ...Object.keys(sections.tools).map((id) => ({ itemType: 'tool' as const, id })),
    ...Object.keys(sections.prompts.definitions).map((id) => ({ itemType: 'prompt' as const, id })),
    ...sections.resources.templates.map((t) => ({ itemType: 'resourceTemplate' as const, id: t.uriTemplate })),
    ...sections.resources.static.map((r) => ({ itemType: 'resource' as const, id: r.uri })),
  ];
}

/** Every approved item of a lockfile (tools, prompts, templates, static resources). */
export function approvedItems(lockfile: Lockfile): LockfileItemRef[] {
  return itemsOf(lockfile);
}

/** Every denied item of a lockfile; empty when it has no `denied` section. */
export function deniedItems(lockfile: Lockfile): LockfileItemRef[] {
  return itemsOf(lockfile.denied);
}

/** Whether a lockfile denies this item. */
export function isDenied(lockfile: Lockfile, item: LockfileItemRef): boolean {
  const denied = lockfile.denied;
  if (denied === undefined) return false;
  switch (item.itemType) {
    case 'tool':
      return Object.prototype.hasOwnProperty.call(denied.tools, item.id);
    case 'prompt':
      return Object.prototype.hasOwnProperty.call(denied.prompts.definitions, item.id);
    case 'resourceTemplate':
      return denied.resources.templates.some((t) => t.uriTemplate === item.id);
    case 'resource':
      return denied.resources.static.some((r) => r.uri === item.id);
  }
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function emptySections(): Sections {
  return { tools: createRecord<LockedTool>(), prompts: { definitions: createRecord<LockedPrompt>() }, resources: { templates: [], static: [] } };
}

function copySections(sections: Sections | undefined): Sections {
  const out = emptySections();
  if (sections === undefined) return out;
  for (const name of Object.keys(sections.tools)) out.tools[name] = sections.tools[name] as LockedTool;
  for (const name of Object.keys(sections.prompts.definitions)) out.prompts.definitions[name] = sections.prompts.definitions[name] as LockedPrompt;
  out.resources.templates = [...sections.resources.templates];
  out.resources.static = [...sections.resources.static];
  return out;
}

/** Moves the selected items from `from` to `to`; items `from` does not hold are skipped. */
function move(from: Sections, to: Sections, items: readonly LockfileItemRef[]): void {
  for (const item of items) {
    switch (item.itemType) {
      case 'tool': {
        const entry = Object.prototype.hasOwnProperty.call(from.tools, item.id) ? from.tools[item.id] : undefined;
        if (entry === undefined) break;
        delete from.tools[item.id];
        to.tools[item.id] = entry;
        break;
      }
      case 'prompt': {
        const defs = from.prompts.definitions;
        const entry = Object.prototype.hasOwnProperty.call(defs, item.id) ? defs[item.id] : undefined;
        if (entry === undefined) break;
        delete defs[item.id];
        to.prompts.definitions[item.id] = entry;
        break;
      }
      case 'resourceTemplate': {
        const index = from.resources.templates.findIndex((t) => t.uriTemplate === item.id);
        if (index === -1) break;
        to.resources.templates.push(...(from.resources.templates.splice(index, 1) as LockedResourceTemplate[]));
        break;
      }
      case 'resource': {
        const index = from.resources.static.findIndex((r) => r.uri === item.id);
        if (index === -1) break;
        to.resources.static.push(...(from.resources.static.splice(index, 1) as LockedStaticResource[]));
        break;
      }
    }
  }
  to.resources.templates.sort((a, b) => byCodeUnits(a.uriTemplate, b.uriTemplate));
  to.resources.static.sort((a, b) => byCodeUnits(a.uri, b.uri));
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out = createRecord<T>();
  for (const key of Object.keys(record).sort(byCodeUnits)) out[key] = record[key] as T;
  return out;
}

function withSections(lockfile: Lockfile, approved: Sections, denied: Sections): Lockfile {
  const { denied: _previous, ...rest } = lockfile;
  const out: Lockfile = {
    ...rest,
    tools: sortedRecord(approved.tools),
    prompts: { definitions: sortedRecord(approved.prompts.definitions) },
    resources: approved.resources,
  };
  // Absent when empty: a lockfile without denials keeps the bytes it always had.
  if (itemsOf(denied).length > 0) {
    out.denied = { tools: sortedRecord(denied.tools), prompts: { definitions: sortedRecord(denied.prompts.definitions) }, resources: denied.resources } satisfies DeniedSection;
  }
  return out;
}

/**
 * A copy of the lockfile with the given items moved from the approved sections to
 * `denied` (hashes and snapshots kept as they are). Items that are not approved are
 * skipped. The `denied` section is absent when nothing is denied.
 */
export function denyItems(lockfile: Lockfile, items: readonly LockfileItemRef[]): Lockfile {
  const approved = copySections(lockfile);
  const denied = copySections(lockfile.denied);
  move(approved, denied, items);
  return withSections(lockfile, approved, denied);
}

/**
 * A copy of the lockfile with the given items moved from `denied` back to the approved
 * sections. Items that are not denied are skipped.
 */
export function approveItems(lockfile: Lockfile, items: readonly LockfileItemRef[]): Lockfile {
  const approved = copySections(lockfile);
  const denied = copySections(lockfile.denied);
  move(denied, approved, items);
  return withSections(lockfile, approved, denied);
}
