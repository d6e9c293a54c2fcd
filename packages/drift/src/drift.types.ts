/**
 * Types of the drift comparison: what `compareToLockfile` and `checkDrift` return.
 */
import type { HashString, JsonObject, JsonValue, Lockfile, LockfileFormat, LockfileItemKind, ScanReport } from '@mcptrust/lockfile';
import type { Indicator } from './detect-injection-indicators.js';
import type { ServerCommand } from './scan.types.js';

/** How bad a drift item is: `critical` > `moderate` > `info`. */
export type DriftSeverity = 'critical' | 'moderate' | 'info';

/** Whether the item appeared, disappeared or changed since it was pinned. */
export type DriftKind = 'added' | 'removed' | 'changed';

/** What kind of pinned thing drifted. */
export type DriftItemType =
  | 'tool'
  | 'prompt'
  | 'resourceTemplate'
  | 'resource'
  | 'serverInstructions'
  | 'capabilities'
  | 'serverInfo'
  /** The pinned package or image (`server.artifact`). */
  | 'artifact';

/**
 * Stable identifier of the rule that produced a drift item (used as the SARIF rule id
 * and documented in docs/DRIFT.md). New rules may be added; existing ids never change.
 */
export type DriftRule =
  | 'item-added'
  | 'confusable-name'
  | 'item-removed'
  | 'schema-widened'
  | 'schema-narrowed'
  | 'schema-undecidable'
  | 'schema-text-changed'
  | 'output-schema-changed'
  | 'description-changed'
  | 'description-injection'
  | 'annotations-safer'
  | 'annotations-changed'
  | 'title-changed'
  | 'prompt-arguments-changed'
  | 'resource-changed'
  | 'instructions-changed'
  | 'instructions-injection'
  | 'capabilities-changed'
  | 'server-info-changed'
  | 'hash-only-changed'
  | 'artifact-changed'
  | 'artifact-unpinned';

/** Whether a JSON Schema change lets more or fewer inputs through. */
export type SchemaDirection = 'widening' | 'narrowing' | 'undecidable' | 'neutral';

/** Which JSON Schema rule a schema change falls under. */
export type SchemaRule =
  | 'property-added'
  | 'property-removed'
  | 'required-removed'
  | 'required-added'
  | 'enum-values-added'
  | 'enum-values-removed'
  | 'enum-removed'
  | 'enum-added'
  | 'const-changed'
  | 'type-broadened'
  | 'type-narrowed'
  | 'type-changed'
  | 'additional-properties-opened'
  | 'additional-properties-closed'
  | 'bound-loosened'
  | 'bound-tightened'
  | 'pattern-removed'
  | 'pattern-added'
  | 'pattern-changed'
  | 'format-removed'
  | 'format-added'
  | 'format-changed'
  | 'unique-items-dropped'
  | 'unique-items-added'
  | 'alternative-added'
  | 'alternative-removed'
  | 'schema-replaced'
  | 'keyword-changed'
  | 'description-changed'
  | 'annotation-changed';

/** One semantic difference between two JSON Schemas. */
export interface SchemaChange {
  /** Which rule. */
  rule: SchemaRule;
  /** Widening (accepts more), narrowing (accepts less), undecidable (treated as widening) or neutral (text only). */
  direction: SchemaDirection;
  /**
   * Where in the data the change applies, as property names (`[]` for the whole
   * value, `items` of an array as `[]`): `['options', 'depth']`, `['paths', '[]']`.
   */
  at: string[];
  /** The JSON Schema keyword concerned (`properties`, `required`, `maximum`...). */
  keyword: string;
  /** What the schema said before (absent when the keyword was absent). */
  before?: JsonValue;
  /** What it says now (absent when the keyword was removed). */
  after?: JsonValue;
  /**
   * The change as the end of a sentence, without the subject: `gained optional
   * parameter \`recursive\` (boolean)`, `no longer requires \`limit\``.
   */
  phrase: string;
}

/** Structured facts behind a drift item's sentence, for formatters. */
export interface DriftDetails {
  /** The pinned part concerned (`description`, `inputSchema`, `annotations.readOnlyHint`, `capabilities.tools`...). */
  field?: string;
  /** The semantic schema change (input and output schemas). */
  schemaChange?: SchemaChange;
  /**
   * Compact word-level diff of a text: unchanged runs shortened to a few words around
   * each change, removals as `[-old-]`, additions as `{+new+}`, invisible characters
   * shown as `<U+XXXX>`.
   */
  wordDiff?: string;
  /** Injection indicators in the new text that the pinned text did not have. */
  newIndicators?: Indicator[];
  /** The pinned value (small values only: versions, hints, MIME types). */
  before?: JsonValue;
  /** The live value. */
  after?: JsonValue;
  /** For a look-alike name: the pinned name it imitates and both code point sequences. */
  confusable?: { name: string; codePoints: string; lookalikeOf: string; lookalikeCodePoints: string; scripts?: string[] };
  /** True when the lockfile pinned only a hash (converted from the Go format): nothing more can be said. */
  hashOnly?: boolean;
}

/** One difference between the lockfile and the live server. */
export interface DriftItem {
  /** Added, removed or changed. */
  kind: DriftKind;
  /** What kind of item. */
  itemType: DriftItemType;
  /** Tool or prompt name, URI template, URI, or the server name. */
  itemId: string;
  /** JSON path into the lockfile (`tools.read_file.inputSchemaHash`, `resources.static[0]`). */
  path: string;
  /** The same path as segments (property names and array indexes). */
  pathSegments: Array<string | number>;
  /** critical, moderate or info. */
  severity: DriftSeverity;
  /** The stable rule id. */
  rule: DriftRule;
  /** The pinned hash of the part concerned, when there is one. */
  oldHash?: HashString;
  /** The live hash of the part concerned, when there is one. */
  newHash?: HashString;
  /** One plain-English sentence ("tool `list_directory` gained optional parameter `recursive` (boolean)"). */
  message: string;
  /** Structured facts for formatters. */
  details: DriftDetails;
}

/** Options of `compareToLockfile`. */
export interface CompareOptions {
  /**
   * Whether the lockfile's own snapshots are trusted as they are. Default false: the
   * comparison never reads a snapshot whose hash does not match it (it falls back to
   * hash-only sentences for that item).
   */
  trustSnapshots?: boolean;
}

/** Options of `checkDrift`. Give `lockfile` or `lockfilePath`. */
export interface CheckDriftOptions {
  /** An already parsed lockfile. */
  lockfile?: Lockfile;
  /** Path of `mcp-lock.json` (read and validated before the server is started). */
  lockfilePath?: string;
  /** The server to start and scan (a stdio server); exactly one of `server` and `scan`. */
  server?: ServerCommand;
  /**
   * Scans the live server another way (a remote server: `scanRemoteServer`); exactly one
   * of `server` and `scan`. Called once the lockfile has been read and is given it, so
   * the caller can refuse a server the lockfile was not made for before connecting.
   */
  scan?: (lockfile: Lockfile, signal: AbortSignal | undefined) => Promise<ScanReport>;
  /** The lowest severity that fails the check. Default `critical`. */
  failOn?: DriftSeverity;
  /** Deadline of the scan in milliseconds (see `scanServer`). */
  timeoutMs?: number;
  /** Aborts the scan; the server is stopped first. */
  signal?: AbortSignal;
  /** Receives the server's stderr as it arrives. */
  onStderr?: (chunk: string) => void;
  /** The environment the server is started with (see `ScanOptions.env`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Resolves the artifact the server command runs now (`@mcptrust/artifact`'s pin of
   * the command; undefined when it is not pinnable). Called only when the lockfile
   * pins an artifact (`server.artifact`, given as `locked`); the two are compared
   * with `compareArtifactPins` and the items lead the report.
   */
  resolveArtifact?: (locked: JsonObject) => Promise<JsonObject | undefined>;
}

/** What `checkDrift` found. */
export interface CheckDriftResult {
  /** Every drift item, most severe first. */
  items: DriftItem[];
  /** The most severe item's severity, or undefined when nothing drifted. */
  highestSeverity: DriftSeverity | undefined;
  /** Whether an item is at or above `failOn`. */
  failed: boolean;
  /** The threshold used. */
  failOn: DriftSeverity;
  /** The live scan. */
  scan: ScanReport;
  /** The lockfile compared against. */
  lockfile: Lockfile;
  /** The format the lockfile was read in (`v3` when given as an object). */
  lockfileFormat: LockfileFormat;
  /** Sentences about the lockfile (conversion from the Go format...). */
  notices: string[];
  /** The items the lockfile denies, as the live server shows them (never drift, never a failure). */
  denied: DeniedItem[];
}

/** Where a denied item stands on the live server. */
export type DeniedItemStatus = 'unchanged' | 'changed' | 'absent';

/** One item the lockfile denies, compared with the live server. */
export interface DeniedItem {
  /** What kind of item. */
  itemType: LockfileItemKind;
  /** Tool or prompt name, URI template or URI. */
  itemId: string;
  /** JSON path of the item in the lockfile (`denied.tools.write_file`). */
  path: string;
  /** The same path as segments. */
  pathSegments: Array<string | number>;
  /** `unchanged`, `changed` (still denied) or `absent` (the server no longer offers it). */
  status: DeniedItemStatus;
  /** For `changed`: the pinned hash fields that differ; empty otherwise. */
  fields: string[];
  /** One sentence. */
  message: string;
}
