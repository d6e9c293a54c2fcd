/**
 * How a changed resource template or static resource is explained: its MIME type, name,
 * description and title.
 */
import { hashesMatch, resourceTemplateHashes, staticResourceHashes } from '@mcptrust/lockfile';
import type { HashString, LockedResourceTemplate, LockedStaticResource } from '@mcptrust/lockfile';
import { textChange } from './compare-context.js';
import type { CompareContext } from './compare-context.js';
import { quoteName } from './describe-change.js';
import { HASH_ONLY, item, LABEL } from './drift-item.js';
import type { DriftDetails } from './drift.types.js';
import { formatValue } from './schema-values.js';

/** A pinned resource template or static resource. */
export type LockedResourceLike = LockedResourceTemplate | LockedStaticResource;

function resourceSnapshotTrusted(resource: LockedResourceLike, template: boolean): boolean {
  if (resource.snapshot === undefined) return false;
  const hashes =
    template && 'uriTemplate' in resource
      ? resourceTemplateHashes({ uriTemplate: resource.uriTemplate, ...resource.snapshot })
      : staticResourceHashes({ uri: 'uri' in resource ? resource.uri : '', ...resource.snapshot });
  return hashesMatch(hashes.nameHash, resource.nameHash);
}

/** The changed fields of one pinned resource template or static resource: MIME type, name, description, title. */
export function compareResource(
  ctx: CompareContext,
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
