/**
 * The semantic comparison of a lockfile with a live scan: which pinned items drifted,
 * how bad each change is (ARCHITECTURE.md "Severity model") and one sentence a
 * reviewer can read. The hash-level comparison of `@mcptrust/lockfile` says which
 * pinned part differs (it also knows the Go mcptrust's hashing); the snapshots say what.
 */
import {
  buildLockfile,
  compareLockfiles,
  deniedItems,
  hashesMatch,
  hashJson,
  promptHashes,
  resourceTemplateHashes,
  staticResourceHashes,
  toolHashes,
} from '@mcptrust/lockfile';
import type {
  HashString,
  JsonObject,
  JsonValue,
  LockedPrompt,
  LockedResourceTemplate,
  LockedStaticResource,
  LockedTool,
  Lockfile,
  LockfileChange,
  PromptArgument,
  ScanReport,
} from '@mcptrust/lockfile';
import { confusableSkeleton, describeCodePoints } from './confusable-names.js';
import { compactWordDiff, newInjectionIndicators, quoteName, summarizeIndicators } from './describe-change.js';
import type { CompareOptions, DriftDetails, DriftItem, DriftItemType, DriftKind, DriftRule, DriftSeverity } from './drift.types.js';
import { diffJsonSchemas } from './schema-diff.js';
import { formatValue } from './schema-values.js';

/** Severities from most to least severe. */
export const DRIFT_SEVERITIES: readonly DriftSeverity[] = ['critical', 'moderate', 'info'];

const RANK: Readonly<Record<DriftSeverity, number>> = { critical: 3, moderate: 2, info: 1 };

/** Whether `severity` is at or above `threshold` (`critical` ≥ `moderate` ≥ `info`). */
export function severityAtLeast(severity: DriftSeverity, threshold: DriftSeverity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** The most severe severity among the items, or undefined for none. */
export function highestSeverity(items: readonly Pick<DriftItem, 'severity'>[]): DriftSeverity | undefined {
  let best: DriftSeverity | undefined;
  for (const item of items) if (best === undefined || RANK[item.severity] > RANK[best]) best = item.severity;
  return best;
}

const TYPE_ORDER: readonly DriftItemType[] = ['artifact', 'serverInfo', 'serverInstructions', 'capabilities', 'tool', 'prompt', 'resourceTemplate', 'resource'];

const LABEL: Readonly<Record<DriftItemType, string>> = {
  tool: 'tool',
  prompt: 'prompt',
  resourceTemplate: 'resource template',
  resource: 'resource',
  serverInstructions: 'server instructions',
  capabilities: 'capabilities',
  serverInfo: 'server',
  artifact: 'artifact',
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `tools.read_file.inputSchemaHash`, `tools["a.b"]`, `resources.static[0]`. */
export function formatJsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

interface Draft {
  kind: DriftKind;
  itemType: DriftItemType;
  itemId: string;
  pathSegments: Array<string | number>;
  severity: DriftSeverity;
  rule: DriftRule;
  message: string;
  details?: DriftDetails;
  oldHash?: HashString | undefined;
  newHash?: HashString | undefined;
}

function item(draft: Draft): DriftItem {
  const out: DriftItem = {
    kind: draft.kind,
    itemType: draft.itemType,
    itemId: draft.itemId,
    path: formatJsonPath(draft.pathSegments),
    pathSegments: draft.pathSegments,
    severity: draft.severity,
    rule: draft.rule,
    message: draft.message,
    details: draft.details ?? {},
  };
  if (draft.oldHash !== undefined) out.oldHash = draft.oldHash;
  if (draft.newHash !== undefined) out.newHash = draft.newHash;
  return out;
}

const HASH_ONLY = '(no snapshot pinned, re-lock to see what changed)';

/** Context shared by the per-item comparisons. */
interface Ctx {
  lockfile: Lockfile;
  next: Lockfile;
  scan: ScanReport;
  liveToolNames: string[];
  out: DriftItem[];
  /** Skip re-hashing snapshots (the caller verified them). */
  trust: boolean;
}

/** Compares a pinned text with the live one: moderate, or critical when the new text adds injection indicators. */
function textChange(
  ctx: Ctx,
  base: Omit<Draft, 'severity' | 'rule' | 'message' | 'details'>,
  subject: string,
  what: string,
  before: string | undefined,
  after: string | undefined,
  hashOnly: boolean,
  options: { selfName?: string; toolReferences?: boolean; calmSeverity?: DriftSeverity; calmRule?: DriftRule; injectionRule?: DriftRule } = {},
): void {
  const context = options.toolReferences === false ? {} : { toolNames: ctx.liveToolNames, ...(options.selfName === undefined ? {} : { selfName: options.selfName }) };
  // Without a pinned text every indicator of the new text counts as new.
  const added = newInjectionIndicators(hashOnly ? undefined : before, after, context);
  const details: DriftDetails = { field: what };
  if (hashOnly) details.hashOnly = true;
  else details.wordDiff = compactWordDiff(before ?? '', after ?? '');
  if (added.length > 0) {
    details.newIndicators = added;
    ctx.out.push(
      item({
        ...base,
        severity: 'critical',
        rule: options.injectionRule ?? 'description-injection',
        message: `${subject} ${what} changed and the new text carries injection indicators: ${summarizeIndicators(added)}${hashOnly ? ` ${HASH_ONLY}` : ''}`,
        details,
      }),
    );
    return;
  }
  const verb = before === undefined || before === '' ? (hashOnly ? 'changed' : 'added') : after === undefined || after === '' ? 'removed' : 'changed';
  ctx.out.push(
    item({
      ...base,
      severity: options.calmSeverity ?? 'moderate',
      rule: hashOnly ? 'hash-only-changed' : (options.calmRule ?? 'description-changed'),
      message: `${subject} ${what} ${verb}${hashOnly ? ` ${HASH_ONLY}` : ''}`,
      details,
    }),
  );
}

function addedItem(ctx: Ctx, itemType: DriftItemType, id: string, segments: Array<string | number>, pinnedNames: readonly string[], extra: string, newHash?: HashString): void {
  const subject = `${LABEL[itemType]} ${quoteName(id)}`;
  const skeleton = confusableSkeleton(id);
  const twin = pinnedNames.find((name) => name !== id && confusableSkeleton(name) === skeleton);
  if (twin !== undefined) {
    ctx.out.push(
      item({
        kind: 'added',
        itemType,
        itemId: id,
        pathSegments: segments,
        severity: 'critical',
        rule: 'confusable-name',
        message: `${subject} was added and looks like pinned ${LABEL[itemType]} ${quoteName(twin)} (${describeCodePoints(id)} vs ${describeCodePoints(twin)})`,
        details: { confusable: { name: id, codePoints: describeCodePoints(id), lookalikeOf: twin, lookalikeCodePoints: describeCodePoints(twin) } },
        newHash,
      }),
    );
    return;
  }
  ctx.out.push(
    item({ kind: 'added', itemType, itemId: id, pathSegments: segments, severity: 'critical', rule: 'item-added', message: `${subject} was added${extra}`, newHash }),
  );
}

function removedItem(ctx: Ctx, itemType: DriftItemType, id: string, segments: Array<string | number>): void {
  ctx.out.push(
    item({ kind: 'removed', itemType, itemId: id, pathSegments: segments, severity: 'moderate', rule: 'item-removed', message: `${LABEL[itemType]} ${quoteName(id)} was removed` }),
  );
}

// ---------------------------------------------------------------------------------------
// Tools

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

function compareToolAnnotations(ctx: Ctx, name: string, before: JsonObject, after: JsonObject, base: Omit<Draft, 'severity' | 'rule' | 'message' | 'details'>): void {
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

function compareSchemas(ctx: Ctx, name: string, field: 'inputSchema' | 'outputSchema', before: JsonValue, after: JsonValue, base: Omit<Draft, 'severity' | 'rule' | 'message' | 'details'>): void {
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

function compareTool(ctx: Ctx, name: string, pinned: LockedTool, live: LockedTool, fields: readonly string[]): void {
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

// ---------------------------------------------------------------------------------------
// Prompts and resources

function promptSnapshotTrusted(prompt: LockedPrompt): boolean {
  if (prompt.snapshot === undefined) return false;
  return hashesMatch(promptHashes({ name: '', ...prompt.snapshot }).argumentsHash, prompt.argumentsHash);
}

function comparePromptArguments(ctx: Ctx, name: string, before: readonly PromptArgument[], after: readonly PromptArgument[], base: Omit<Draft, 'severity' | 'rule' | 'message' | 'details'>): void {
  const subject = `prompt ${quoteName(name)}`;
  const pinned = new Map(before.map((a) => [a.name, a]));
  const live = new Map(after.map((a) => [a.name, a]));
  let reported = false;
  for (const [argName, arg] of live) {
    const old = pinned.get(argName);
    const what = `argument ${quoteName(argName)}`;
    if (old === undefined) {
      reported = true;
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'prompt-arguments-changed', message: `${subject} gained ${arg.required === true ? 'required' : 'optional'} ${what}`, details: { field: `arguments.${argName}` } }));
      continue;
    }
    if ((old.required === true) !== (arg.required === true)) {
      reported = true;
      ctx.out.push(item({ ...base, severity: 'moderate', rule: 'prompt-arguments-changed', message: `${subject} ${arg.required === true ? 'now requires' : 'no longer requires'} ${what}`, details: { field: `arguments.${argName}.required` } }));
    }
    if ((old.description ?? '') !== (arg.description ?? '')) {
      reported = true;
      textChange(ctx, base, `${subject} ${what}`, 'description', old.description, arg.description, false, { selfName: name, calmRule: 'prompt-arguments-changed' });
    }
    if ((old.title ?? '') !== (arg.title ?? '')) {
      reported = true;
      textChange(ctx, base, `${subject} ${what}`, 'title', old.title, arg.title, false, { selfName: name, calmSeverity: 'info', calmRule: 'title-changed' });
    }
  }
  for (const argName of pinned.keys()) {
    if (live.has(argName)) continue;
    reported = true;
    ctx.out.push(item({ ...base, severity: 'moderate', rule: 'prompt-arguments-changed', message: `${subject} no longer has argument ${quoteName(argName)}`, details: { field: `arguments.${argName}` } }));
  }
  if (!reported) ctx.out.push(item({ ...base, severity: 'moderate', rule: 'prompt-arguments-changed', message: `${subject} arguments changed`, details: { field: 'arguments' } }));
}

function comparePrompt(ctx: Ctx, name: string, pinned: LockedPrompt, live: LockedPrompt, fields: readonly string[]): void {
  const snap = (ctx.trust || promptSnapshotTrusted(pinned)) ? pinned.snapshot : undefined;
  const now = live.snapshot;
  const subject = `prompt ${quoteName(name)}`;
  for (const field of fields) {
    const base = {
      kind: 'changed' as const,
      itemType: 'prompt' as const,
      itemId: name,
      pathSegments: ['prompts', 'definitions', name, field],
      oldHash: pinned[field as keyof LockedPrompt] as HashString | undefined,
      newHash: live[field as keyof LockedPrompt] as HashString | undefined,
    };
    if (field === 'descriptionHash') textChange(ctx, base, subject, 'description', snap?.description, now?.description, snap === undefined, { selfName: name });
    else if (field === 'titleHash') textChange(ctx, base, subject, 'title', snap?.title, now?.title, snap === undefined, { selfName: name, calmSeverity: 'info', calmRule: 'title-changed' });
    else if (field === 'argumentsHash') {
      if (snap === undefined || now === undefined) {
        ctx.out.push(item({ ...base, severity: 'moderate', rule: 'hash-only-changed', message: `${subject} arguments changed ${HASH_ONLY}`, details: { field: 'arguments', hashOnly: true } }));
      } else comparePromptArguments(ctx, name, snap.arguments ?? [], now.arguments ?? [], base);
    }
  }
}

type LockedResourceLike = LockedResourceTemplate | LockedStaticResource;

function resourceSnapshotTrusted(resource: LockedResourceLike, template: boolean): boolean {
  if (resource.snapshot === undefined) return false;
  const hashes =
    template && 'uriTemplate' in resource
      ? resourceTemplateHashes({ uriTemplate: resource.uriTemplate, ...resource.snapshot })
      : staticResourceHashes({ uri: 'uri' in resource ? resource.uri : '', ...resource.snapshot });
  return hashesMatch(hashes.nameHash, resource.nameHash);
}

function compareResource(
  ctx: Ctx,
  itemType: 'resourceTemplate' | 'resource',
  id: string,
  index: number,
  pinned: LockedResourceLike,
  live: LockedResourceLike,
  fields: readonly string[],
): void {
  const template = itemType === 'resourceTemplate';
  const snap = (ctx.trust || resourceSnapshotTrusted(pinned, template)) ? pinned.snapshot : undefined;
  const now = live.snapshot;
  const subject = `${LABEL[itemType]} ${quoteName(id)}`;
  const section = template ? 'templates' : 'static';
  for (const field of fields) {
    // The template hash covers the MIME type: report the MIME type change once.
    if (template && field === 'mimeType' && fields.includes('templateHash')) continue;
    const base = {
      kind: 'changed' as const,
      itemType,
      itemId: id,
      pathSegments: ['resources', section, index, field],
      oldHash: (pinned as unknown as Record<string, unknown>)[field] as HashString | undefined,
      newHash: (live as unknown as Record<string, unknown>)[field] as HashString | undefined,
    };
    if (field === 'mimeType' || field === 'templateHash') {
      const details: DriftDetails = { field: 'mimeType' };
      if (pinned.mimeType !== undefined) details.before = pinned.mimeType;
      if (live.mimeType !== undefined) details.after = live.mimeType;
      ctx.out.push(
        item({ ...base, oldHash: field === 'mimeType' ? undefined : base.oldHash, newHash: field === 'mimeType' ? undefined : base.newHash, severity: 'moderate', rule: 'resource-changed', message: `${subject} MIME type changed from ${formatValue(pinned.mimeType)} to ${formatValue(live.mimeType)}`, details }),
      );
    } else if (field === 'nameHash') {
      const details: DriftDetails = { field: 'name' };
      if (snap !== undefined) details.before = snap.name;
      if (now !== undefined) details.after = now.name;
      ctx.out.push(
        item({
          ...base,
          severity: 'moderate',
          rule: snap === undefined ? 'hash-only-changed' : 'resource-changed',
          message: snap === undefined ? `${subject} name changed ${HASH_ONLY}` : `${subject} name changed from ${quoteName(snap.name)} to ${quoteName(now?.name ?? '')}`,
          details: snap === undefined ? { ...details, hashOnly: true } : details,
        }),
      );
    } else if (field === 'descriptionHash') {
      textChange(ctx, base, subject, 'description', snap?.description, now?.description, snap === undefined);
    } else if (field === 'titleHash') {
      textChange(ctx, base, subject, 'title', snap?.title, now?.title, snap === undefined, { calmSeverity: 'info', calmRule: 'title-changed' });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Server

function compareCapabilities(ctx: Ctx, before: JsonObject, after: JsonObject): void {
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

function compareServer(ctx: Ctx, fields: readonly string[]): void {
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

// ---------------------------------------------------------------------------------------

function dispatch(ctx: Ctx, change: LockfileChange): void {
  const { lockfile, next } = ctx;
  switch (change.itemType) {
    case 'server':
      compareServer(ctx, change.fields);
      return;
    case 'tool': {
      const segments = ['tools', change.id];
      if (change.kind === 'added') {
        const live = ctx.scan.tools.find((t) => t.name === change.id);
        addedItem(ctx, 'tool', change.id, segments, Object.keys(lockfile.tools), live === undefined ? '' : ` (${live.riskLevel} risk${live.riskReasons.length > 0 ? `: ${live.riskReasons.slice(0, 2).join('; ')}` : ''})`);
      } else if (change.kind === 'removed') removedItem(ctx, 'tool', change.id, segments);
      else compareTool(ctx, change.id, lockfile.tools[change.id] as LockedTool, next.tools[change.id] as LockedTool, change.fields);
      return;
    }
    case 'prompt': {
      const segments = ['prompts', 'definitions', change.id];
      if (change.kind === 'added') addedItem(ctx, 'prompt', change.id, segments, Object.keys(lockfile.prompts.definitions), '');
      else if (change.kind === 'removed') removedItem(ctx, 'prompt', change.id, segments);
      else comparePrompt(ctx, change.id, lockfile.prompts.definitions[change.id] as LockedPrompt, next.prompts.definitions[change.id] as LockedPrompt, change.fields);
      return;
    }
    case 'resourceTemplate':
    case 'resource': {
      const template = change.itemType === 'resourceTemplate';
      const pinnedList: LockedResourceLike[] = template ? lockfile.resources.templates : lockfile.resources.static;
      const liveList: LockedResourceLike[] = template ? next.resources.templates : next.resources.static;
      const idOf = (r: LockedResourceLike): string => ('uriTemplate' in r ? r.uriTemplate : r.uri);
      const index = pinnedList.findIndex((r) => idOf(r) === change.id);
      const section = template ? 'templates' : 'static';
      if (change.kind === 'added') {
        const extra = template ? '' : '';
        addedItem(ctx, change.itemType, change.id, ['resources', section], [], extra);
      } else if (change.kind === 'removed') removedItem(ctx, change.itemType, change.id, ['resources', section, index]);
      else {
        const live = liveList.find((r) => idOf(r) === change.id);
        if (live !== undefined && index !== -1) compareResource(ctx, change.itemType, change.id, index, pinnedList[index] as LockedResourceLike, live, change.fields);
      }
      return;
    }
  }
}

/**
 * Compares a lockfile with a live scan and explains every difference.
 *
 * Items are matched by name (tools, prompts), URI template or URI. Each drift item
 * carries its kind, item type and id, the JSON path of the pinned part in the lockfile,
 * a severity (ARCHITECTURE.md "Severity model"), the pinned and live hashes, one
 * sentence and structured details (word diff, schema change, new injection
 * indicators, code points of a look-alike name). Items without a trustworthy snapshot
 * (lockfiles converted from the Go format) are compared by hash only, and the sentence
 * says so. Items the lockfile denies are not drift whatever their live definition
 * (`compareDeniedItems` reports them).
 *
 * @param lockfile - the approved surface
 * @param scan - what the server exposes now (`scanServer`)
 * @returns the drift, most severe first; empty when the server matches the lockfile
 */
export function compareToLockfile(lockfile: Lockfile, scan: ScanReport, options: CompareOptions = {}): DriftItem[] {
  // Items the lockfile denies are set aside the same way on the live side: they are
  // decisions, not drift (see compareDeniedItems for how they are reported).
  const built = buildLockfile(scan, { updatedAt: scan.scannedAt || new Date().toISOString(), deny: deniedItems(lockfile) });
  // A scan knows nothing of the artifact: the pin is compared by compareArtifactPins.
  const pin = lockfile.server.artifact;
  const next: Lockfile = pin === undefined ? built : { ...built, server: { ...built.server, artifact: pin } };
  const ctx: Ctx = { lockfile, next, scan, liveToolNames: scan.tools.map((t) => t.name), out: [], trust: options.trustSnapshots === true };
  for (const change of compareLockfiles(lockfile, next)) dispatch(ctx, change);
  const order = (i: DriftItem): number => TYPE_ORDER.indexOf(i.itemType);
  return ctx.out
    .map((entry, position) => ({ entry, position }))
    .sort((x, y) => RANK[y.entry.severity] - RANK[x.entry.severity] || order(x.entry) - order(y.entry) || (x.entry.itemId < y.entry.itemId ? -1 : x.entry.itemId > y.entry.itemId ? 1 : 0) || x.position - y.position)
    .map(({ entry }) => entry);
}
