/**
 * The valibot schema of lockfile v3 as this project writes it: strict everywhere (an
 * unknown key is an error), well-formed hashes only, a snapshot on every item.
 */
import * as v from 'valibot';
import { isPlainObject } from './canonical-json.js';
import { LockfileError } from './errors.js';
import { describeValue, escapeText, formatJsonPath } from './json-path.js';
import type {
  DeniedSection,
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

/** A remote server's endpoint as pinned: an http(s) URL of origin and path only. */
const endpointUrl = v.pipe(
  text(),
  v.check((value) => isEndpointUrl(value), 'an http(s) URL of origin and path, without credentials, query or fragment, such as "https://mcp.example.com/mcp"'),
);

function isEndpointUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '' && url.href === value;
}

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
    url: v.optional(endpointUrl),
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

// The item sections, shared by the approved surface (top level) and `denied`.
const itemSections = {
  tools: jsonObjectSchema('an object of tools by name'),
  prompts: strictShape({ definitions: jsonObjectSchema('an object of prompts by name') }, 'an object with "definitions"'),
  resources: strictShape(
    {
      templates: v.array(lockedTemplate, 'an array of resource templates'),
      static: v.array(lockedStatic, 'an array of static resources'),
    },
    'an object with "templates" and "static"',
  ),
};

const topLevel = strictShape(
  {
    lockFileVersion: v.literal('3.0', '"3.0"'),
    meta,
    server: lockedServer,
    ...itemSections,
    denied: v.optional(strictShape(itemSections, 'an object with "tools", "prompts" and "resources" (the denied items)')),
  },
  'a lockfile object',
);

/** The item sections of one part of a lockfile (approved or denied), validated. */
interface ItemSections {
  tools: Record<string, LockedTool>;
  prompts: { definitions: Record<string, LockedPrompt> };
  resources: { templates: LockedResourceTemplate[]; static: LockedStaticResource[] };
}

/** Validates the tools and prompts maps (item by item, for paths that name the item) under `prefix`. */
function validateSections(raw: unknown, prefix: readonly string[], problems: Problem[]): Pick<ItemSections, 'tools' | 'prompts'> {
  const tools = createRecord<LockedTool>();
  const rawTools = isJsonObject(raw) ? raw['tools'] : undefined;
  if (isJsonObject(rawTools)) {
    for (const name of Object.keys(rawTools)) {
      const tool = validateInto(lockedTool, rawTools[name], [...prefix, 'tools', name], problems);
      if (tool !== undefined) tools[name] = tool as LockedTool;
    }
  }
  const prompts = createRecord<LockedPrompt>();
  const rawPrompts = isJsonObject(raw) ? raw['prompts'] : undefined;
  const rawDefinitions = isJsonObject(rawPrompts) ? rawPrompts['definitions'] : undefined;
  if (isJsonObject(rawDefinitions)) {
    for (const name of Object.keys(rawDefinitions)) {
      const prompt = validateInto(lockedPrompt, rawDefinitions[name], [...prefix, 'prompts', 'definitions', name], problems);
      if (prompt !== undefined) prompts[name] = prompt as LockedPrompt;
    }
  }
  return { tools, prompts: { definitions: prompts } };
}

/**
 * An item is approved or denied, never both: a lockfile saying both would mean whatever
 * the reader checks first. Names both JSON paths.
 */
function refuseApprovedAndDenied(approved: ItemSections, denied: ItemSections, options: { file?: string; subject: string }): void {
  const clash = (what: string, approvedPath: string, deniedPath: string, id: string): never => {
    throw new LockfileError(
      'DUPLICATE_ITEM',
      `${options.subject} lists ${what} \`${escapeText(id)}\` both as approved (${approvedPath}) and as denied (${deniedPath}): an item is either approved or denied`,
      { ...(options.file === undefined ? {} : { file: options.file }), jsonPath: deniedPath, expected: `the item in only one of ${approvedPath} and ${deniedPath}`, found: 'both' },
    );
  };
  for (const name of Object.keys(denied.tools)) {
    if (Object.prototype.hasOwnProperty.call(approved.tools, name)) clash('tool', formatJsonPath(['tools', name]), formatJsonPath(['denied', 'tools', name]), name);
  }
  for (const name of Object.keys(denied.prompts.definitions)) {
    if (Object.prototype.hasOwnProperty.call(approved.prompts.definitions, name)) {
      clash('prompt', formatJsonPath(['prompts', 'definitions', name]), formatJsonPath(['denied', 'prompts', 'definitions', name]), name);
    }
  }
  denied.resources.templates.forEach((t, index) => {
    const at = approved.resources.templates.findIndex((a) => a.uriTemplate === t.uriTemplate);
    if (at !== -1) clash('resource template', `resources.templates[${at}]`, `denied.resources.templates[${index}]`, t.uriTemplate);
  });
  denied.resources.static.forEach((r, index) => {
    const at = approved.resources.static.findIndex((a) => a.uri === r.uri);
    if (at !== -1) clash('resource', `resources.static[${at}]`, `denied.resources.static[${index}]`, r.uri);
  });
}

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

  const approvedMaps = validateSections(root, [], problems);
  const rawDenied = (root as Record<string, unknown>)['denied'];
  const deniedMaps = rawDenied === undefined ? undefined : validateSections(rawDenied, ['denied'], problems);
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
    ...approvedMaps,
    resources: {
      templates: top.resources.templates as LockedResourceTemplate[],
      static: top.resources.static as LockedStaticResource[],
    },
  };
  const duplicates = { subject: options.subject, reason: 'one pin per identity is allowed', ...(options.file === undefined ? {} : { file: options.file }) };
  const refuseDuplicateResources = (sections: ItemSections, prefix: string): void => {
    refuseDuplicates(
      sections.resources.templates.map((t) => t.uriTemplate),
      { ...duplicates, section: `${prefix}resources.templates`, what: 'resource template', idKey: 'uriTemplate' },
    );
    refuseDuplicates(sections.resources.static.map((r) => r.uri), { ...duplicates, section: `${prefix}resources.static`, what: 'resource', idKey: 'uri' });
  };
  refuseDuplicateResources(lockfile, '');
  if (deniedMaps !== undefined && top.denied !== undefined) {
    const denied: DeniedSection = {
      ...deniedMaps,
      resources: {
        templates: top.denied.resources.templates as LockedResourceTemplate[],
        static: top.denied.resources.static as LockedStaticResource[],
      },
    };
    refuseDuplicateResources(denied, 'denied.');
    refuseApprovedAndDenied(lockfile, denied, options);
    lockfile.denied = denied;
  }
  return lockfile;
}
