/**
 * How a changed tool is explained: its description and title (new injection indicators
 * are critical), its input schema (widening is critical, narrowing moderate), its output
 * schema, and its annotations (a tool that now claims to be safer is critical).
 */
import { hashesMatch, hashJson, toolHashes } from '@mcptrust/lockfile';
import type { HashString, JsonObject, JsonValue, LockedTool } from '@mcptrust/lockfile';
import { textChange } from './compare-context.js';
import type { CompareContext } from './compare-context.js';
import { compactWordDiff, newInjectionIndicators, quoteName, summarizeIndicators } from './describe-change.js';
import { HASH_ONLY, item } from './drift-item.js';
import type { DraftBase } from './drift-item.js';
import type { DriftDetails, DriftRule } from './drift.types.js';
import { diffJsonSchemas } from './schema-diff.js';
import { formatValue } from './schema-values.js';

/** MCP's defaults for absent hints (a tool is assumed destructive and open-world unless it says otherwise). */
const HINT_DEFAULTS: Readonly<Record<string, boolean>> = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
/** The value of each hint that makes a tool look safer. */
const SAFER_VALUE: Readonly<Record<string, boolean>> = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

function effectiveHint(annotations: JsonObject, key: string): JsonValue | undefined {
  const value = annotations[key];
  return typeof value === 'boolean' ? value : HINT_DEFAULTS[key];
}

function toolSnapshotTrusted(tool: LockedTool): boolean {
  if (tool.snapshot === undefined) return false;
  const hashes = toolHashes({ name: '', ...tool.snapshot });
  return (
    hashesMatch(hashes.descriptionHash, tool.descriptionHash) &&
    hashesMatch(hashes.inputSchemaHash, tool.inputSchemaHash) &&
    (hashes.outputSchemaHash === undefined) === (tool.outputSchemaHash === undefined) &&
    (hashes.annotationsHash === undefined) === (tool.annotationsHash === undefined)
  );
}

function compareToolAnnotations(ctx: CompareContext, name: string, before: JsonObject, after: JsonObject, base: DraftBase): void {
  const subject = `tool ${quoteName(name)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    if (hashJson(before[key] ?? null) === hashJson(after[key] ?? null) && (key in before) === (key in after)) continue;
    const from = key in HINT_DEFAULTS ? effectiveHint(before, key) : before[key];
    const to = key in HINT_DEFAULTS ? effectiveHint(after, key) : after[key];
    const details: DriftDetails = { field: `annotations.${key}` };
    if (before[key] !== undefined) details.before = before[key] as JsonValue;
    if (after[key] !== undefined) details.after = after[key] as JsonValue;
    const shownValue = (v: JsonValue | undefined): string => (v === undefined ? (key in HINT_DEFAULTS ? `unset (${String(HINT_DEFAULTS[key])})` : 'unset') : formatValue(v));
    const shown = `annotation ${quoteName(key)} changed from ${shownValue(before[key])} to ${shownValue(after[key])}`;
    if (key === 'title') {
      ctx.out.push(item({ ...base, severity: 'info', rule: 'title-changed', message: `${subject} ${shown}`, details }));
    } else if (SAFER_VALUE[key] !== undefined && to === SAFER_VALUE[key] && from !== SAFER_VALUE[key]) {
      ctx.out.push(item({ ...base, severity: 'critical', rule: 'annotations-safer', message: `${subject} ${shown}: the tool now claims to be safer than when it was approved`, details }));
    } else if (from === to) {
      // `destructiveHint: true` written out where it was implied: same meaning, still a pinned change.
      ctx.out.push(item({ ...base, severity: 'info', rule: 'annotations-changed', message: `${subject} ${shown} (same meaning as before)`, details }));
    } else {
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'annotations-changed', message: `${subject} ${shown}`, details }));
    }
  }
}

function compareSchemas(ctx: CompareContext, name: string, field: 'inputSchema' | 'outputSchema', before: JsonValue, after: JsonValue, base: DraftBase): void {
  const input = field === 'inputSchema';
  const changes = diffJsonSchemas(before, after, input ? {} : { noun: 'output property', rootLabel: 'output schema' });
  const subject = `tool ${quoteName(name)}`;
  if (changes.length === 0) {
    ctx.out.push(
      item({ ...base, severity: input ? 'moderate' : 'moderate', rule: input ? 'schema-text-changed' : 'output-schema-changed', message: `${subject} ${input ? 'input' : 'output'} schema changed without changing what it accepts (unused definitions or keyword order)`, details: { field } }),
    );
    return;
  }
  for (const change of changes) {
    const details: DriftDetails = { field, schemaChange: change };
    const message = `${subject} ${change.phrase}`;
    if (change.direction === 'neutral') {
      const beforeText = typeof change.before === 'string' ? change.before : change.before === undefined ? undefined : JSON.stringify(change.before);
      const afterText = typeof change.after === 'string' ? change.after : change.after === undefined ? undefined : JSON.stringify(change.after);
      const added = newInjectionIndicators(beforeText, afterText, { toolNames: ctx.liveToolNames, selfName: name });
      if (typeof change.before === 'string' || typeof change.after === 'string') details.wordDiff = compactWordDiff(beforeText ?? '', afterText ?? '');
      if (added.length > 0) {
        details.newIndicators = added;
        ctx.out.push(item({ ...base, severity: 'critical', rule: 'description-injection', message: `${message} and the new text carries injection indicators: ${summarizeIndicators(added)}`, details }));
      } else {
        ctx.out.push(item({ ...base, severity: 'moderate', rule: input ? 'schema-text-changed' : 'output-schema-changed', message, details }));
      }
      continue;
    }
    if (!input) {
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'output-schema-changed', message, details }));
      continue;
    }
    const rule: DriftRule = change.direction === 'narrowing' ? 'schema-narrowed' : change.direction === 'widening' ? 'schema-widened' : 'schema-undecidable';
    ctx.out.push(item({ ...base, severity: change.direction === 'narrowing' ? 'moderate' : 'critical', rule, message, details }));
  }
}

/** The changed fields of one pinned tool: description, title, input and output schema, annotations. */
export function compareTool(ctx: CompareContext, name: string, pinned: LockedTool, live: LockedTool, fields: readonly string[]): void {
  const trusted = (ctx.trust && pinned.snapshot !== undefined) || toolSnapshotTrusted(pinned);
  const snap = trusted ? pinned.snapshot : undefined;
  const now = live.snapshot;
  const subject = `tool ${quoteName(name)}`;
  for (const field of fields) {
    const base = {
      kind: 'changed' as const,
      itemType: 'tool' as const,
      itemId: name,
      pathSegments: ['tools', name, field],
      oldHash: pinned[field as keyof LockedTool] as HashString | undefined,
      newHash: live[field as keyof LockedTool] as HashString | undefined,
    };
    switch (field) {
      case 'descriptionHash':
        textChange(ctx, base, subject, 'description', snap?.description, now?.description, snap === undefined, { selfName: name });
        break;
      case 'titleHash':
        textChange(ctx, base, subject, 'title', snap?.title, now?.title, snap === undefined, { selfName: name, calmSeverity: 'info', calmRule: 'title-changed' });
        break;
      case 'inputSchemaHash':
      case 'outputSchemaHash': {
        const key = field === 'inputSchemaHash' ? 'inputSchema' : 'outputSchema';
        if (snap === undefined || now === undefined) {
          const input = key === 'inputSchema';
          ctx.out.push(
            item({
              ...base,
              severity: input ? 'critical' : 'moderate',
              rule: 'hash-only-changed',
              message: `${subject} ${input ? 'input' : 'output'} schema changed ${HASH_ONLY}${input ? '; treated as widening' : ''}`,
              details: { field: key, hashOnly: true },
            }),
          );
        } else if (snap[key] === undefined || now[key] === undefined) {
          const gained = snap[key] === undefined;
          ctx.out.push(
            item({
              ...base,
              severity: 'moderate',
              rule: 'output-schema-changed',
              message: `${subject} ${gained ? 'now declares' : 'no longer declares'} an output schema`,
              details: { field: key },
            }),
          );
        } else {
          compareSchemas(ctx, name, key, snap[key] as JsonValue, now[key] as JsonValue, base);
        }
        break;
      }
      case 'annotationsHash':
        if (snap === undefined || now === undefined) {
          ctx.out.push(item({ ...base, severity: 'critical', rule: 'hash-only-changed', message: `${subject} annotations changed ${HASH_ONLY}; treated as looking safer`, details: { field: 'annotations', hashOnly: true } }));
        } else {
          compareToolAnnotations(ctx, name, snap.annotations ?? {}, now.annotations ?? {}, { ...base, pathSegments: ['tools', name, 'annotationsHash'] });
        }
        break;
      default:
        // `riskLevel` follows from the other fields (or from a newer analysis): not drift.
        break;
    }
  }
}
