/**
 * Denied items as the live server shows them. An item the lockfile denies on purpose
 * (`mcptrust lock --exclude`) is not drift: it is reported "denied as approved", with
 * a note when its definition changed or the server stopped offering it, and never
 * fails a gate (the proxy keeps hiding and refusing it whatever its definition).
 */
import { buildLockfile, compareLockfiles, deniedItems } from '@mcptrust/lockfile';
import type { DeniedSection, LockfileItemKind, Lockfile, ScanReport } from '@mcptrust/lockfile';
import type { DeniedItem } from './drift.types.js';
import { formatJsonPath } from './drift-item.js';
import { quoteName } from './describe-change.js';

const LABEL: Readonly<Record<LockfileItemKind, string>> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'resource template', resource: 'resource' };

/** The denied section seen as a lockfile's approved surface, so `compareLockfiles` reads it. */
function asSurface(lockfile: Lockfile, denied: DeniedSection | undefined): Lockfile {
  const empty: DeniedSection = { tools: {}, prompts: { definitions: {} }, resources: { templates: [], static: [] } };
  const { denied: _ignored, ...rest } = lockfile;
  return { ...rest, ...(denied ?? empty) };
}

function pathOf(lockfile: Lockfile, itemType: LockfileItemKind, id: string): Array<string | number> {
  const denied = lockfile.denied;
  switch (itemType) {
    case 'tool':
      return ['denied', 'tools', id];
    case 'prompt':
      return ['denied', 'prompts', 'definitions', id];
    case 'resourceTemplate':
      return ['denied', 'resources', 'templates', denied?.resources.templates.findIndex((t) => t.uriTemplate === id) ?? -1];
    case 'resource':
      return ['denied', 'resources', 'static', denied?.resources.static.findIndex((r) => r.uri === id) ?? -1];
  }
}

const fieldLabel = (field: string): string => (field.endsWith('Hash') ? field.slice(0, -'Hash'.length) : field);

/**
 * Compares every item the lockfile denies with the live scan.
 *
 * @returns one entry per denied item, in lockfile order (tools, prompts, templates,
 * static resources); empty when the lockfile denies nothing
 */
export function compareDeniedItems(lockfile: Lockfile, scan: ScanReport): DeniedItem[] {
  const denied = deniedItems(lockfile);
  if (denied.length === 0) return [];
  const live = buildLockfile(scan, { updatedAt: scan.scannedAt || new Date().toISOString(), deny: denied });
  const changes = compareLockfiles(asSurface(lockfile, lockfile.denied), asSurface(live, live.denied)).filter((c) => c.itemType !== 'server');
  return denied.map(({ itemType, id }) => {
    const change = changes.find((c) => c.itemType === itemType && c.id === id);
    const pathSegments = pathOf(lockfile, itemType, id);
    const subject = `${LABEL[itemType]} ${quoteName(id)}`;
    const base = { itemType, itemId: id, path: formatJsonPath(pathSegments), pathSegments };
    if (change === undefined) return { ...base, status: 'unchanged' as const, fields: [], message: `${subject} is denied by the lockfile (denied as approved)` };
    if (change.kind === 'removed') {
      return { ...base, status: 'absent' as const, fields: [], message: `${subject} is denied by the lockfile and no longer offered by the server (the next \`mcptrust lock\` drops it)` };
    }
    return {
      ...base,
      status: 'changed' as const,
      fields: change.fields,
      message: `${subject} is denied by the lockfile and its definition changed (${change.fields.map(fieldLabel).join(', ')}); it stays denied`,
    };
  });
}
