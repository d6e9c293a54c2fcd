/**
 * What a lockfile allows, read independently of the engine's allowlist: the oracle
 * judges the engine's lists and forwarded calls against it.
 */
import type { Lockfile } from '@mcptrust/lockfile';
import { testLockfile } from '../helpers/engine-harness.js';

type Msg = Record<string, any>;

/** JSON with object keys sorted at every level (definitions are compared by it). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (typeof v === 'object' && v !== null) {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical((v as Msg)[k])).join(',') + '}';
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** What a lockfile allows, read independently of the engine's allowlist. */
export interface Surface {
  tools: Map<string, { description?: string | undefined; inputSchema: unknown }>;
  prompts: Map<string, { description?: string | undefined }>;
  resources: Set<string>;
  templates: string[];
  /** Whether a call's arguments satisfy the pinned schema (when the oracle knows the tools). */
  argsValid?: (tool: string, args: unknown) => boolean;
}

/** The surface a lockfile pins (from its snapshots). */
export function surfaceOf(lockfile: Lockfile): Surface {
  const tools = new Map<string, { description?: string | undefined; inputSchema: unknown }>();
  for (const [name, t] of Object.entries(lockfile.tools)) tools.set(name, { description: t.snapshot?.description, inputSchema: t.snapshot?.inputSchema });
  const prompts = new Map<string, { description?: string | undefined }>();
  for (const [name, p] of Object.entries(lockfile.prompts.definitions)) prompts.set(name, { description: p.snapshot?.description });
  return {
    tools,
    prompts,
    resources: new Set(lockfile.resources.static.map((r) => r.uri)),
    templates: lockfile.resources.templates.map((t) => t.uriTemplate),
  };
}

/** The surface of the unit tests' lockfile, with a hand-written check of its three schemas. */
export const TEST_SURFACE: Surface = { ...surfaceOf(testLockfile()), argsValid };

/**
 * Whether `surface` allows reading `uri` (a strict reading of PROTOCOL 24): a pinned
 * static resource, or a template whose every `{var}` matches one segment that is not
 * `.`/`..` and has no encoded `.`, `/` or `\`.
 */
export function uriAllowed(uri: unknown, surface: Surface = TEST_SURFACE): boolean {
  if (typeof uri !== 'string') return false;
  if (surface.resources.has(uri)) return true;
  return surface.templates.some((t) => {
    if (/\{[^a-zA-Z_]/.test(t)) return false; // operators: not judged here
    const re = new RegExp('^' + t.split(/\{[^}]*\}/).map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('([^/?#]+)') + '$');
    const m = re.exec(uri);
    return m !== null && m.slice(1).every((seg) => seg !== '.' && seg !== '..' && !/%2e|%2f|%5c/i.test(seg) && !seg.includes('\\'));
  });
}

/** Whether the arguments satisfy the pinned schema of `tool` (hand-written, independent of ajv). */
function argsValid(tool: string, args: unknown): boolean {
  const a = args === undefined ? {} : args;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
  const o = a as Msg;
  if (tool === 'read_file') return Object.keys(o).every((k) => k === 'path') && typeof o['path'] === 'string';
  if (tool === 'echo') return !('text' in o) || typeof o['text'] === 'string';
  if (tool === 'modern') return Number.isInteger(o['n']) && o['n'] >= 1;
  return false;
}
