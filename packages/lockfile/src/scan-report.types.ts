/**
 * The ScanReport: what a live MCP server exposed when it was scanned. Produced by
 * `@mcptrust/drift` (`scanServer`), consumed by `buildLockfile` and printed by
 * `mcptrust scan`. It lives in this leaf package so that every other package can
 * share it without depending on the live side.
 *
 * Definition types carry only the fields MCPTrust understands; the scanner copies
 * exactly these fields from what the server sent (attacker-controlled input).
 */

/** Risk classification of a tool. */
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH';

/** A JSON value as parsed from the wire. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A tool as listed by `tools/list`. */
export interface ToolDefinition {
  /** Unique tool name (compared byte-for-byte). */
  name: string;
  /** Human-readable title (2025-06-18+). */
  title?: string;
  /** Description shown to the model. */
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: JsonObject;
  /** JSON Schema of structured results (2025-06-18+). */
  outputSchema?: JsonObject;
  /** Behaviour hints (readOnlyHint, destructiveHint, idempotentHint, openWorldHint, title). */
  annotations?: JsonObject;
}

/** A prompt argument as listed by `prompts/list`. */
export interface PromptArgument {
  /** Argument name. */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** Description shown to the user or model. */
  description?: string;
  /** Whether the argument must be given. */
  required?: boolean;
}

/** A prompt as listed by `prompts/list`. */
export interface PromptDefinition {
  /** Unique prompt name. */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** Description of the prompt. */
  description?: string;
  /** Declared arguments. */
  arguments?: PromptArgument[];
}

/** A static resource as listed by `resources/list`. */
export interface ResourceDefinition {
  /** The resource URI (compared exactly). */
  uri: string;
  /** Programmatic name. */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** Description of the resource. */
  description?: string;
  /** MIME type. */
  mimeType?: string;
}

/** A resource template as listed by `resources/templates/list`. */
export interface ResourceTemplateDefinition {
  /** RFC 6570 URI template. */
  uriTemplate: string;
  /** Programmatic name. */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** Description of the template. */
  description?: string;
  /** MIME type of matching resources. */
  mimeType?: string;
}

/** What the server said about itself in its `initialize` result. */
export interface ScannedServer {
  /** `serverInfo.name`. */
  name: string;
  /** `serverInfo.version`. */
  version: string;
  /** `serverInfo.title`, when given. */
  title?: string;
  /** The protocol version the server answered with. */
  protocolVersion: string;
  /** The server's declared capabilities. */
  capabilities: JsonObject;
  /** `instructions`, when given (pinned text: it reaches the model). */
  instructions?: string;
  /** The endpoint of a remote server (origin and path), absent for a stdio server. */
  url?: string;
}

/** A tool with the result of the risk analysis. */
export interface ScannedTool extends ToolDefinition {
  /** LOW, MEDIUM or HIGH. */
  riskLevel: RiskLevel;
  /** Why the tool got its risk level, one short phrase each. */
  riskReasons: string[];
}

/** What kind of item a finding is about. */
export type ItemType = 'server' | 'tool' | 'prompt' | 'resource' | 'resourceTemplate';

/** Kinds of findings the analysis reports. */
export type FindingCode =
  | 'HIGH_RISK_TOOL'
  | 'CONFUSABLE_NAME'
  | 'MIXED_SCRIPT_NAME'
  | 'HIDDEN_UNICODE'
  | 'BIDI_CONTROL'
  | 'TAG_CHARACTERS'
  | 'INSTRUCTION_PHRASE'
  | 'IMPORTANT_TAG'
  | 'TOOL_REFERENCE'
  | 'URL'
  | 'SECRET_PATH';

/** One observation of the analysis, shown as a warning. */
export interface Finding {
  /** Stable code of the finding. */
  code: FindingCode;
  /** `info`, `warning` or `high`. */
  severity: 'info' | 'warning' | 'high';
  /** What kind of item it is about. */
  itemType: ItemType;
  /** The item's name (or URI / URI template). */
  itemId: string;
  /** Where in the item (`description`, `inputSchema.properties.path.description`, `name`...). */
  field: string;
  /** One plain-English sentence. */
  message: string;
  /** The offending text or code points, escaped so that it is printable. */
  evidence?: string;
}

/** The result of scanning one MCP server. */
export interface ScanReport {
  /** Version of this report format. */
  reportVersion: 1;
  /** When the scan finished (ISO 8601, UTC). */
  scannedAt: string;
  /** The server's `initialize` answer. */
  server: ScannedServer;
  /** Every tool, all pages, in the order listed. */
  tools: ScannedTool[];
  /** Every prompt (empty when the server has no prompts capability). */
  prompts: PromptDefinition[];
  /** Every static resource. */
  resources: ResourceDefinition[];
  /** Every resource template. */
  resourceTemplates: ResourceTemplateDefinition[];
  /** Warnings from the analysis (confusable names, poisoning indicators, high-risk tools). */
  findings: Finding[];
}
