/**
 * The CEL environments rules are compiled in. `input` and `call` are declared with
 * typed fields (not as `dyn` maps) so that a misspelt field (`input.toolz`) or a
 * wrong operation is a type error when the policy is loaded, not a surprise in CI.
 */
import { posix } from 'node:path';
import { Environment } from '@marcbachmann/cel-js';

/** CEL field types of each declared object type. Maps stay `map<string, dyn>` (JSON). */
const INPUT_TYPES: Record<string, Record<string, string>> = {
  Provenance: {
    present: 'bool',
    verified: 'bool',
    method: 'string',
    sourceRepository: 'string',
    sourceRef: 'string',
    builderId: 'string',
    issuer: 'string',
    identity: 'string',
  },
  Artifact: {
    pinned: 'bool',
    type: 'string',
    name: 'string',
    version: 'string',
    integrity: 'string',
    tarballSha256: 'string',
    digest: 'string',
    registry: 'string',
    treePinned: 'bool',
    provenance: 'Provenance',
  },
  Server: {
    name: 'string',
    version: 'string',
    title: 'string',
    protocolVersion: 'string',
    instructions: 'string',
    capabilities: 'map<string, dyn>',
    artifact: 'Artifact',
  },
  Finding: { code: 'string', severity: 'string', itemType: 'string', itemId: 'string', field: 'string', message: 'string', evidence: 'string' },
  Tool: {
    name: 'string',
    title: 'string',
    description: 'string',
    riskLevel: 'string',
    riskReasons: 'list<string>',
    annotations: 'map<string, dyn>',
    inputSchema: 'map<string, dyn>',
    outputSchema: 'map<string, dyn>',
    findings: 'list<Finding>',
  },
  PromptArgument: { name: 'string', title: 'string', description: 'string', required: 'bool' },
  Prompt: { name: 'string', title: 'string', description: 'string', arguments: 'list<PromptArgument>', findings: 'list<Finding>' },
  ResourceTemplate: { uriTemplate: 'string', name: 'string', title: 'string', description: 'string', mimeType: 'string', scheme: 'string' },
  StaticResource: { uri: 'string', name: 'string', title: 'string', description: 'string', mimeType: 'string', scheme: 'string' },
  Resources: { templates: 'list<ResourceTemplate>', static: 'list<StaticResource>', schemes: 'list<string>' },
  DriftItem: { kind: 'string', itemType: 'string', id: 'string', severity: 'string', fields: 'list<string>', rule: 'string', path: 'string', message: 'string' },
  Drift: { checked: 'bool', hasDrift: 'bool', items: 'list<DriftItem>' },
  Signature: { present: 'bool', verified: 'bool', method: 'string' },
  DeniedItem: { itemType: 'string', id: 'string', offered: 'bool' },
  Input: {
    server: 'Server',
    tools: 'list<Tool>',
    prompts: 'list<Prompt>',
    resources: 'Resources',
    findings: 'list<Finding>',
    drift: 'Drift',
    signature: 'Signature',
    denied: 'list<DeniedItem>',
  },
};

const CALL_TYPES: Record<string, Record<string, string>> = {
  Call: { method: 'string', tool: 'string', prompt: 'string', uri: 'string', arguments: 'map<string, dyn>' },
};

/** Name of the index variable the explanation expressions use (not a valid rule identifier to clash with). */
export const INDEX_VARIABLE = '__mcptrust_index';

type Ctor = new () => object;

/** One class per declared type: cel-js recognises typed values by their constructor. */
function classesFor(types: Record<string, Record<string, string>>): Map<string, Ctor> {
  const classes = new Map<string, Ctor>();
  for (const name of Object.keys(types)) {
    // A named class per type keeps error messages ("not of type 'Tool'") readable.
    const holder = { [name]: class {} };
    classes.set(name, holder[name] as Ctor);
  }
  return classes;
}

const INPUT_CLASSES = classesFor(INPUT_TYPES);
const CALL_CLASSES = classesFor(CALL_TYPES);

function register(env: Environment, types: Record<string, Record<string, string>>, classes: Map<string, Ctor>): void {
  for (const [name, fields] of Object.entries(types)) {
    env.registerType(name, { ctor: classes.get(name)!, fields });
  }
}

/**
 * `normalizePath(p)`: POSIX normalisation (`/tmp/../etc` → `/etc`), so that a rule
 * testing a path prefix cannot be walked around with `..` segments.
 */
function normalizePath(path: string): string {
  return posix.normalize(path);
}

/** `uriScheme(uri)`: the lower-case scheme of a URI, `""` when it has none. */
export function uriScheme(uri: string): string {
  const colon = uri.indexOf(':');
  if (colon <= 0) return '';
  const scheme = uri.slice(0, colon);
  for (let i = 0; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i);
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    const other = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
    if (!alpha && !(i > 0 && other)) return '';
  }
  return scheme.toLowerCase();
}

function baseEnvironment(): Environment {
  return new Environment({
    enableOptionalTypes: true,
    // Policy files are reviewed code, but keep pathological expressions bounded.
    limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
  })
    .registerFunction('normalizePath(string): string', normalizePath)
    .registerFunction('uriScheme(string): string', uriScheme);
}

/** The environment of policy rules: `input` plus the explanation index. */
export function createInputEnvironment(): Environment {
  const env = baseEnvironment();
  register(env, INPUT_TYPES, INPUT_CLASSES);
  return env.registerVariable('input', 'Input').registerVariable(INDEX_VARIABLE, 'int');
}

/** The environment of runtime rules: `call`. */
export function createCallEnvironment(): Environment {
  const env = baseEnvironment();
  register(env, CALL_TYPES, CALL_CLASSES);
  return env.registerVariable('call', 'Call');
}

const LIST = /^list<(\w+)>$/;

/** Turns a plain value of a declared type into the instances cel-js expects. */
function convert(types: Record<string, Record<string, string>>, classes: Map<string, Ctor>, typeName: string, value: unknown): unknown {
  const fields = types[typeName];
  const ctor = classes.get(typeName);
  if (fields === undefined || ctor === undefined || typeof value !== 'object' || value === null) return value;
  const out = new ctor() as Record<string, unknown>;
  const source = value as Record<string, unknown>;
  for (const [field, fieldType] of Object.entries(fields)) {
    if (!Object.hasOwn(source, field)) continue;
    const v = source[field];
    if (v === undefined) continue;
    const element = LIST.exec(fieldType)?.[1];
    if (element !== undefined && types[element] !== undefined && Array.isArray(v)) {
      out[field] = v.map((item) => convert(types, classes, element, item));
    } else if (types[fieldType] !== undefined) {
      out[field] = convert(types, classes, fieldType, v);
    } else {
      out[field] = v;
    }
  }
  return out;
}

/** The CEL value of an input document. */
export function toCelInput(input: object): unknown {
  return convert(INPUT_TYPES, INPUT_CLASSES, 'Input', input);
}

/** The CEL value of a runtime call. */
export function toCelCall(call: { method: string; tool: string; prompt: string; uri: string; arguments: object }): unknown {
  const Call = CALL_CLASSES.get('Call')!;
  return Object.assign(new Call(), call);
}
