/**
 * @packageDocumentation
 * @mcptrust/lockfile: lockfile v3 (`mcp-lock.json`): schema, RFC 8785 canonical JSON,
 * hashing, per-item hash rules, read / write / convert from the Go format, builder from
 * a scan, and the hash-level comparison of two lockfiles.
 */
export { canonicalize, canonicalizeV1 } from './canonical-json.js';
export { normalizeText, hashText, hashJson, hashBytes, isHashString, hashesMatch } from './hashing.js';
export type { HashString } from './hashing.js';
export { toolHashes, promptHashes, resourceTemplateHashes, staticResourceHashes } from './item-hashes.js';
export { parseLockfile } from './parse.js';
export type { ParseLockfileOptions } from './parse.js';
export { verifySnapshots } from './verify.js';
export type { VerifySnapshotsOptions } from './verify.js';
export { serializeLockfile } from './serialize.js';
export { readLockfile, writeLockfile } from './lockfile-file.js';
export type { ReadLockfileOptions, WriteLockfileOptions } from './lockfile-file.js';
export { writeFileAtomic } from './write-file-atomic.js';
export type { WriteFileAtomicOptions } from './write-file-atomic.js';
export { buildLockfile } from './build.js';
export type { BuildLockfileOptions } from './build.js';
export {
  approveItems,
  approvedItems,
  deniedItems,
  denyItems,
  formatExcludeFlags,
  formatItemSelector,
  isDenied,
  matchesGlob,
  parseItemSelector,
  selectorMatches,
  SELECTOR_EXPECTED,
} from './denied.js';
export type { ItemSelector, LockfileItemKind, LockfileItemRef } from './denied.js';
export { artifactPinIdentity, compareLockfiles, describeLockfileChange } from './compare.js';
export type { LockfileChange, LockfileChangeKind, LockfileItemType } from './compare.js';
export { DEFAULT_GENERATOR, LOCKFILE_VERSION } from './version.js';
export { LockfileError } from './errors.js';
export type { LockfileErrorCode, LockfileErrorOptions } from './errors.js';
export type {
  DeniedSection,
  GoLockfileFormat,
  LockedPrompt,
  LockedPromptSnapshot,
  LockedPromptsSection,
  LockedResourceSnapshot,
  LockedResourceTemplate,
  LockedResourcesSection,
  LockedServer,
  LockedStaticResource,
  LockedTool,
  LockedToolSnapshot,
  Lockfile,
  LockfileFormat,
  LockfileMeta,
  ParsedLockfile,
  PromptHashes,
  ResourceTemplateHashes,
  StaticResourceHashes,
  ToolHashes,
} from './lockfile.types.js';
export type {
  Finding,
  FindingCode,
  ItemType,
  JsonObject,
  JsonValue,
  PromptArgument,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  RiskLevel,
  ScanReport,
  ScannedServer,
  ScannedTool,
  ToolDefinition,
} from './scan-report.types.js';
