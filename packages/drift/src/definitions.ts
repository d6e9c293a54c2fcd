import type {
  JsonObject,
  JsonValue,
  PromptArgument,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ScannedServer,
  ToolDefinition,
} from '@mcptrust/lockfile';
import { DriftError } from './errors.js';
import { toEvidence } from './unicode.js';

/*
 * Copies exactly the fields MCPTrust understands out of what a server listed, checking
 * their types. Server output is attacker-controlled: unknown fields are dropped (they
 * are not pinned, so they must not travel further), and a field of the wrong type is
 * an error rather than something to coerce.
 */

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(where: string, problem: string): never {
  throw new DriftError('INVALID_SERVER_RESPONSE', `${where}: ${problem}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string "${toEvidence(value, 40)}"` : `a ${typeof value}`;
}

function requiredString(item: JsonObject, key: string, where: string): string {
  const value = item[key];
  if (typeof value !== 'string' || value.length === 0) {
    invalid(where, `\`${key}\` must be a non-empty string, got ${value === undefined ? 'nothing' : describeValue(value)}`);
  }
  return value;
}

function optionalString(item: JsonObject, key: string, where: string): string | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(where, `\`${key}\` must be a string, got ${describeValue(value)}`);
  return value;
}

function optionalObject(item: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (!isObject(value)) invalid(where, `\`${key}\` must be an object, got ${describeValue(value)}`);
  return value;
}

/** Copies `key` into `target` only when present, so absent fields stay absent (not `undefined`). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function label(list: string, index: number, item: unknown): string {
  const name = isObject(item) && typeof item['name'] === 'string' ? ` (\`${toEvidence(item['name'], 60)}\`)` : '';
  return `${list}[${index}]${name}`;
}

/** A tool from `tools/list`. */
export function toToolDefinition(item: unknown, index: number): ToolDefinition {
  const where = label('tools', index, item);
  if (!isObject(item)) invalid(where, `expected an object, got ${describeValue(item)}`);
  const inputSchema = item['inputSchema'];
  if (!isObject(inputSchema)) {
    invalid(where, `\`inputSchema\` must be a JSON Schema object, got ${inputSchema === undefined ? 'nothing' : describeValue(inputSchema)}`);
  }
  const tool: ToolDefinition = { name: requiredString(item, 'name', where), inputSchema };
  put(tool, 'title', optionalString(item, 'title', where));
  put(tool, 'description', optionalString(item, 'description', where));
  put(tool, 'outputSchema', optionalObject(item, 'outputSchema', where));
  put(tool, 'annotations', optionalObject(item, 'annotations', where));
  return tool;
}

function toPromptArgument(item: JsonValue, where: string): PromptArgument {
  if (!isObject(item)) invalid(where, `expected an object, got ${describeValue(item)}`);
  const argument: PromptArgument = { name: requiredString(item, 'name', where) };
  put(argument, 'title', optionalString(item, 'title', where));
  put(argument, 'description', optionalString(item, 'description', where));
  const required = item['required'];
  if (required !== undefined && typeof required !== 'boolean') {
    invalid(where, `\`required\` must be a boolean, got ${describeValue(required)}`);
  }
  put(argument, 'required', required);
  return argument;
}

/** A prompt from `prompts/list`. */
export function toPromptDefinition(item: unknown, index: number): PromptDefinition {
  const where = label('prompts', index, item);
  if (!isObject(item)) invalid(where, `expected an object, got ${describeValue(item)}`);
  const prompt: PromptDefinition = { name: requiredString(item, 'name', where) };
  put(prompt, 'title', optionalString(item, 'title', where));
  put(prompt, 'description', optionalString(item, 'description', where));
  const args = item['arguments'];
  if (args !== undefined) {
    if (!Array.isArray(args)) invalid(where, `\`arguments\` must be an array, got ${describeValue(args)}`);
    prompt.arguments = args.map((arg, i) => toPromptArgument(arg, `${where}.arguments[${i}]`));
  }
  return prompt;
}

/** A static resource from `resources/list`. */
export function toResourceDefinition(item: unknown, index: number): ResourceDefinition {
  const where = label('resources', index, item);
  if (!isObject(item)) invalid(where, `expected an object, got ${describeValue(item)}`);
  const resource: ResourceDefinition = { uri: requiredString(item, 'uri', where), name: requiredString(item, 'name', where) };
  put(resource, 'title', optionalString(item, 'title', where));
  put(resource, 'description', optionalString(item, 'description', where));
  put(resource, 'mimeType', optionalString(item, 'mimeType', where));
  return resource;
}

/** A resource template from `resources/templates/list`. */
export function toResourceTemplateDefinition(item: unknown, index: number): ResourceTemplateDefinition {
  const where = label('resourceTemplates', index, item);
  if (!isObject(item)) invalid(where, `expected an object, got ${describeValue(item)}`);
  const template: ResourceTemplateDefinition = {
    uriTemplate: requiredString(item, 'uriTemplate', where),
    name: requiredString(item, 'name', where),
  };
  put(template, 'title', optionalString(item, 'title', where));
  put(template, 'description', optionalString(item, 'description', where));
  put(template, 'mimeType', optionalString(item, 'mimeType', where));
  return template;
}

/**
 * The server part of a scan from an `initialize` result: name, version, title,
 * negotiated protocol version, capabilities and instructions (missing or mistyped
 * fields become empty, as the lockfile pins them).
 */
export function toScannedServer(result: Readonly<Record<string, unknown>>): ScannedServer {
  const info = isObject(result['serverInfo']) ? result['serverInfo'] : {};
  const server: ScannedServer = {
    name: typeof info['name'] === 'string' ? info['name'] : '',
    version: typeof info['version'] === 'string' ? info['version'] : '',
    protocolVersion: typeof result['protocolVersion'] === 'string' ? result['protocolVersion'] : '',
    capabilities: isObject(result['capabilities']) ? result['capabilities'] : {},
  };
  if (typeof info['title'] === 'string') server.title = info['title'];
  if (typeof result['instructions'] === 'string') server.instructions = result['instructions'];
  return server;
}

/**
 * Rejects two items with the same identity: the lockfile and the proxy key items by it,
 * and a host could not tell which of the two a call goes to.
 */
export function assertUnique<T>(items: readonly T[], list: string, idOf: (item: T) => string, idField: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const id = idOf(item);
    const first = seen.get(id);
    if (first !== undefined) {
      invalid(`${list}[${index}]`, `duplicate ${idField} \`${toEvidence(id, 80)}\` (also ${list}[${first}])`);
    }
    seen.set(id, index);
  });
}
