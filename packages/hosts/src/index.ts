/**
 * `@mcptrust/hosts`: where MCP hosts keep their servers, and the surgical, verified,
 * backed-up edits that put those servers behind `mcptrust proxy` (`wrap`) and take
 * them out again (`unwrap`).
 */
export { HOST_IDS } from './types.js';
export type {
  Argv,
  ConfigFormat,
  ConfigLocation,
  ConfigScope,
  EntryShape,
  EntryTransport,
  HostEnvironment,
  HostId,
  Launcher,
  ResolvedServer,
  ServerEntry,
  WrappedArgv,
} from './types.js';
export { HostsError } from './errors.js';
export type { HostsErrorCode, HostsErrorOptions } from './errors.js';
export { HOSTS, hostDefinition, lockFileName } from './registry.js';
export type { HostDefinition } from './hosts/definition.js';
export { parseWrappedArgv, wrapArgv } from './wrap-form.js';
export { expandVariables } from './variables.js';
export type { VariableContext, VariableSyntax } from './variables.js';
export { hostIsRunning, runningProcesses } from './running.js';
export { applyEdits, parseConfig } from './formats/index.js';
export type { ValueEdit } from './formats/index.js';
export { argvEdits } from './edit.js';
export { readConfigFile } from './config-file.js';
export type { ConfigFile } from './config-file.js';
export { replaceConfigFile } from './safe-write.js';
export type { ReplaceOptions, ReplaceResult } from './safe-write.js';
export { originalBytes, readWrapState } from './state.js';
export type { WrapRecord } from './state.js';
export { unifiedDiff } from './diff.js';
export { applyPlan, planUnwrap, planWrap } from './plan.js';
export type { EditPlan, EntryChange } from './plan.js';
