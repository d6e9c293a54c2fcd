/**
 * The hashes of a lockfile are authoritative; the snapshots beside them are there to
 * explain them. A snapshot that no longer hashes to its pin (hand-edited, merged
 * badly, tampered with) must not load, or the proxy would validate arguments against a
 * schema nobody approved.
 */
import { hashesMatch, hashText } from './hashing.js';
import { promptHashes, resourceTemplateHashes, staticResourceHashes, toolHashes } from './item-hashes.js';
import type { PathSegment } from './json-path.js';
import type { Lockfile } from './lockfile.types.js';
import { throwProblems } from './problems.js';
import type { Problem } from './problems.js';

/** Options of {@link verifySnapshots}. */
export interface VerifySnapshotsOptions {
  /** The lockfile's path, named in the error. */
  file?: string;
}

function shown(value: string | undefined, what: string): string {
  return value === undefined ? `nothing (${what})` : `${value} (${what})`;
}

function compareField(
  pinned: string | undefined,
  computed: string | undefined,
  path: readonly PathSegment[],
  problems: Problem[],
): void {
  const same = pinned === undefined || computed === undefined ? pinned === computed : hashesMatch(pinned, computed);
  if (!same) {
    problems.push({
      path: [...path],
      expected: shown(pinned, 'the pinned value'),
      found: shown(computed, 'what the snapshot gives'),
    });
  }
}

function compareFields<K extends string>(
  pinned: Partial<Record<K, string>>,
  computed: Partial<Record<K, string>>,
  fields: readonly K[],
  path: readonly PathSegment[],
  problems: Problem[],
): void {
  for (const field of fields) compareField(pinned[field], computed[field], [...path, field], problems);
}

function mimeTypeOf(snapshot: { mimeType?: string }): string | undefined {
  return snapshot.mimeType === undefined || snapshot.mimeType === '' ? undefined : snapshot.mimeType;
}

/** Checks the items of one part of a lockfile (the approved surface, or `denied` under `prefix`). */
function verifySections(sections: Pick<Lockfile, 'tools' | 'prompts' | 'resources'>, prefix: readonly PathSegment[], problems: Problem[]): void {
  for (const [name, tool] of Object.entries(sections.tools)) {
    if (tool.snapshot === undefined) continue;
    const computed = toolHashes({ name, ...tool.snapshot });
    compareFields(tool, computed, ['descriptionHash', 'inputSchemaHash', 'outputSchemaHash', 'annotationsHash', 'titleHash'], [...prefix, 'tools', name], problems);
  }
  for (const [name, prompt] of Object.entries(sections.prompts.definitions)) {
    if (prompt.snapshot === undefined) continue;
    const computed = promptHashes({ name, ...prompt.snapshot });
    compareFields(prompt, computed, ['descriptionHash', 'argumentsHash', 'titleHash'], [...prefix, 'prompts', 'definitions', name], problems);
  }
  sections.resources.templates.forEach((template, index) => {
    if (template.snapshot === undefined) return;
    const path = [...prefix, 'resources', 'templates', index];
    const computed = resourceTemplateHashes({ uriTemplate: template.uriTemplate, ...template.snapshot });
    compareFields(template, computed, ['templateHash', 'nameHash', 'descriptionHash', 'titleHash'], path, problems);
    compareField(template.mimeType, mimeTypeOf(template.snapshot), [...path, 'mimeType'], problems);
  });
  sections.resources.static.forEach((resource, index) => {
    if (resource.snapshot === undefined) return;
    const path = [...prefix, 'resources', 'static', index];
    const computed = staticResourceHashes({ uri: resource.uri, ...resource.snapshot });
    compareFields(resource, computed, ['nameHash', 'descriptionHash', 'titleHash'], path, problems);
    compareField(resource.mimeType, mimeTypeOf(resource.snapshot), [...path, 'mimeType'], problems);
  });
}

/**
 * Recomputes every hash from its snapshot and checks it against the pinned one (and
 * `mimeType` against the snapshot's, `instructionsHash` against `instructions`).
 * Denied items are checked like approved ones. Items without a snapshot (converted from the Go format) are skipped: they can be
 * compared by hash only. `parseLockfile` calls this for every v3 lockfile.
 *
 * @throws LockfileError `SNAPSHOT_MISMATCH` listing every mismatch with its JSON path,
 * the pinned value and what the snapshot hashes to.
 */
export function verifySnapshots(lockfile: Lockfile, options: VerifySnapshotsOptions = {}): void {
  const problems: Problem[] = [];
  const { server } = lockfile;
  if (server.instructions !== undefined) {
    compareField(server.instructionsHash, hashText(server.instructions), ['server', 'instructionsHash'], problems);
  }
  verifySections(lockfile, [], problems);
  if (lockfile.denied !== undefined) verifySections(lockfile.denied, ['denied'], problems);
  if (problems.length > 0) {
    throwProblems(problems, {
      code: 'SNAPSHOT_MISMATCH',
      subject: options.file ?? 'the lockfile',
      summary: 'has snapshots that do not match their pinned hashes (the hashes are authoritative: was the file edited by hand?)',
      ...(options.file === undefined ? {} : { file: options.file }),
    });
  }
}
