/**
 * Building a lockfile from a scan. The same scan always gives the same lockfile (and
 * the same bytes), whatever order the server listed its items in.
 */
import * as v from 'valibot';
import { canonicalize } from './canonical-json.js';
import { denyItems } from './denied.js';
import type { LockfileItemRef } from './denied.js';
import { LockfileError } from './errors.js';
import { hashText } from './hashing.js';
import { promptHashes, resourceTemplateHashes, staticResourceHashes, toolHashes } from './item-hashes.js';
import { escapeText, formatJsonPath } from './json-path.js';
import type { PathSegment } from './json-path.js';
import type {
  LockedPrompt,
  LockedResourceSnapshot,
  LockedResourceTemplate,
  LockedServer,
  LockedStaticResource,
  LockedTool,
  LockedToolSnapshot,
  Lockfile,
} from './lockfile.types.js';
import { refuseDuplicates, throwProblems, validateInto } from './problems.js';
import type { Problem } from './problems.js';
import type { PromptArgument, ResourceDefinition, ResourceTemplateDefinition, ScanReport } from './scan-report.types.js';
import { createRecord, jsonObjectSchema, riskLevelSchema } from './schema.js';
import { DEFAULT_GENERATOR, LOCKFILE_VERSION } from './version.js';

/** Options of {@link buildLockfile}. */
export interface BuildLockfileOptions {
  /** `meta.generator`; defaults to {@link DEFAULT_GENERATOR}. */
  generator?: string;
  /** `meta.updatedAt` (ISO 8601); defaults to now. Pass a fixed value for reproducible output. */
  updatedAt?: string;
  /**
   * Items to put in `denied` instead of the approved sections (e.g. `deniedItems(previous)`
   * to compare a scan with a lockfile that denies some of it). Items the scan does not
   * hold are skipped.
   */
  deny?: readonly LockfileItemRef[];
}

const text = v.string('a string');
const optionalText = v.optional(text);

// Loose: a scan carries more than the lockfile pins (risk reasons, findings...).
const scanSchema = v.looseObject(
  {
    server: v.looseObject(
      {
        name: text,
        version: text,
        protocolVersion: text,
        title: optionalText,
        instructions: optionalText,
        capabilities: jsonObjectSchema('an object of capabilities'),
        url: optionalText,
      },
      'a server object',
    ),
    tools: v.array(
      v.looseObject(
        {
          name: text,
          title: optionalText,
          description: optionalText,
          inputSchema: jsonObjectSchema('a JSON Schema object'),
          outputSchema: v.optional(jsonObjectSchema('a JSON Schema object')),
          annotations: v.optional(jsonObjectSchema('an object of annotations')),
          riskLevel: riskLevelSchema,
        },
        'a tool object',
      ),
      'an array of tools',
    ),
    prompts: v.array(
      v.looseObject(
        {
          name: text,
          title: optionalText,
          description: optionalText,
          arguments: v.optional(
            v.array(
              v.looseObject({ name: text, title: optionalText, description: optionalText, required: v.optional(v.boolean('true or false')) }, 'a prompt argument object'),
              'an array of prompt arguments',
            ),
          ),
        },
        'a prompt object',
      ),
      'an array of prompts',
    ),
    resources: v.array(
      v.looseObject({ uri: text, name: text, title: optionalText, description: optionalText, mimeType: optionalText }, 'a resource object'),
      'an array of resources',
    ),
    resourceTemplates: v.array(
      v.looseObject({ uriTemplate: text, name: text, title: optionalText, description: optionalText, mimeType: optionalText }, 'a resource template object'),
      'an array of resource templates',
    ),
  },
  'a scan report object',
);

const optionsSchema = v.object({
  generator: v.pipe(text, v.nonEmpty('a non-empty generator such as "mcptrust 0.1.0"')),
  updatedAt: v.pipe(text, v.isoTimestamp('an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z"')),
});

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A deep copy that is also a check: only JSON survives canonicalization. */
function cloneJson<T>(value: T): T {
  return JSON.parse(canonicalize(value)) as T;
}

/** Runs `fn`, turning a value that cannot be hashed into a `SCAN_INVALID` naming the item. */
function atItem<T>(label: string, path: readonly PathSegment[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof LockfileError && (error.code === 'CANONICALIZE_FAILED' || error.code === 'INVALID_INPUT')) {
      throw new LockfileError('SCAN_INVALID', `cannot lock ${label} (${formatJsonPath(path)}): ${error.message}`, {
        cause: error,
        jsonPath: formatJsonPath(path),
        ...(error.expected === undefined ? {} : { expected: error.expected }),
        ...(error.found === undefined ? {} : { found: error.found }),
      });
    }
    throw error;
  }
}

function resourceSnapshot(def: ResourceDefinition | ResourceTemplateDefinition): LockedResourceSnapshot {
  const snapshot: LockedResourceSnapshot = { name: def.name };
  if (def.title !== undefined) snapshot.title = def.title;
  if (def.description !== undefined) snapshot.description = def.description;
  if (def.mimeType !== undefined) snapshot.mimeType = def.mimeType;
  return snapshot;
}

/**
 * Builds a lockfile v3 from a scan: every tool, prompt, resource template and static
 * resource with its hashes and a snapshot of exactly the hashed fields; maps sorted by
 * name, templates by `uriTemplate`, static resources by `uri`.
 *
 * @throws LockfileError `SCAN_INVALID` when the scan is malformed (every problem with
 * its path) or holds a value that is not JSON, `DUPLICATE_ITEM` when two tools or
 * prompts share a name or two resources / templates share a URI / URI template.
 */
export function buildLockfile(scan: ScanReport, options: BuildLockfileOptions = {}): Lockfile {
  const updatedAt = options.updatedAt ?? new Date().toISOString();
  const generator = options.generator ?? DEFAULT_GENERATOR;
  const problems: Problem[] = [];
  validateInto(optionsSchema, { generator, updatedAt }, ['options'], problems);
  if (problems.length > 0) throwProblems(problems, { code: 'INVALID_INPUT', subject: 'buildLockfile', summary: 'was given invalid options' });
  if (validateInto(scanSchema, scan, [], problems) === undefined) {
    throwProblems(problems, { code: 'SCAN_INVALID', subject: 'the scan', summary: 'cannot be locked' });
  }
  const ambiguous = { subject: 'the scan', reason: 'the server is ambiguous, so it is not pinned' };
  refuseDuplicates(scan.tools.map((t) => t.name), { ...ambiguous, section: 'tools', what: 'tool' });
  refuseDuplicates(scan.prompts.map((p) => p.name), { ...ambiguous, section: 'prompts', what: 'prompt' });
  refuseDuplicates(scan.resources.map((r) => r.uri), { ...ambiguous, section: 'resources', what: 'resource' });
  refuseDuplicates(scan.resourceTemplates.map((t) => t.uriTemplate), { ...ambiguous, section: 'resourceTemplates', what: 'resource template' });

  const s = scan.server;
  const server: LockedServer = {
    name: s.name,
    version: s.version,
    protocolVersion: s.protocolVersion,
    capabilities: atItem('the server capabilities', ['server', 'capabilities'], () => cloneJson(s.capabilities)),
  };
  if (s.title !== undefined) server.title = s.title;
  if (s.url !== undefined) server.url = s.url;
  if (s.instructions !== undefined) {
    server.instructions = s.instructions;
    server.instructionsHash = hashText(s.instructions);
  }

  const tools = createRecord<LockedTool>();
  const toolOrder = scan.tools.map((_, index) => index).sort((a, b) => byCodeUnits(scan.tools[a]!.name, scan.tools[b]!.name));
  for (const index of toolOrder) {
    const tool = scan.tools[index]!;
    tools[tool.name] = atItem(`tool \`${escapeText(tool.name)}\``, ['tools', index], () => {
      const snapshot: LockedToolSnapshot = { inputSchema: cloneJson(tool.inputSchema) };
      if (tool.title !== undefined) snapshot.title = tool.title;
      if (tool.description !== undefined) snapshot.description = tool.description;
      if (tool.outputSchema !== undefined) snapshot.outputSchema = cloneJson(tool.outputSchema);
      if (tool.annotations !== undefined) snapshot.annotations = cloneJson(tool.annotations);
      return { ...toolHashes({ name: tool.name, ...snapshot }), riskLevel: tool.riskLevel, snapshot };
    });
  }

  const definitions = createRecord<LockedPrompt>();
  for (const prompt of [...scan.prompts].sort((a, b) => byCodeUnits(a.name, b.name))) {
    const snapshot: NonNullable<LockedPrompt['snapshot']> = {};
    if (prompt.title !== undefined) snapshot.title = prompt.title;
    if (prompt.description !== undefined) snapshot.description = prompt.description;
    if (prompt.arguments !== undefined) {
      snapshot.arguments = prompt.arguments.map((arg) => {
        const copy: PromptArgument = { name: arg.name };
        if (arg.title !== undefined) copy.title = arg.title;
        if (arg.description !== undefined) copy.description = arg.description;
        if (arg.required !== undefined) copy.required = arg.required;
        return copy;
      });
    }
    definitions[prompt.name] = { ...promptHashes({ name: prompt.name, ...snapshot }), snapshot };
  }

  const templates: LockedResourceTemplate[] = [...scan.resourceTemplates]
    .sort((a, b) => byCodeUnits(a.uriTemplate, b.uriTemplate))
    .map((def) => {
      const snapshot = resourceSnapshot(def);
      const item: LockedResourceTemplate = { uriTemplate: def.uriTemplate, ...resourceTemplateHashes({ uriTemplate: def.uriTemplate, ...snapshot }), snapshot };
      if (def.mimeType !== undefined && def.mimeType !== '') item.mimeType = def.mimeType;
      return item;
    });

  const statics: LockedStaticResource[] = [...scan.resources]
    .sort((a, b) => byCodeUnits(a.uri, b.uri))
    .map((def) => {
      const snapshot = resourceSnapshot(def);
      const item: LockedStaticResource = { uri: def.uri, ...staticResourceHashes({ uri: def.uri, ...snapshot }), snapshot };
      if (def.mimeType !== undefined && def.mimeType !== '') item.mimeType = def.mimeType;
      return item;
    });

  const lockfile: Lockfile = {
    lockFileVersion: LOCKFILE_VERSION,
    meta: { generator, updatedAt },
    server,
    tools,
    prompts: { definitions },
    resources: { templates, static: statics },
  };
  return options.deny === undefined || options.deny.length === 0 ? lockfile : denyItems(lockfile, options.deny);
}
