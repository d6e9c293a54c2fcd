/**
 * Drift of the pinned artifact (`server.artifact`, written by `mcptrust lock --pin`):
 * the package or image a server command would run now, compared with the pin. The pin
 * is plain JSON here (its shape belongs to `@mcptrust/artifact`, which this package
 * does not import); only identity fields are compared.
 */
import type { JsonObject, JsonValue } from '@mcptrust/lockfile';
import { formatJsonPath } from './drift-item.js';
import type { DriftItem, DriftSeverity } from './drift.types.js';
import { escapeInvisible } from './unicode.js';

/** Identity fields of a pin, in report order, with how bad a change of each is. */
const FIELDS: ReadonlyArray<readonly [string, DriftSeverity]> = [
  ['type', 'critical'],
  ['name', 'critical'],
  ['image', 'critical'],
  ['version', 'critical'],
  ['integrity', 'critical'],
  ['tarball_sha256', 'critical'],
  ['digest', 'critical'],
  ['platform_digest', 'critical'],
  ['tag', 'info'],
  ['registry', 'moderate'],
  ['tarball_url', 'moderate'],
];

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function subjectOf(pin: JsonObject): string {
  const name = text(pin['name']) ?? text(pin['image']) ?? '(unnamed)';
  const version = text(pin['version']) ?? text(pin['tag']);
  return escapeInvisible(version === undefined ? name : `${name}@${version}`);
}

/**
 * Compares the pinned artifact with the one the server command resolves to now.
 * A field is compared only when both sides have it (a Go pin without
 * `tarball_sha256` is not drift), except the identity (`type`, `name`/`image`,
 * `version`, `integrity`/`digest`), which the live side always has.
 *
 * @param locked - the lockfile's `server.artifact` (undefined: nothing pinned)
 * @param live - what the command resolves to now (undefined: the command is not pinnable)
 * @returns critical items for another package, version, tarball or image digest;
 *   moderate for another registry or tarball URL; info for a tag that still names the
 *   pinned digest under another name. Empty when nothing is pinned.
 */
export function compareArtifactPins(locked: JsonObject | undefined, live: JsonObject | undefined): DriftItem[] {
  if (locked === undefined) return [];
  const itemId = subjectOf(locked);
  if (live === undefined) {
    return [
      {
        kind: 'removed',
        itemType: 'artifact',
        itemId,
        path: 'server.artifact',
        pathSegments: ['server', 'artifact'],
        severity: 'critical',
        rule: 'artifact-unpinned',
        message: `the lockfile pins ${itemId}, but the server command no longer names a pinnable package or image`,
        details: {},
      },
    ];
  }
  const out: DriftItem[] = [];
  for (const [field, severity] of FIELDS) {
    const before = locked[field];
    const after = live[field];
    if (before === undefined || after === undefined) continue;
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    const pathSegments = ['server', 'artifact', field];
    out.push({
      kind: 'changed',
      itemType: 'artifact',
      itemId,
      path: formatJsonPath(pathSegments),
      pathSegments,
      severity,
      rule: 'artifact-changed',
      message: `pinned artifact ${itemId}: ${field} changed from ${escapeInvisible(String(before))} to ${escapeInvisible(String(after))}`,
      details: { field: `artifact.${field}`, before, after },
    });
  }
  return out;
}
