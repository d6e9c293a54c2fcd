import type {
  Finding,
  ItemType,
  JsonObject,
  JsonValue,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ScannedServer,
  ScannedTool,
  ScanReport,
  ToolDefinition,
} from '@mcptrust/lockfile';
import { analyzeToolRisk } from './analyze-tool-risk.js';
import { detectConfusableNames } from './confusable-names.js';
import { detectInjectionIndicators } from './detect-injection-indicators.js';
import type { IndicatorCode, InjectionContext } from './detect-injection-indicators.js';
import { escapeInvisible } from './unicode.js';

/** What a scan collected before analysis: the input of {@link analyzeScanReport}. */
export interface ScanReportInput {
  /** The server's `initialize` answer. */
  server: ScannedServer;
  /** Every tool (risk fields, if present, are recomputed). */
  tools: readonly ToolDefinition[];
  /** Every prompt. */
  prompts?: readonly PromptDefinition[];
  /** Every static resource. */
  resources?: readonly ResourceDefinition[];
  /** Every resource template. */
  resourceTemplates?: readonly ResourceTemplateDefinition[];
  /** When the scan finished (ISO 8601); default now. */
  scannedAt?: string;
}

/** Indicators that only make sense as an attempt to hide or inject; the rest can be innocent. */
const HIGH_SEVERITY: ReadonlySet<IndicatorCode> = new Set([
  'HIDDEN_UNICODE',
  'BIDI_CONTROL',
  'TAG_CHARACTERS',
  'IMPORTANT_TAG',
  'INSTRUCTION_PHRASE',
]);

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `inputSchema.properties.path`, or `["odd key"]` for keys that are not plain identifiers. */
function childPath(path: string, key: string): string {
  return PLAIN_KEY.test(key) ? `${path}.${key}` : `${path}[${escapeInvisible(JSON.stringify(key))}]`;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bounds on walking a schema: a hostile server may send a very deep or very wide one. */
const MAX_SCHEMA_DEPTH = 32;
const MAX_SCHEMA_TEXTS = 2000;

/**
 * The strings of a JSON Schema that reach a model: `description` and `title` at every
 * level, and string `default`, `const`, `enum` and `examples` values.
 */
function schemaTexts(schema: JsonObject, root: string): Array<[field: string, text: string]> {
  const texts: Array<[string, string]> = [];
  const visit = (node: JsonValue | undefined, path: string, depth: number): void => {
    if (!isObject(node) || depth > MAX_SCHEMA_DEPTH || texts.length >= MAX_SCHEMA_TEXTS) return;
    for (const key of ['title', 'description', 'default', 'const'] as const) {
      const value = node[key];
      if (typeof value === 'string') texts.push([`${path}.${key}`, value]);
    }
    for (const key of ['enum', 'examples'] as const) {
      const values = node[key];
      if (Array.isArray(values)) {
        values.forEach((value, i) => {
          if (typeof value === 'string') texts.push([`${path}.${key}[${i}]`, value]);
        });
      }
    }
    for (const key of ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const) {
      const map = node[key];
      if (isObject(map)) {
        for (const [name, child] of Object.entries(map)) visit(child, childPath(`${path}.${key}`, name), depth + 1);
      }
    }
    for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'] as const) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach((c, i) => visit(c, `${path}.${key}[${i}]`, depth + 1));
      else visit(child, `${path}.${key}`, depth + 1);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
      const branches = node[key];
      if (Array.isArray(branches)) branches.forEach((c, i) => visit(c, `${path}.${key}[${i}]`, depth + 1));
    }
  };
  visit(schema, root, 0);
  return texts;
}

/**
 * Analyses what a scan collected: the risk level of every tool and the findings
 * (high-risk tools, injection indicators in every text that reaches a model,
 * confusable and mixed-script names). Pure: no I/O, so it can be tested and reused
 * without a server.
 *
 * Texts checked for indicators: server instructions and title; tool names, titles,
 * descriptions, `annotations.title`, and the descriptions, titles and string values of
 * the input and output schemas (`inputSchema.properties.path.description`); prompt
 * names, titles, descriptions and argument names, titles and descriptions; resource
 * and template names, titles and descriptions. Hidden/bidi/tag characters, instruction
 * phrases and `<IMPORTANT>`-style tags are `high`; URLs, secret paths and references to
 * other tools are `warning`. Server instructions are not checked for tool references:
 * describing its own tools is what they are for.
 *
 * @param input - the scanned server and its lists
 * @returns the complete report
 */
export function analyzeScanReport(input: ScanReportInput): ScanReport {
  const findings: Finding[] = [];
  const toolNames = input.tools.map((tool) => tool.name);

  const check = (itemType: ItemType, itemId: string, field: string, text: string | undefined, context: InjectionContext = {}): void => {
    if (typeof text !== 'string' || text.length === 0) return;
    for (const indicator of detectInjectionIndicators(text, context)) {
      findings.push({
        code: indicator.code,
        severity: HIGH_SEVERITY.has(indicator.code) ? 'high' : 'warning',
        itemType,
        itemId,
        field,
        message: `${field} of ${itemType} \`${escapeInvisible(itemId)}\`: ${indicator.message}`,
        evidence: indicator.evidence,
      });
    }
  };

  const server = input.server;
  check('server', server.name, 'instructions', server.instructions);
  check('server', server.name, 'title', server.title);

  const tools: ScannedTool[] = input.tools.map((definition) => {
    const { riskLevel, riskReasons } = analyzeToolRisk(definition);
    const tool: ScannedTool = { ...copyTool(definition), riskLevel, riskReasons };
    const id = definition.name;
    if (riskLevel === 'HIGH') {
      findings.push({
        code: 'HIGH_RISK_TOOL',
        severity: 'warning',
        itemType: 'tool',
        itemId: id,
        field: 'riskLevel',
        message: `tool \`${escapeInvisible(id)}\` is high risk: ${riskReasons.join('; ')}`,
        evidence: riskReasons.join('; '),
      });
    }
    const context: InjectionContext = { toolNames, selfName: id };
    check('tool', id, 'name', id);
    check('tool', id, 'title', definition.title, context);
    check('tool', id, 'description', definition.description, context);
    const annotationTitle = definition.annotations?.['title'];
    check('tool', id, 'annotations.title', typeof annotationTitle === 'string' ? annotationTitle : undefined, context);
    for (const [field, text] of schemaTexts(definition.inputSchema, 'inputSchema')) check('tool', id, field, text, context);
    if (definition.outputSchema !== undefined) {
      for (const [field, text] of schemaTexts(definition.outputSchema, 'outputSchema')) check('tool', id, field, text, context);
    }
    return tool;
  });

  const prompts = [...(input.prompts ?? [])];
  for (const prompt of prompts) {
    const context: InjectionContext = { toolNames };
    check('prompt', prompt.name, 'name', prompt.name);
    check('prompt', prompt.name, 'title', prompt.title, context);
    check('prompt', prompt.name, 'description', prompt.description, context);
    for (const argument of prompt.arguments ?? []) {
      const path = childPath('arguments', argument.name);
      check('prompt', prompt.name, `${path}.name`, argument.name);
      check('prompt', prompt.name, `${path}.title`, argument.title, context);
      check('prompt', prompt.name, `${path}.description`, argument.description, context);
    }
  }

  const resources = [...(input.resources ?? [])];
  for (const resource of resources) {
    const context: InjectionContext = { toolNames };
    check('resource', resource.uri, 'name', resource.name, context);
    check('resource', resource.uri, 'title', resource.title, context);
    check('resource', resource.uri, 'description', resource.description, context);
  }

  const resourceTemplates = [...(input.resourceTemplates ?? [])];
  for (const template of resourceTemplates) {
    const context: InjectionContext = { toolNames };
    check('resourceTemplate', template.uriTemplate, 'name', template.name, context);
    check('resourceTemplate', template.uriTemplate, 'title', template.title, context);
    check('resourceTemplate', template.uriTemplate, 'description', template.description, context);
  }

  for (const [itemType, names] of [
    ['tool', toolNames],
    ['prompt', prompts.map((prompt) => prompt.name)],
  ] as const) {
    for (const finding of detectConfusableNames(names)) {
      findings.push({
        code: finding.code,
        severity: finding.severity,
        itemType,
        itemId: finding.name,
        field: 'name',
        message: `${itemType} ${finding.message}`,
        evidence: finding.evidence,
      });
    }
  }

  return {
    reportVersion: 1,
    scannedAt: input.scannedAt ?? new Date().toISOString(),
    server: { ...server },
    tools,
    prompts,
    resources,
    resourceTemplates,
    findings,
  };
}

/** The definition fields of a tool, without risk fields a caller may have left on it. */
function copyTool(tool: ToolDefinition): ToolDefinition {
  const copy: ToolDefinition = { name: tool.name, inputSchema: tool.inputSchema };
  if (tool.title !== undefined) copy.title = tool.title;
  if (tool.description !== undefined) copy.description = tool.description;
  if (tool.outputSchema !== undefined) copy.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) copy.annotations = tool.annotations;
  return copy;
}
