/**
 * Lockfile v3: the approved surface of one MCP server. Every pinned item carries the
 * hashes of its security-relevant parts (authoritative) and a snapshot of the
 * definition they were computed from (so that a diff can say what changed and the
 * proxy can validate arguments against the pinned schema).
 */
import type { HashString } from './hashing.js';
import type { JsonObject, PromptArgument, RiskLevel } from './scan-report.types.js';

/** Which Go lockfile format a converted lockfile was read from. */
export type GoLockfileFormat = 'go-v1' | 'go-v2' | 'go-v3';

/** Who wrote the lockfile and when. Ignored when lockfiles are compared. */
export interface LockfileMeta {
  /** `mcptrust <version>` of the tool that wrote the file. */
  generator: string;
  /** When the file was written (ISO 8601). Empty for converted Go v1/v2 lockfiles, which had no date. */
  updatedAt: string;
  /**
   * Set by `parseLockfile` on a lockfile converted from the Go format, never written:
   * such a lockfile pinned less than v3 does, and is compared on what it pinned only.
   */
  convertedFrom?: GoLockfileFormat;
}

/** What the server said about itself in its `initialize` result. */
export interface LockedServer {
  /** `serverInfo.name` (empty in converted Go v1/v2 lockfiles, which pinned a command instead). */
  name: string;
  /** `serverInfo.version` (empty in converted Go lockfiles). */
  version: string;
  /** The protocol version the server answered with (empty in converted Go lockfiles). */
  protocolVersion: string;
  /** `serverInfo.title`, when given. */
  title?: string;
  /** Text hash of `instructions`, when the server gave instructions. */
  instructionsHash?: HashString;
  /** The instructions text (the snapshot behind `instructionsHash`). */
  instructions?: string;
  /** The server's declared capabilities (empty in converted Go lockfiles). */
  capabilities: JsonObject;
  /**
   * The pinned package or image the server runs from, added by `mcptrust lock --pin`.
   * Its shape belongs to `@mcptrust/artifact`, which validates it; kept verbatim here.
   */
  artifact?: JsonObject;
  /**
   * The remote server's MCP endpoint (origin and path, no query, fragment or
   * credentials), for a server locked with `--url`; absent for a stdio server. The proxy
   * refuses to enforce this lockfile against another origin unless told to.
   */
  url?: string;
}

/** The pinned definition of a tool (only the hashed fields). */
export interface LockedToolSnapshot {
  /** Human-readable title. */
  title?: string;
  /** Description shown to the model. */
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: JsonObject;
  /** JSON Schema of structured results. */
  outputSchema?: JsonObject;
  /** Behaviour hints. */
  annotations?: JsonObject;
}

/** The hashes of a tool (see `toolHashes`). */
export interface ToolHashes {
  /** Text hash of the description (`""` when absent): always present. */
  descriptionHash: HashString;
  /** JSON hash of `inputSchema`: always present. */
  inputSchemaHash: HashString;
  /** JSON hash of `outputSchema`, only when the tool has one. */
  outputSchemaHash?: HashString;
  /** JSON hash of `annotations`, only when the tool has them. */
  annotationsHash?: HashString;
  /** Text hash of `title`, only when the tool has one. */
  titleHash?: HashString;
}

/** A pinned tool. */
export interface LockedTool extends ToolHashes {
  /** Risk level from the analysis when the tool was locked. */
  riskLevel: RiskLevel;
  /**
   * The definition the hashes were computed from. Absent only in lockfiles converted
   * from the Go format; such items can be compared by hash only.
   */
  snapshot?: LockedToolSnapshot;
}

/** The pinned definition of a prompt (only the hashed fields). */
export interface LockedPromptSnapshot {
  /** Human-readable title. */
  title?: string;
  /** Description of the prompt. */
  description?: string;
  /** Declared arguments, in the order the server listed them. */
  arguments?: PromptArgument[];
}

/** The hashes of a prompt (see `promptHashes`). */
export interface PromptHashes {
  /** Text hash of the description, only when it is non-empty. */
  descriptionHash?: HashString;
  /** JSON hash of the arguments sorted by name (`[]` when none): always present. */
  argumentsHash: HashString;
  /** Text hash of the title, only when it is non-empty. */
  titleHash?: HashString;
}

/** A pinned prompt. */
export interface LockedPrompt extends PromptHashes {
  /**
   * The definition the hashes were computed from. Absent only in lockfiles converted
   * from the Go format; such items can be compared by hash only.
   */
  snapshot?: LockedPromptSnapshot;
}

/** The pinned definition of a static resource or resource template (only the hashed fields). */
export interface LockedResourceSnapshot {
  /** Programmatic name. */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** Description. */
  description?: string;
  /** MIME type. */
  mimeType?: string;
}

/** The hashes of a resource template (see `resourceTemplateHashes`). */
export interface ResourceTemplateHashes {
  /** JSON hash of `{ uriTemplate, mimeType? }` (mimeType only when non-empty). */
  templateHash: HashString;
  /** Text hash of the name. */
  nameHash: HashString;
  /** Text hash of the description, only when it is non-empty. */
  descriptionHash?: HashString;
  /** Text hash of the title, only when it is non-empty. */
  titleHash?: HashString;
}

/** A pinned resource template. Templates are kept sorted by `uriTemplate`. */
export interface LockedResourceTemplate extends ResourceTemplateHashes {
  /** The RFC 6570 URI template (its identity). */
  uriTemplate: string;
  /** MIME type, only when non-empty (also covered by `templateHash`). */
  mimeType?: string;
  /**
   * The definition the hashes were computed from. Absent only in lockfiles converted
   * from the Go format; such items can be compared by hash only.
   */
  snapshot?: LockedResourceSnapshot;
}

/** The hashes of a static resource (see `staticResourceHashes`). */
export interface StaticResourceHashes {
  /** Text hash of the name. */
  nameHash: HashString;
  /** Text hash of the description, only when it is non-empty. */
  descriptionHash?: HashString;
  /** Text hash of the title, only when it is non-empty. */
  titleHash?: HashString;
}

/** A pinned static resource. Static resources are kept sorted by `uri`. */
export interface LockedStaticResource extends StaticResourceHashes {
  /** The resource URI (its identity, compared exactly). */
  uri: string;
  /** MIME type, only when non-empty. */
  mimeType?: string;
  /**
   * The definition the hashes were computed from. Absent only in lockfiles converted
   * from the Go format; such items can be compared by hash only.
   */
  snapshot?: LockedResourceSnapshot;
}

/** The `prompts` section. */
export interface LockedPromptsSection {
  /** Pinned prompts by name (a null-prototype object: names are attacker-controlled). */
  definitions: Record<string, LockedPrompt>;
}

/** The `resources` section. */
export interface LockedResourcesSection {
  /** Pinned resource templates, sorted by `uriTemplate`. */
  templates: LockedResourceTemplate[];
  /** Pinned static resources, sorted by `uri`. */
  static: LockedStaticResource[];
}

/**
 * The `denied` section: items the server offers that were deliberately left out of the
 * approved surface (`mcptrust lock --exclude`). Same shapes, hashes and snapshots as the
 * approved sections, so one set of hashing and verification code reads both. A denied
 * item is not drift; the proxy hides it and refuses calls to it.
 */
export interface DeniedSection {
  /** Denied tools by name (a null-prototype object: names are attacker-controlled). */
  tools: Record<string, LockedTool>;
  /** Denied prompts. */
  prompts: LockedPromptsSection;
  /** Denied resource templates and static resources. */
  resources: LockedResourcesSection;
}

/** A lockfile v3 (`mcp-lock.json`). */
export interface Lockfile {
  /** Always `"3.0"`. */
  lockFileVersion: '3.0';
  /** Who wrote the file and when. */
  meta: LockfileMeta;
  /** The server's identity and declared capabilities. */
  server: LockedServer;
  /** Pinned tools by name (a null-prototype object: names are attacker-controlled). */
  tools: Record<string, LockedTool>;
  /** Pinned prompts. */
  prompts: LockedPromptsSection;
  /** Pinned resource templates and static resources. */
  resources: LockedResourcesSection;
  /**
   * Items offered by the server and denied on purpose. Absent when nothing is denied,
   * so lockfiles without denials keep their bytes (and stay readable by the Go mcptrust).
   */
  denied?: DeniedSection;
}

/** The format a lockfile was read from. */
export type LockfileFormat = 'v3' | GoLockfileFormat;

/** What `parseLockfile` and `readLockfile` return. */
export interface ParsedLockfile {
  /** The lockfile (converted to v3 when it was written by the Go mcptrust). */
  lockfile: Lockfile;
  /** The format the file was in; anything but `v3` is rewritten by the next `mcptrust lock`. */
  format: LockfileFormat;
  /** One sentence each about what the conversion did or could not do; empty for v3. */
  notices: string[];
  /**
   * SHA-256 (lowercase hex) of the exact bytes parsed, when `readLockfile` read them
   * from a file: what a receipt or audit log binds to is then the file that was enforced.
   */
  sha256?: string;
}
