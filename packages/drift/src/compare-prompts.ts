/**
 * How a changed prompt is explained: its description and title, and each argument
 * gained, lost, made required or optional, or described differently.
 */
import { hashesMatch, promptHashes } from '@mcptrust/lockfile';
import type { HashString, LockedPrompt, PromptArgument } from '@mcptrust/lockfile';
import { textChange } from './compare-context.js';
import type { CompareContext } from './compare-context.js';
import { quoteName } from './describe-change.js';
import { HASH_ONLY, item } from './drift-item.js';
import type { DraftBase } from './drift-item.js';

function promptSnapshotTrusted(prompt: LockedPrompt): boolean {
  if (prompt.snapshot === undefined) return false;
  return hashesMatch(promptHashes({ name: '', ...prompt.snapshot }).argumentsHash, prompt.argumentsHash);
}

function comparePromptArguments(ctx: CompareContext, name: string, before: readonly PromptArgument[], after: readonly PromptArgument[], base: DraftBase): void {
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

/** The changed fields of one pinned prompt: description, title, arguments. */
export function comparePrompt(ctx: CompareContext, name: string, pinned: LockedPrompt, live: LockedPrompt, fields: readonly string[]): void {
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
