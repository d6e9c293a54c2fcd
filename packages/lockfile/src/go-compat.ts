/**
 * Lockfiles written by the Go mcptrust, converted to v3 on read:
 *
 * - v1 (`"version": "1.0"`) and v2 (`"version": "2.0"`): `server_command`, tools with
 *   snake_case `description_hash` / `input_schema_hash` / `risk_level`, an optional
 *   top-level `artifact`, and (v2) optional prompts / resources sections.
 * - v3 (`"lockFileVersion": "3.0"` without snapshots): prompts and resource templates
 *   with camelCase hashes; tools with either spelling.
 *
 * Converted items carry no snapshot, so they are compared by hash only. Hashes of the
 * wrong length (the Go tool wrote some) are accepted here and reported: they can never
 * match a live definition. The next `mcptrust lock` rewrites the file as v3.
 */
import * as v from 'valibot';
import { canonicalizeV1 } from './canonical-json.js';
import type { HashString } from './hashing.js';
import { hashBytes, hashJson, hashText } from './hashing.js';
import { promptArgumentsForHash } from './item-hashes.js';
import { escapeText, formatJsonPath } from './json-path.js';
import type { PathSegment } from './json-path.js';
import type {
  GoLockfileFormat,
  LockedPrompt,
  LockedResourceTemplate,
  LockedTool,
  Lockfile,
  ParsedLockfile,
} from './lockfile.types.js';
import { expectObject, refuseDuplicates, strictShape, throwProblems, validateInto } from './problems.js';
import type { Problem } from './problems.js';
import { createRecord, jsonObjectSchema, riskLevelSchema } from './schema.js';
import type { JsonObject, PromptArgument, RiskLevel } from './scan-report.types.js';

const GO_HASH_EXPECTED = 'a hash "sha256:" followed by hex digits';
const goHash = v.pipe(v.string(GO_HASH_EXPECTED), v.regex(/^(?:sha256:[0-9a-f]*)?$/, GO_HASH_EXPECTED));
const optionalGoHash = v.optional(goHash);
const optionalText = v.optional(v.string('a string'));
const nullableObject = (what: string) => v.optional(v.nullable(jsonObjectSchema(what)));
const encoder = new TextEncoder();
const EMPTY_TEXT_HASH = hashText('');

const goTool = strictShape(
  {
    description_hash: optionalGoHash,
    descriptionHash: optionalGoHash,
    input_schema_hash: optionalGoHash,
    inputSchemaHash: optionalGoHash,
    risk_level: v.optional(riskLevelSchema),
    riskLevel: v.optional(riskLevelSchema),
  },
  'a tool object',
);

const goPrompt = strictShape(
  {
    arguments_hash: optionalGoHash,
    argumentsHash: optionalGoHash,
    description_hash: optionalGoHash,
    descriptionHash: optionalGoHash,
    title_hash: optionalGoHash,
    titleHash: optionalGoHash,
  },
  'a prompt object',
);

const goTemplate = strictShape(
  {
    uri_template: optionalText,
    uriTemplate: optionalText,
    template_hash: optionalGoHash,
    templateHash: optionalGoHash,
    name_hash: optionalGoHash,
    nameHash: optionalGoHash,
    description_hash: optionalGoHash,
    descriptionHash: optionalGoHash,
    title_hash: optionalGoHash,
    titleHash: optionalGoHash,
    mime_type: optionalText,
    mimeType: optionalText,
  },
  'a resource template object',
);

// The Go tool always wrote these sections (a Go nil map or slice comes out as null).
const toolsSection = v.nullable(jsonObjectSchema('an object of tools by name (or null)'));
const promptsSection = v.nullable(strictShape({ definitions: nullableObject('an object of prompts by name (or null)') }, 'an object with "definitions"'));
const resourcesSection = v.nullable(
  strictShape({ templates: v.optional(v.nullable(v.array(v.unknown(), 'an array of resource templates (or null)'))) }, 'an object with "templates"'),
);
const artifactPin = v.optional(jsonObjectSchema('an artifact pin object'));

const goV1V2 = strictShape(
  {
    version: v.picklist(['1.0', '2.0'], '"1.0" or "2.0"'),
    server_command: v.string('a string'),
    artifact: artifactPin,
    tools: toolsSection,
    // Sections of later Go versions, read when present.
    prompts: v.optional(promptsSection),
    resources: v.optional(resourcesSection),
  },
  'a Go mcptrust lockfile object',
);

const goV3 = strictShape(
  {
    lockFileVersion: v.literal('3.0', '"3.0"'),
    meta: strictShape({ generator: v.string('a string'), updatedAt: v.string('a string') }, 'a meta object'),
    server: strictShape({ name: v.string('a string'), artifact: artifactPin }, 'a server object'),
    tools: toolsSection,
    prompts: promptsSection,
    resources: resourcesSection,
  },
  'a Go mcptrust lockfile object',
);

type Aliased = Record<string, unknown>;

/** A field read from a Go item, with the key it was spelt with in the file. */
interface Picked<T> {
  value: T;
  path: PathSegment[];
}

/**
 * Reads a field that the Go tool spelt in snake_case in some versions and camelCase in
 * others. Both at once is ambiguous (which one is the pin?), so it is a problem.
 */
function pick<T>(item: Aliased, camel: string, snake: string, path: readonly PathSegment[], problems: Problem[], required: boolean): Picked<T> | undefined {
  const a = item[camel] as T | undefined;
  const b = item[snake] as T | undefined;
  if (a !== undefined && b !== undefined) {
    problems.push({ path: [...path, snake], expected: `either "${camel}" or "${snake}", not both`, found: 'both' });
    return undefined;
  }
  if (a !== undefined) return { value: a, path: [...path, camel] };
  if (b !== undefined) return { value: b, path: [...path, snake] };
  if (required) {
    problems.push({ path: [...path, camel], expected: `a value (the key "${camel}" or "${snake}" is required)`, found: 'nothing (the key is missing)' });
  }
  return undefined;
}

/** Turns a Go hash into a v3 one, with a notice when it can never match. */
function adoptHash({ value, path }: Picked<string>, notices: string[]): HashString {
  if (value === '') {
    notices.push(`${formatJsonPath(path)} is empty (the Go mcptrust wrote no hash for a missing or empty input schema): it can never match a live definition`);
    return 'sha256:';
  }
  const digits = value.length - 'sha256:'.length;
  if (digits !== 64) {
    notices.push(`${formatJsonPath(path)} "${value}" has ${digits} hex digits instead of 64: it can never match a live definition`);
  }
  return value as HashString;
}

/**
 * An optional text hash: v3 leaves it out for empty text, and so did the Go builder,
 * but a hand-made Go file may hold the hash of "" instead; both mean "empty".
 */
function adoptOptionalHash(picked: Picked<string> | undefined, notices: string[]): HashString | undefined {
  if (picked === undefined || picked.value === '' || picked.value === EMPTY_TEXT_HASH) return undefined;
  return adoptHash(picked, notices);
}

/**
 * The Go mcptrust's hashes of a tool: SHA-256 of the raw description (no line-ending
 * normalization) and of the input schema in its v1 canonical form (no hash at all for
 * an empty schema). Used only to recognise an unchanged tool in a converted lockfile.
 */
export function goToolHashes(def: { description?: string; inputSchema: JsonObject }): { descriptionHash: HashString; inputSchemaHash: HashString } {
  const schemaIsEmpty = Object.keys(def.inputSchema).length === 0;
  return {
    descriptionHash: hashBytes(encoder.encode(def.description ?? '')),
    inputSchemaHash: schemaIsEmpty ? 'sha256:' : hashBytes(encoder.encode(canonicalizeV1(def.inputSchema))),
  };
}

/** The Go mcptrust's `argumentsHash` (argument titles were not part of it). */
export function goPromptArgumentsHash(args: readonly PromptArgument[] | undefined): HashString {
  return hashJson(promptArgumentsForHash(args, false));
}

function convertTools(raw: JsonObject | null | undefined, problems: Problem[], notices: string[]): Record<string, LockedTool> {
  const tools = createRecord<LockedTool>();
  if (raw === null || raw === undefined) return tools;
  const unrated: string[] = [];
  for (const name of Object.keys(raw)) {
    const path = ['tools', name];
    const item = validateInto(goTool, raw[name], path, problems) as Aliased | undefined;
    if (item === undefined) continue;
    const description = pick<string>(item, 'descriptionHash', 'description_hash', path, problems, true);
    const inputSchema = pick<string>(item, 'inputSchemaHash', 'input_schema_hash', path, problems, true);
    const risk = pick<RiskLevel>(item, 'riskLevel', 'risk_level', path, problems, false);
    if (description === undefined || inputSchema === undefined) continue;
    if (risk === undefined) unrated.push(formatJsonPath(path));
    tools[name] = {
      descriptionHash: adoptHash(description, notices),
      inputSchemaHash: adoptHash(inputSchema, notices),
      // No recorded risk level: assume the worst until a scan says otherwise.
      riskLevel: risk?.value ?? 'HIGH',
    };
  }
  if (unrated.length > 0) notices.push(`no risk level was recorded for ${unrated.join(', ')}: treated as HIGH`);
  return tools;
}

function convertPrompts(raw: { definitions?: JsonObject | null | undefined } | null | undefined, problems: Problem[], notices: string[]): Record<string, LockedPrompt> {
  const prompts = createRecord<LockedPrompt>();
  const definitions = raw?.definitions;
  if (definitions === null || definitions === undefined) return prompts;
  for (const name of Object.keys(definitions)) {
    const path = ['prompts', 'definitions', name];
    const item = validateInto(goPrompt, definitions[name], path, problems) as Aliased | undefined;
    if (item === undefined) continue;
    const args = pick<string>(item, 'argumentsHash', 'arguments_hash', path, problems, true);
    const description = pick<string>(item, 'descriptionHash', 'description_hash', path, problems, false);
    const title = pick<string>(item, 'titleHash', 'title_hash', path, problems, false);
    if (args === undefined) continue;
    const prompt: LockedPrompt = { argumentsHash: adoptHash(args, notices) };
    const descriptionHash = adoptOptionalHash(description, notices);
    const titleHash = adoptOptionalHash(title, notices);
    if (descriptionHash !== undefined) prompt.descriptionHash = descriptionHash;
    if (titleHash !== undefined) prompt.titleHash = titleHash;
    prompts[name] = prompt;
  }
  return prompts;
}

function convertTemplates(raw: { templates?: unknown[] | null | undefined } | null | undefined, problems: Problem[], notices: string[]): LockedResourceTemplate[] {
  const templates: LockedResourceTemplate[] = [];
  (raw?.templates ?? []).forEach((entry, index) => {
    const path = ['resources', 'templates', index];
    const item = validateInto(goTemplate, entry, path, problems) as Aliased | undefined;
    if (item === undefined) return;
    const uriTemplate = pick<string>(item, 'uriTemplate', 'uri_template', path, problems, true);
    const templateHash = pick<string>(item, 'templateHash', 'template_hash', path, problems, true);
    const nameHash = pick<string>(item, 'nameHash', 'name_hash', path, problems, false);
    const description = pick<string>(item, 'descriptionHash', 'description_hash', path, problems, false);
    const title = pick<string>(item, 'titleHash', 'title_hash', path, problems, false);
    const mimeType = pick<string>(item, 'mimeType', 'mime_type', path, problems, false);
    if (uriTemplate === undefined || templateHash === undefined) return;
    const template: LockedResourceTemplate = {
      uriTemplate: uriTemplate.value,
      templateHash: adoptHash(templateHash, notices),
      // The Go tool omitted nameHash only for an empty name, whose v3 hash is this.
      nameHash: adoptOptionalHash(nameHash, notices) ?? EMPTY_TEXT_HASH,
    };
    const descriptionHash = adoptOptionalHash(description, notices);
    const titleHash = adoptOptionalHash(title, notices);
    if (descriptionHash !== undefined) template.descriptionHash = descriptionHash;
    if (titleHash !== undefined) template.titleHash = titleHash;
    if (mimeType !== undefined && mimeType.value !== '') template.mimeType = mimeType.value;
    templates.push(template);
  });
  return templates;
}

const DESCRIPTIONS: Record<GoLockfileFormat, string> = {
  'go-v1': 'a lockfile version 1.0 of the Go mcptrust',
  'go-v2': 'a lockfile version 2.0 of the Go mcptrust',
  'go-v3': 'a lockfile v3 written by the Go mcptrust (no snapshots)',
};

/**
 * Converts a parsed Go lockfile (already classified as `format`) to v3.
 *
 * @throws LockfileError `SCHEMA_INVALID` listing every problem, `DUPLICATE_ITEM` for
 * two templates with one URI template.
 */
export function convertGoLockfile(root: unknown, format: GoLockfileFormat, options: { file?: string; subject: string }): ParsedLockfile {
  const problems: Problem[] = [];
  const notices: string[] = [`${options.subject} is ${DESCRIPTIONS[format]}; it was converted to lockfile v3 in memory and the next \`mcptrust lock\` rewrites it as v3`];
  const fail = (): never =>
    throwProblems(problems, {
      code: 'SCHEMA_INVALID',
      subject: options.subject,
      summary: `is not a valid ${DESCRIPTIONS[format]}`,
      ...(options.file === undefined ? {} : { file: options.file }),
    });

  if (!expectObject(root, [], 'a JSON object', problems)) return fail();
  const top = format === 'go-v3' ? validateInto(goV3, root, [], problems) : validateInto(goV1V2, root, [], problems);
  if (top === undefined) return fail();

  const tools = convertTools(top.tools, problems, notices);
  const definitions = convertPrompts(top.prompts, problems, notices);
  const templates = convertTemplates(top.resources, problems, notices);
  if (problems.length > 0) return fail();
  refuseDuplicates(
    templates.map((t) => t.uriTemplate),
    {
      subject: options.subject,
      section: 'resources.templates',
      what: 'resource template',
      idKey: 'uriTemplate',
      reason: 'one pin per identity is allowed',
      ...(options.file === undefined ? {} : { file: options.file }),
    },
  );

  let name = '';
  let artifact: JsonObject | undefined;
  let generator: string;
  let updatedAt = '';
  if ('lockFileVersion' in top) {
    name = top.server.name;
    artifact = top.server.artifact;
    generator = top.meta.generator;
    updatedAt = top.meta.updatedAt;
  } else {
    artifact = top.artifact;
    generator = `mcptrust (Go), lockfile ${top.version}`;
    notices.push(`server_command "${escapeText(top.server_command)}" is not kept: lockfile v3 pins the server by the name it reports, which this file did not record`);
  }
  notices.push('the server\'s version, protocol version and capabilities were not recorded by this format: they are not compared until the lockfile is rewritten');
  if (!('lockFileVersion' in top) && top.prompts == null && top.resources == null) {
    notices.push('this format pinned tools only: the prompts and resources of the server are not approved by it, so a new lock lists them as added');
  }
  if (Object.keys(tools).length + Object.keys(definitions).length + templates.length > 0) {
    notices.push('its items have no snapshot: they can be compared by hash only, and tool hashes follow the Go hashing (raw description, Go canonical JSON of the input schema)');
  }
  if (artifact !== undefined) notices.push('the artifact pin is kept as the Go mcptrust wrote it');

  const lockfile: Lockfile = {
    lockFileVersion: '3.0',
    meta: { generator, updatedAt, convertedFrom: format },
    server: { name, version: '', protocolVersion: '', capabilities: {}, ...(artifact === undefined ? {} : { artifact }) },
    tools,
    prompts: { definitions },
    resources: { templates, static: [] },
  };
  return { lockfile, format, notices };
}
