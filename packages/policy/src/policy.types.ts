/**
 * `strict` (the default when a file has no `mode`): every failing rule fails the check,
 * whatever its severity (as in the Go mcptrust); rules default to `error`. `warn`: only
 * `error`-severity rules fail the check; rules default to `warn`.
 */
export type PolicyMode = 'warn' | 'strict';

/** How a failing rule counts. */
export type RuleSeverity = 'warn' | 'error';

/** One CEL rule of a policy file, evaluated against the input document. */
export interface PolicyRule {
  /** Unique name, shown in reports. */
  name: string;
  /** CEL expression over `input`; true means the rule passes. */
  expr: string;
  /** Message shown when the rule fails. */
  failure_msg: string;
  /** `warn` or `error`; when absent, `error` in strict mode and `warn` in warn mode. */
  severity?: RuleSeverity;
  /** Control identifiers this rule maps to (e.g. SOC 2, ISO 27001). */
  control_refs?: string[];
  /** Evidence a reviewer should collect. */
  evidence?: string[];
  /** Commands that produce that evidence. */
  evidence_commands?: string[];
}

/** One runtime rule: evaluated by the proxy on every call against `call`; false denies. */
export interface RuntimeRule {
  /** Unique name, shown in the denial (`MCPTRUST_DENIED: <name>: <failure_msg>`). */
  name: string;
  /** CEL expression over `call`; true allows the call. */
  expr: string;
  /** Message returned to the host when the rule denies a call. */
  failure_msg: string;
}

/** A policy file (YAML). */
export interface PolicyDocument {
  /** Policy name. */
  name: string;
  /** Evaluation mode (`strict` when the file does not say). */
  mode: PolicyMode;
  /** Rules evaluated against the scan/lockfile input document. */
  rules: PolicyRule[];
  /** Rules the proxy evaluates on each `tools/call`, `prompts/get` and `resources/read`. */
  runtime?: RuntimeRule[];
}

/** Names of the presets shipped with the package. */
export type PresetName = 'baseline' | 'strict';
