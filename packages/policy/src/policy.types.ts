/** `warn` reports failing rules; `strict` fails on them. */
export type PolicyMode = 'warn' | 'strict';

/** How a failing rule counts. */
export type RuleSeverity = 'warn' | 'error';

/** One CEL rule of a policy file. */
export interface PolicyRule {
  /** Unique name, shown in reports. */
  name: string;
  /** CEL expression over `input`; true means the rule passes. */
  expr: string;
  /** Message shown when the rule fails. */
  failure_msg: string;
  /** `warn` or `error` (default `error`). */
  severity?: RuleSeverity;
  /** Control identifiers this rule maps to (e.g. SOC 2, ISO 27001). */
  control_refs?: string[];
  /** Evidence a reviewer should collect. */
  evidence?: string[];
  /** Commands that produce that evidence. */
  evidence_commands?: string[];
}

/** A policy file (YAML). */
export interface PolicyDocument {
  /** Policy name. */
  name: string;
  /** Evaluation mode. */
  mode: PolicyMode;
  /** Rules evaluated against the scan/lockfile input document. */
  rules: PolicyRule[];
}

/** Names of the presets shipped with the package. */
export type PresetName = 'baseline' | 'strict';
