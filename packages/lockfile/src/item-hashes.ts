/**
 * The per-item hash rules. The builder, `verifySnapshots`, the drift comparison and
 * the proxy's runtime check all call these, so a definition hashes the same way
 * wherever it is looked at.
 */
import { canonicalize } from './canonical-json.js';
import { hashJson, hashText } from './hashing.js';
import type { PromptHashes, ResourceTemplateHashes, StaticResourceHashes, ToolHashes } from './lockfile.types.js';
import type {
  PromptArgument,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from './scan-report.types.js';

const encoder = new TextEncoder();

function nonEmpty(text: string | undefined): text is string {
  return text !== undefined && text !== '';
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The arguments as they are hashed: sorted by name (UTF-8 byte order, as the Go
 * mcptrust sorted them; ties broken by canonical form so that the order the server
 * listed them in never matters), with `description`/`title` only when non-empty and
 * `required` only when true (`false` and absent mean the same thing).
 */
export function promptArgumentsForHash(args: readonly PromptArgument[] | undefined, withTitles: boolean): unknown[] {
  const shaped = (args ?? []).map((arg) => {
    const out: Record<string, unknown> = { name: arg.name };
    if (withTitles && nonEmpty(arg.title)) out['title'] = arg.title;
    if (nonEmpty(arg.description)) out['description'] = arg.description;
    if (arg.required === true) out['required'] = true;
    return { key: encoder.encode(arg.name), canonical: canonicalize(out), out };
  });
  shaped.sort((a, b) => compareBytes(a.key, b.key) || (a.canonical < b.canonical ? -1 : a.canonical > b.canonical ? 1 : 0));
  return shaped.map((s) => s.out);
}

/**
 * Hashes of a tool: `descriptionHash` (text, `""` when absent) and `inputSchemaHash`
 * (JSON) always; `outputSchemaHash`, `annotationsHash` (JSON) and `titleHash` (text)
 * only when the field is present.
 *
 * @throws LockfileError `CANONICALIZE_FAILED` / `INVALID_INPUT` when a field is not JSON / text.
 */
export function toolHashes(def: ToolDefinition): ToolHashes {
  const hashes: ToolHashes = {
    descriptionHash: hashText(def.description ?? ''),
    inputSchemaHash: hashJson(def.inputSchema),
  };
  if (def.outputSchema !== undefined) hashes.outputSchemaHash = hashJson(def.outputSchema);
  if (def.annotations !== undefined) hashes.annotationsHash = hashJson(def.annotations);
  if (def.title !== undefined) hashes.titleHash = hashText(def.title);
  return hashes;
}

/**
 * Hashes of a prompt: `argumentsHash` (JSON hash of the arguments sorted by name, `[]`
 * when none) always; `descriptionHash` and `titleHash` (text) only when non-empty.
 *
 * @throws LockfileError `CANONICALIZE_FAILED` / `INVALID_INPUT` when a field is not JSON / text.
 */
export function promptHashes(def: PromptDefinition): PromptHashes {
  const hashes: PromptHashes = { argumentsHash: hashJson(promptArgumentsForHash(def.arguments, true)) };
  if (nonEmpty(def.description)) hashes.descriptionHash = hashText(def.description);
  if (nonEmpty(def.title)) hashes.titleHash = hashText(def.title);
  return hashes;
}

/**
 * Hashes of a resource template: `templateHash` (JSON hash of `{ uriTemplate,
 * mimeType? }`, mimeType only when non-empty) and `nameHash` (text) always;
 * `descriptionHash` and `titleHash` (text) only when non-empty.
 *
 * @throws LockfileError `INVALID_INPUT` when a field is not text.
 */
export function resourceTemplateHashes(def: ResourceTemplateDefinition): ResourceTemplateHashes {
  const template: Record<string, string> = { uriTemplate: def.uriTemplate };
  if (nonEmpty(def.mimeType)) template['mimeType'] = def.mimeType;
  const hashes: ResourceTemplateHashes = { templateHash: hashJson(template), nameHash: hashText(def.name) };
  if (nonEmpty(def.description)) hashes.descriptionHash = hashText(def.description);
  if (nonEmpty(def.title)) hashes.titleHash = hashText(def.title);
  return hashes;
}

/**
 * Hashes of a static resource: `nameHash` (text) always; `descriptionHash` and
 * `titleHash` (text) only when non-empty. The URI and MIME type are pinned as values.
 *
 * @throws LockfileError `INVALID_INPUT` when a field is not text.
 */
export function staticResourceHashes(def: ResourceDefinition): StaticResourceHashes {
  const hashes: StaticResourceHashes = { nameHash: hashText(def.name) };
  if (nonEmpty(def.description)) hashes.descriptionHash = hashText(def.description);
  if (nonEmpty(def.title)) hashes.titleHash = hashText(def.title);
  return hashes;
}
