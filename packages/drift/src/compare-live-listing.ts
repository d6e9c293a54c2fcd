import type { Lockfile } from '@mcptrust/lockfile';
import { analyzeScanReport } from './analyze-scan-report.js';
import { compareToLockfile } from './compare-to-lockfile.js';
import { toPromptDefinition, toResourceDefinition, toResourceTemplateDefinition, toScannedServer, toToolDefinition } from './definitions.js';
import type { CompareOptions, DriftItem } from './drift.types.js';

/**
 * What a server showed on a connection someone else drove (the proxy's preflight on the
 * host's own session): its `initialize` result and every list item, as received.
 */
export interface LiveListing {
  /** The `result` of `initialize`. */
  initialize: Readonly<Record<string, unknown>>;
  /** Every item of every `tools/list` page. */
  tools: readonly unknown[];
  /** Every item of every `prompts/list` page. */
  prompts: readonly unknown[];
  /** Every item of every `resources/list` page. */
  resources: readonly unknown[];
  /** Every item of every `resources/templates/list` page. */
  resourceTemplates: readonly unknown[];
}

/**
 * The items that are valid definitions and whose id appears once. The rest (malformed
 * items, an id listed twice) cannot be compared field by field; the caller, which saw
 * them, reports those itself.
 */
function definitions<T>(items: readonly unknown[], convert: (item: unknown, index: number) => T, idOf: (item: T) => string): T[] {
  const converted: T[] = [];
  items.forEach((item, index) => {
    try {
      converted.push(convert(item, index));
    } catch {
      // Not a definition MCPTrust understands: left to the caller.
    }
  });
  const count = new Map<string, number>();
  for (const item of converted) count.set(idOf(item), (count.get(idOf(item)) ?? 0) + 1);
  return converted.filter((item) => count.get(idOf(item)) === 1);
}

/**
 * {@link compareToLockfile} for a listing gathered on a live connection rather than by
 * `scanServer`: the same severity model and sentences, so a server graded by
 * `mcptrust check` is graded the same when the proxy lists it at start-up. Malformed
 * items and ids listed twice are left out (see {@link LiveListing}); everything else is
 * analysed (risk, injection indicators, look-alike names) and compared.
 *
 * @returns the drift, most severe first; empty when the listing matches the lockfile
 */
export function compareLiveListing(lockfile: Lockfile, live: LiveListing, options: CompareOptions = {}): DriftItem[] {
  const report = analyzeScanReport({
    server: toScannedServer(live.initialize),
    tools: definitions(live.tools, toToolDefinition, (t) => t.name),
    prompts: definitions(live.prompts, toPromptDefinition, (p) => p.name),
    resources: definitions(live.resources, toResourceDefinition, (r) => r.uri),
    resourceTemplates: definitions(live.resourceTemplates, toResourceTemplateDefinition, (t) => t.uriTemplate),
  });
  return compareToLockfile(lockfile, report, options);
}
