import { INDEX_VARIABLE, toCelInput } from './cel-environment.js';
import type { PolicyInput } from './input.types.js';
import type { CompiledRule, LoadedPolicy } from './load-policy.js';
import type { PolicyMode, RuleSeverity } from './policy.types.js';

/** One item that made a rule fail. */
export interface FailingItem {
  /** The list it belongs to, e.g. `input.tools`. */
  list: string;
  /** Index in that list. */
  index: number;
  /** The item's `name`, `uri`, `uriTemplate` or `id` (or the value itself for strings). */
  id: string;
  /** Set when the rule could not be evaluated for this item (which fails closed). */
  error?: string;
}

/** The outcome of one rule. */
export interface RuleResult {
  /** Rule name. */
  name: string;
  /** `pass`, `fail`, or `error` (could not be evaluated: counts as a failure). */
  status: 'pass' | 'fail' | 'error';
  /** Effective severity. */
  severity: RuleSeverity;
  /**
   * This rule's outcome fails the check: it did not pass and either its severity is
   * `error` or the policy is in strict mode (where every failure is fatal, as in the Go
   * mcptrust). Always false for a passing rule.
   */
  failsCheck: boolean;
  /** The rule's expression. */
  expr: string;
  /** The rule's failure message. */
  failureMessage: string;
  /** Why the rule could not be evaluated, for `error`. */
  error?: string;
  /** The items that made it fail, when the rule's form allows listing them. */
  items: FailingItem[];
  /** Control identifiers of the rule. */
  controlRefs: string[];
  /** Evidence to collect. */
  evidence: string[];
  /** Commands that produce the evidence. */
  evidenceCommands: string[];
}

/** The outcome of a policy. */
export interface PolicyResult {
  /** Policy name. */
  policy: string;
  /** Where the policy came from (file or `preset:<name>`). */
  source: string;
  /** Mode of the policy. */
  mode: PolicyMode;
  /**
   * No rule fails the check: in strict mode no rule failed or errored at all; in warn
   * mode no rule of severity `error` did.
   */
  passed: boolean;
  /** One result per rule, in policy order. */
  rules: RuleResult[];
  /**
   * Counts by outcome. `warnings` counts failing rules of severity `warn`;
   * `fatalWarnings` those of them that fail the check (strict mode), so a report can
   * say why a warning failed it.
   */
  summary: { passed: number; failed: number; errors: number; warnings: number; fatalWarnings: number };
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

function itemId(value: unknown, index: number): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    for (const key of ['name', 'uri', 'uriTemplate', 'id', 'code']) {
      if (typeof v[key] === 'string') return v[key];
    }
  }
  return `#${index}`;
}

function explain(compiled: CompiledRule, context: Record<string, unknown>): FailingItem[] {
  const items: FailingItem[] = [];
  for (const part of compiled.explainers) {
    let list: unknown;
    try {
      list = part.evaluateList(context);
    } catch {
      continue;
    }
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const id = itemId(list[index], index);
      try {
        const ok = part.evaluateItem({ ...context, [INDEX_VARIABLE]: BigInt(index) });
        const fails = part.quantifier === 'all' ? ok !== true : ok !== false;
        if (fails) items.push({ list: part.list, index, id });
      } catch (error) {
        items.push({ list: part.list, index, id, error: message(error) });
      }
    }
  }
  return items;
}

/** Options of {@link evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  /** Also list failing items (default true). */
  explain?: boolean;
}

/** Whether a rule that did not pass fails the check: always in strict mode, by severity in warn mode. */
function isFatal(mode: PolicyMode, severity: RuleSeverity): boolean {
  return mode === 'strict' || severity === 'error';
}

/**
 * Evaluates every rule of a policy against an input document. A rule that cannot be
 * evaluated (missing field, wrong type, non-boolean result) counts as failed: the
 * policy fails closed. In strict mode (the default) every failing rule fails the
 * check, whatever its severity; in warn mode only `error`-severity rules do.
 */
export function evaluatePolicy(policy: LoadedPolicy, input: PolicyInput, options: EvaluatePolicyOptions = {}): PolicyResult {
  const context: Record<string, unknown> = { input: toCelInput(input), [INDEX_VARIABLE]: 0n };
  const mode = policy.document.mode;
  const rules: RuleResult[] = policy.rules.map((compiled) => {
    const { rule } = compiled;
    let status: RuleResult['status'];
    let error: string | undefined;
    try {
      const value = compiled.evaluate(context);
      if (value === true) status = 'pass';
      else if (value === false) status = 'fail';
      else {
        status = 'error';
        error = `the expression returned ${typeof value === 'object' ? 'a non-boolean value' : typeof value}, expected a bool`;
      }
    } catch (cause) {
      status = 'error';
      error = message(cause);
    }
    return {
      name: rule.name,
      status,
      severity: compiled.severity,
      failsCheck: status !== 'pass' && isFatal(mode, compiled.severity),
      expr: rule.expr,
      failureMessage: rule.failure_msg,
      ...(error === undefined ? {} : { error }),
      items: status !== 'pass' && options.explain !== false ? explain(compiled, context) : [],
      controlRefs: rule.control_refs ?? [],
      evidence: rule.evidence ?? [],
      evidenceCommands: rule.evidence_commands ?? [],
    };
  });
  const failing = rules.filter((r) => r.status !== 'pass');
  return {
    policy: policy.document.name,
    source: policy.source,
    mode,
    passed: !failing.some((r) => r.failsCheck),
    rules,
    summary: {
      passed: rules.length - failing.length,
      failed: failing.filter((r) => r.status === 'fail').length,
      errors: failing.filter((r) => r.status === 'error').length,
      warnings: failing.filter((r) => r.severity === 'warn').length,
      fatalWarnings: failing.filter((r) => r.severity === 'warn' && r.failsCheck).length,
    },
  };
}
