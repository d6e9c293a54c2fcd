/**
 * @packageDocumentation
 * `@mcptrust/policy`: CEL governance rules over a scanned server and its lockfile.
 * This release defines the policy file types and error; loading and evaluation arrive
 * with the policy feature.
 */
export { PolicyError } from './errors.js';
export type { PolicyErrorCode } from './errors.js';
export type { PolicyDocument, PolicyMode, PolicyRule, PresetName, RuleSeverity } from './policy.types.js';

/** Presets shipped inside the package. */
export const PRESET_NAMES = ['baseline', 'strict'] as const;
