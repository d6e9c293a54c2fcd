/**
 * How preflight grades drift: the engine's own severities, and the severity model of
 * `@mcptrust/drift` (the one `mcptrust check` uses), loaded only when something differs.
 */
import type { DriftItem, LiveListing } from '@mcptrust/drift';
import type { Lockfile } from '@mcptrust/lockfile';
import { hashJson } from '@mcptrust/lockfile';
import type { PreflightDrift } from '../engine.types.js';
import { isObject, type Json } from './json.js';

/** Order of the drift severities (`failOn` compares against it). */
export const SEVERITY_RANK = { info: 0, moderate: 1, critical: 2 } as const;

/** Hash fields whose change makes an item's drift critical in the engine's own grades. */
export const CRITICAL_FIELDS = new Set(['descriptionHash', 'inputSchemaHash', 'annotationsHash', 'argumentsHash', 'templateHash']);

type CompareLiveListing = (lockfile: Lockfile, live: LiveListing) => DriftItem[];
let driftModel: Promise<CompareLiveListing> | undefined;

/** The drift model's comparison, imported on first use (most sessions never need it). */
export function loadDriftModel(): Promise<CompareLiveListing> {
  driftModel ??= import('../drift-model.js').then((m) => m.compareLiveListing);
  return driftModel;
}

/**
 * Whether the server-level fields only the drift model compares (capabilities, server
 * name and title) differ from the lockfile; the engine itself checks version, protocol
 * version and instructions.
 */
export function serverFieldsDiffer(lockfile: Lockfile, initResult: Json): boolean {
  const pinned = lockfile.server;
  const info = isObject(initResult['serverInfo']) ? initResult['serverInfo'] : {};
  if ((typeof info['name'] === 'string' ? info['name'] : '') !== pinned.name) return true;
  if ((typeof info['title'] === 'string' ? info['title'] : undefined) !== pinned.title) return true;
  const caps = isObject(initResult['capabilities']) ? initResult['capabilities'] : {};
  try {
    return hashJson(caps as Parameters<typeof hashJson>[0]) !== hashJson(pinned.capabilities);
  } catch {
    return true;
  }
}

/**
 * Grades the preflight drift with the severity model of `@mcptrust/drift` (the one
 * `mcptrust check` uses), so a server that passes `check --fail-on X` also passes
 * the proxy's preflight at the same threshold and vice versa. Which items drifted
 * stays the engine's own hash verdict (they are denied whatever their grade); the
 * model sets their severity and sentence, and adds the server-level changes it knows
 * (capabilities, server name). If grading fails, the engine's stricter grades stand.
 */
export function gradePreflight(drift: PreflightDrift[], grade: () => DriftItem[]): void {
  let graded: DriftItem[];
  try {
    graded = grade();
  } catch {
    return;
  }
  const worst = new Map<string, DriftItem>();
  for (const g of graded) {
    const key = gradedKey(g);
    const seen = worst.get(key);
    if (seen === undefined || SEVERITY_RANK[g.severity] > SEVERITY_RANK[seen.severity]) worst.set(key, g);
  }
  const reported = new Set<string>();
  for (const d of drift) {
    const key = driftKey(d.kind, d.id);
    reported.add(key);
    // Items the engine saw listed twice or malformed are not in the model's input.
    if (d.fields?.some((f) => f.startsWith('('))) continue;
    const g = worst.get(key);
    if (g === undefined) continue;
    d.severity = g.severity;
    d.message = g.message;
  }
  for (const [key, g] of worst) {
    const serverField = serverFieldOf(g);
    if (reported.has(key) || serverField === undefined) continue;
    drift.push({ kind: 'server', id: serverField, change: g.kind, severity: g.severity, message: g.message });
  }
}

/** Table key of a drifted item: its kind and id (a server field's name for `server`). */
function driftKey(kind: PreflightDrift['kind'], id: string): string {
  return kind + '\0' + id;
}

/** The engine's id of a server-level drift item of the model, or undefined for an item. */
function serverFieldOf(g: DriftItem): string | undefined {
  switch (g.itemType) {
    case 'serverInstructions':
      return 'instructions';
    case 'serverInfo':
    case 'capabilities':
      return g.details.field ?? g.itemType;
    default:
      return undefined;
  }
}

/** The engine's key (see driftKey) of a graded drift item. */
function gradedKey(g: DriftItem): string {
  const serverField = serverFieldOf(g);
  return serverField === undefined ? driftKey(g.itemType as PreflightDrift['kind'], g.itemId) : driftKey('server', serverField);
}
