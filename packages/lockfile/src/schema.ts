/**
 * The valibot schema of lockfile v3 as this project writes it: strict everywhere (an
 * unknown key is an error), well-formed hashes only, a snapshot on every item.
 */
import * as v from 'valibot';
import { isPlainObject } from './canonical-json.js';
import { describeValue } from './json-path.js';
import type {
  LockedPrompt,
  LockedResourceTemplate,
  LockedServer,
  LockedStaticResource,
  LockedTool,
  Lockfile,
  LockfileMeta,
} from './lockfile.types.js';
import { expectObject, refuseDuplicates, strictShape, throwProblems, validateInto } from './problems.js';
import type { Problem } from './problems.js';
import type { JsonObject } from './scan-report.types.js';

/** What a well-formed hash looks like, as said in messages. */
export const HASH_EXPECTED = 'a hash "sha256:" followed by 64 lowercase hex digits';

/** A plain (JSON) object: not null, not an array, not a class instance. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainObject(value);
}

/** A null-prototype record: keys such as `__proto__` or `constructor` are ordinary keys. */
export function createRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const text = (what = 'a string') => v.string(what);
const optionalText = () => v.optional(text());
const hash = v.pipe(v.string(HASH_EXPECTED), v.regex(/^sha256:[0-9a-f]{64}$/, HASH_EXPECTED));
const optionalHash = v.optional(hash);
/** A schema accepting a plain JSON object (kept as it is: its keys are never filtered). */
export const jsonObjectSchema = (what: string) => v.custom<JsonObject>(isJsonObject, what);

/** Tool risk levels. */
export const riskLevelSchema = v.picklist(['LOW', 'MEDIUM', 'HIGH'], 'one of "LOW", "MEDIUM", "HIGH"');

const toolSnapshot = strictShape(
  {
    title: optionalText(),
    description: optionalText(),
    inputSchema: jsonObjectSchema('the tool\'s input JSON Schema (an object)'),
    outputSchema: v.optional(jsonObjectSchema('the tool\'s output JSON Schema (an object)')),
    annotations: v.optional(jsonObjectSchema('an object of annotations')),
  },
  'a tool snapshot object',
);

const lockedTool = strictShape(
  {
    descriptionHash: hash,
    inputSchemaHash: hash,
    outputSchemaHash: optionalHash,
    annotationsHash: optionalHash,
    titleHash: optionalHash,
    riskLevel: riskLevelSchema,
    snapshot: toolSnapshot,
  },
  'a tool object',
);

/** A prompt argument as pinned (also used to check scans). */
export const promptArgumentSchema = strictShape(
  {
    name: text(),
    title: optionalText(),
    description: optionalText(),
    required: v.optional(v.boolean('true or false')),
  },
  'a prompt argument object',
);

const lockedPrompt = strictShape(
  {
    descriptionHash: optionalHash,
    argumentsHash: hash,
    titleHash: optionalHash,
    snapshot: strictShape(
      {
        title: optionalText(),
        description: optionalText(),
        arguments: v.optional(v.array(promptArgumentSchema, 'an array of prompt arguments')),
      },
      'a prompt snapshot object',
    ),
  },
  'a prompt object',
);

const resourceSnapshot = strictShape(
  { name: text(), title: optionalText(), description: optionalText(), mimeType: optionalText() },
  'a resource snapshot object',
);

const lockedTemplate = strictShape(
  {
    uriTemplate: text(),
    templateHash: hash,
    nameHash: hash,
    descriptionHash: optionalHash,
    titleHash: optionalHash,
    mimeType: optionalText(),
    snapshot: resourceSnapshot,
  },
  'a resource template object',
);

const lockedStatic = strictShape(
  {
    uri: text(),
    nameHash: hash,
    descriptionHash: optionalHash,
    titleHash: optionalHash,
    mimeType: optionalText(),
    snapshot: resourceSnapshot,
  },
  'a static resource object',
);

const lockedServer = strictShape(
  {
    name: text(),
    version: text(),
    protocolVersion: text(),
    title: optionalText(),
    instructionsHash: optionalHash,
    instructions: optionalText(),
    capabilities: jsonObjectSchema('an object of capabilities'),
    artifact: v.optional(jsonObjectSchema('an artifact pin object')),
  },
  'a server object',
);

const meta = strictShape(
  {
    generator: v.pipe(text(), v.nonEmpty('a non-empty generator such as "mcptrust 0.1.0"')),
    updatedAt: v.pipe(text(), v.isoTimestamp('an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z"')),
  },
  'a meta object',
);

const topLevel = strictShape(
  {
    lockFileVersion: v.literal('3.0', '"3.0"'),
    meta,
    server: lockedServer,
    tools: jsonObjectSchema('an object of tools by name'),
    prompts: strictShape({ definitions: jsonObjectSchema('an object of prompts by name') }, 'an object with "definitions"'),
    resources: strictShape(
      {
        templates: v.array(lockedTemplate, 'an array of resource templates'),
        static: v.array(lockedStatic, 'an array of static resources'),
      },
      'an object with "templates" and "static"',
    ),
  },
  'a lockfile object',
);

/**
 * Validates a lockfile this project wrote and returns it with null-prototype maps.
 * Collects every problem before throwing one `SCHEMA_INVALID` error.
 */
export function validateNativeLockfile(root: unknown, options: { file?: string; subject: string }): Lockfile {
  const problems: Problem[] = [];
  const fail = (): never =>
    throwProblems(problems, {
      code: 'SCHEMA_INVALID',
      subject: options.subject,
      summary: 'is not a valid lockfile v3',
      ...(options.file === undefined ? {} : { file: options.file }),
    });

  if (!expectObject(root, [], 'a JSON object', problems)) fail();
  const top = validateInto(topLevel, root, [], problems);

  const tools = createRecord<LockedTool>();
  const rawTools = (root as Record<string, unknown>)['tools'];
  if (isJsonObject(rawTools)) {
    for (const name of Object.keys(rawTools)) {
      const tool = validateInto(lockedTool, rawTools[name], ['tools', name], problems);
      if (tool !== undefined) tools[name] = tool as LockedTool;
    }
  }
  const prompts = createRecord<LockedPrompt>();
  const rawPrompts = (root as Record<string, unknown>)['prompts'];
  const rawDefinitions = isJsonObject(rawPrompts) ? rawPrompts['definitions'] : undefined;
  if (isJsonObject(rawDefinitions)) {
    for (const name of Object.keys(rawDefinitions)) {
      const prompt = validateInto(lockedPrompt, rawDefinitions[name], ['prompts', 'definitions', name], problems);
      if (prompt !== undefined) prompts[name] = prompt as LockedPrompt;
    }
  }
  const server = top?.server;
  if (server !== undefined && (server.instructions === undefined) !== (server.instructionsHash === undefined)) {
    const missing = server.instructions === undefined ? 'instructions' : 'instructionsHash';
    problems.push({
      path: ['server', missing],
      expected: 'a value: "instructions" and "instructionsHash" are pinned together',
      found: describeValue(undefined),
    });
  }
  if (problems.length > 0 || top === undefined) return fail();

  const lockfile: Lockfile = {
    lockFileVersion: top.lockFileVersion,
    meta: top.meta as LockfileMeta,
    server: top.server as LockedServer,
    tools,
    prompts: { definitions: prompts },
    resources: {
      templates: top.resources.templates as LockedResourceTemplate[],
      static: top.resources.static as LockedStaticResource[],
    },
  };
  const duplicates = { subject: options.subject, reason: 'one pin per identity is allowed', ...(options.file === undefined ? {} : { file: options.file }) };
  refuseDuplicates(
    lockfile.resources.templates.map((t) => t.uriTemplate),
    { ...duplicates, section: 'resources.templates', what: 'resource template', idKey: 'uriTemplate' },
  );
  refuseDuplicates(lockfile.resources.static.map((r) => r.uri), { ...duplicates, section: 'resources.static', what: 'resource', idKey: 'uri' });
  return lockfile;
}
