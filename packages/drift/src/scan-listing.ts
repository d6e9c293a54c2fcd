/**
 * Listing a server's surface: every page of each list whose capability the server
 * declares, with cursor loops and endless listings stopped, each entry converted to a
 * checked definition, and duplicate names or URIs rejected.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, ScannedServer } from '@mcptrust/lockfile';
import type { ScanReportInput } from './analyze-scan-report.js';
import { assertUnique, toPromptDefinition, toResourceDefinition, toResourceTemplateDefinition, toToolDefinition } from './definitions.js';
import { DriftError } from './errors.js';
import { listErrorMeansNone } from './list-methods.js';
import type { ListMethod } from './list-methods.js';
import { toEvidence } from './unicode.js';

/** How the listing reaches the server. */
export interface PageSource {
  /** Most pages of one list before `PAGINATION_LIMIT`. */
  maxPages: number;
  /** Records what the scan is doing, for the message of a scan that fails or stalls. */
  setPhase: (phase: string) => void;
  /** One page of a list (the first without a cursor); rejects with the server's error answer as an `McpError`. */
  requestPage: (method: ListMethod, cursor: string | undefined) => Promise<Record<string, unknown>>;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deepest nesting of objects and arrays accepted in one listed entry. Real schemas
 * nest a few dozen levels at most; a deeper entry could not be hashed, stored or
 * printed (every recursive walk would run out of stack), so it is refused by name.
 */
export const MAX_ENTRY_DEPTH = 256;

/** Whether `value` nests deeper than {@link MAX_ENTRY_DEPTH} (an iterative walk: it cannot run out of stack itself). */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_ENTRY_DEPTH) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function entryName(item: unknown): string {
  if (!isObject(item)) return '';
  const name = item['name'] ?? item['uri'] ?? item['uriTemplate'];
  return typeof name === 'string' ? ` (\`${toEvidence(name, 60)}\`)` : '';
}

/**
 * Every entry of one paginated list, converted.
 *
 * @throws DriftError `PAGINATION_LIMIT`, `PAGINATION_LOOP`, `INVALID_SERVER_RESPONSE`
 */
export async function listAll<T>(source: PageSource, method: ListMethod, key: string, convert: (item: unknown, index: number) => T): Promise<T[]> {
  const items: T[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; ; page += 1) {
    if (page > source.maxPages) {
      throw new DriftError('PAGINATION_LIMIT', `${method} went on for more than ${source.maxPages} pages`);
    }
    const phase = page === 1 ? method : `${method} (page ${page})`;
    source.setPhase(phase);
    let result: Record<string, unknown>;
    try {
      result = await source.requestPage(method, cursor);
    } catch (error) {
      // A server that declares a capability but lacks the list method has nothing to list
      // (the rule the proxy's preflight applies too).
      if (error instanceof McpError && listErrorMeansNone(error.code, page)) return [];
      throw error;
    }
    const list = result[key];
    if (!Array.isArray(list)) {
      throw new DriftError('INVALID_SERVER_RESPONSE', `${phase}: \`${key}\` must be an array`);
    }
    for (const item of list) {
      if (tooDeep(item)) {
        throw new DriftError('INVALID_SERVER_RESPONSE', `${phase}: entry ${items.length}${entryName(item)} nests deeper than ${MAX_ENTRY_DEPTH} levels`);
      }
      items.push(convert(item, items.length));
    }
    const next = result['nextCursor'];
    if (next === undefined || next === null) return items;
    if (typeof next !== 'string') {
      throw new DriftError('INVALID_SERVER_RESPONSE', `${phase}: \`nextCursor\` must be a string`);
    }
    if (cursors.has(next)) {
      throw new DriftError(
        'PAGINATION_LOOP',
        `${method} sent the cursor "${toEvidence(next, 60)}" a second time (page ${page}); the listing would never end`,
      );
    }
    cursors.add(next);
    cursor = next;
  }
}

/**
 * The tools, prompts, resources and resource templates of a server, each listed only
 * when `server` declares the capability, in that order.
 *
 * @throws DriftError as {@link listAll}, and `INVALID_SERVER_RESPONSE` for an invalid
 *   entry or a name, URI or URI template listed twice
 */
export async function listSurface(source: PageSource, server: ScannedServer): Promise<ScanReportInput> {
  const caps = server.capabilities;
  const tools = isObject(caps['tools']) ? await listAll(source, 'tools/list', 'tools', toToolDefinition) : [];
  assertUnique(tools, 'tools', (tool) => tool.name, 'tool name');
  const prompts = isObject(caps['prompts']) ? await listAll(source, 'prompts/list', 'prompts', toPromptDefinition) : [];
  assertUnique(prompts, 'prompts', (prompt) => prompt.name, 'prompt name');
  const hasResources = isObject(caps['resources']);
  const resources = hasResources ? await listAll(source, 'resources/list', 'resources', toResourceDefinition) : [];
  assertUnique(resources, 'resources', (resource) => resource.uri, 'resource URI');
  const resourceTemplates = hasResources ? await listAll(source, 'resources/templates/list', 'resourceTemplates', toResourceTemplateDefinition) : [];
  assertUnique(resourceTemplates, 'resourceTemplates', (template) => template.uriTemplate, 'URI template');

  return { server, tools, prompts, resources, resourceTemplates };
}
