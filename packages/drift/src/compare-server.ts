/**
 * How a changed server is explained: its instructions, each capability declared, dropped
 * or changed, and its name, version, protocol version and title.
 */
import { hashJson } from '@mcptrust/lockfile';
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import { textChange } from './compare-context.js';
import type { CompareContext } from './compare-context.js';
import { quoteName } from './describe-change.js';
import { item } from './drift-item.js';
import type { DriftDetails } from './drift.types.js';
import { formatValue } from './schema-values.js';

function compareCapabilities(ctx: CompareContext, before: JsonObject, after: JsonObject): void {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const inBefore = Object.prototype.hasOwnProperty.call(before, key);
    const inAfter = Object.prototype.hasOwnProperty.call(after, key);
    if (inBefore && inAfter && hashJson(before[key] as JsonValue) === hashJson(after[key] as JsonValue)) continue;
    const details: DriftDetails = { field: `capabilities.${key}` };
    if (inBefore) details.before = before[key] as JsonValue;
    if (inAfter) details.after = after[key] as JsonValue;
    const base = { kind: 'changed' as const, itemType: 'capabilities' as const, itemId: ctx.lockfile.server.name || ctx.scan.server.name, pathSegments: ['server', 'capabilities', key] };
    if (!inBefore) {
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'capabilities-changed', message: `server now declares capability ${quoteName(key)}`, details }));
    } else if (!inAfter) {
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'capabilities-changed', message: `server no longer declares capability ${quoteName(key)}`, details }));
    } else {
      ctx.out.push(
        item({ ...base, severity: 'info', rule: 'capabilities-changed', message: `server capability ${quoteName(key)} changed from ${formatValue(before[key])} to ${formatValue(after[key])}`, details }),
      );
    }
  }
}

/** The changed server fields: instructions (checked for injection), capabilities, endpoint URL, name, version, protocol version, title. */
export function compareServer(ctx: CompareContext, fields: readonly string[]): void {
  const a = ctx.lockfile.server;
  const b = ctx.next.server;
  const id = a.name || b.name;
  for (const field of fields) {
    if (field === 'instructionsHash') {
      const hashOnly = a.instructionsHash !== undefined && a.instructions === undefined;
      textChange(
        ctx,
        { kind: 'changed', itemType: 'serverInstructions', itemId: id, pathSegments: ['server', 'instructionsHash'], oldHash: a.instructionsHash, newHash: b.instructionsHash },
        'server',
        'instructions',
        a.instructions,
        b.instructions,
        hashOnly,
        // Describing its own tools is what instructions are for.
        { toolReferences: false, calmRule: 'instructions-changed', injectionRule: 'instructions-injection' },
      );
    } else if (field === 'capabilities') {
      compareCapabilities(ctx, a.capabilities, b.capabilities);
    } else if (field === 'url') {
      // Another endpoint may be another server (or another tenant) answering the same way.
      const details: DriftDetails = { field: 'url' };
      if (a.url !== undefined) details.before = a.url;
      if (b.url !== undefined) details.after = b.url;
      ctx.out.push(
        item({
          kind: 'changed',
          itemType: 'serverInfo',
          itemId: id,
          pathSegments: ['server', 'url'],
          severity: 'moderate',
          rule: 'server-info-changed',
          message: `server endpoint changed from ${formatValue(a.url ?? 'a stdio server')} to ${formatValue(b.url ?? 'a stdio server')}`,
          details,
        }),
      );
    } else if (field === 'name' || field === 'version' || field === 'protocolVersion' || field === 'title') {
      const label = field === 'protocolVersion' ? 'protocol version' : field;
      const details: DriftDetails = { field: field === 'protocolVersion' ? field : `serverInfo.${field}` };
      if (a[field] !== undefined) details.before = a[field] as string;
      if (b[field] !== undefined) details.after = b[field] as string;
      ctx.out.push(
        item({
          kind: 'changed',
          itemType: 'serverInfo',
          itemId: id,
          pathSegments: ['server', field],
          // Another name may be another server behind the same command.
          severity: field === 'name' ? 'moderate' : 'info',
          rule: field === 'title' ? 'title-changed' : 'server-info-changed',
          message: `server ${label} changed from ${formatValue(a[field])} to ${formatValue(b[field])}`,
          details,
        }),
      );
    }
  }
}
