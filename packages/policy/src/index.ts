/**
 * @packageDocumentation
 * `@mcptrust/policy`: CEL governance rules over a scanned MCP server, its lockfile,
 * drift and signature (the input document), the `baseline` and `strict` presets,
 * per-rule explanations, and runtime rules turned into a proxy call guard.
 */
export { PolicyError } from './errors.js';
export type { PolicyErrorCode, PolicyErrorOptions } from './errors.js';
export type { PolicyDocument, PolicyMode, PolicyRule, PresetName, RuleSeverity, RuntimeRule } from './policy.types.js';
export { PRESET_NAMES } from './presets.js';
export { parsePolicy, loadPolicy, loadPreset, MAX_POLICY_BYTES, MAX_POLICY_RULES } from './load-policy.js';
export type { CompiledRule, CompiledRuntimeRule, LoadedPolicy, ParsePolicyOptions, RuleExplainer } from './load-policy.js';
export { buildPolicyInput } from './build-input.js';
export type { BuildPolicyInputOptions } from './build-input.js';
export { evaluatePolicy } from './evaluate-policy.js';
export type { EvaluatePolicyOptions, FailingItem, PolicyResult, RuleResult } from './evaluate-policy.js';
export { createRuntimeGuard } from './runtime-guard.js';
export type {
  PolicyArtifact,
  PolicyDeniedItem,
  PolicyDrift,
  PolicyDriftItem,
  PolicyFinding,
  PolicyInput,
  PolicyPrompt,
  PolicyPromptArgument,
  PolicyProvenance,
  PolicyResourceTemplate,
  PolicyResources,
  PolicyServer,
  PolicySignature,
  PolicyStaticResource,
  PolicyTool,
  RuntimeCall,
  RuntimeDecision,
} from './input.types.js';
