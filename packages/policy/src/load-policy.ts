import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { serialize } from '@marcbachmann/cel-js';
import type { ASTNode, Environment } from '@marcbachmann/cel-js';
import { createCallEnvironment, createInputEnvironment, INDEX_VARIABLE } from './cel-environment.js';
import { PolicyError } from './errors.js';
import type { PolicyDocument, PolicyMode, PolicyRule, PresetName, RuleSeverity, RuntimeRule } from './policy.types.js';
import { PRESET_NAMES, PRESET_SOURCES } from './presets.js';

/** Largest policy file accepted (a policy is a page of rules, not a data set). */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Most rules (and runtime rules) one policy may hold. */
export const MAX_POLICY_RULES = 500;
/** YAML aliases allowed while loading: bounds "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;

type Compiled = ((context: Record<string, unknown>) => unknown) & { ast: ASTNode };

/**
 * How to list the items that made a failing rule fail: for a part of the rule of the
 * form `LIST.all(x, P)` (or `!LIST.exists(x, P)`), `P` is evaluated for each item.
 */
export interface RuleExplainer {
  /** The list expression, e.g. `input.tools`. */
  list: string;
  /** `all`: an item fails when `P` is not true. `none`: an item fails when `P` is true. */
  quantifier: 'all' | 'none';
  /** @internal evaluates the list. */
  readonly evaluateList: Compiled;
  /** @internal evaluates `P` for the item at index `__mcptrust_index`. */
  readonly evaluateItem: Compiled;
}

/** A policy rule, compiled once. */
export interface CompiledRule {
  /** The rule as written. */
  readonly rule: PolicyRule;
  /** `severity`, or the mode's default (`error` in strict mode, the default mode; `warn` in warn mode). */
  readonly severity: RuleSeverity;
  /** @internal the compiled expression. */
  readonly evaluate: Compiled;
  /** Item-level explanations available for this rule. */
  readonly explainers: readonly RuleExplainer[];
}

/** A runtime rule, compiled once. */
export interface CompiledRuntimeRule {
  /** The rule as written. */
  readonly rule: RuntimeRule;
  /** @internal the compiled expression. */
  readonly evaluate: Compiled;
}

/** A validated, compiled policy. */
export interface LoadedPolicy {
  /** Where it came from: the file path, or `preset:<name>`. */
  readonly source: string;
  /** The policy as written. */
  readonly document: PolicyDocument;
  /** Compiled rules, in file order. */
  readonly rules: readonly CompiledRule[];
  /** Compiled runtime rules, in file order (the first failing one denies). */
  readonly runtime: readonly CompiledRuntimeRule[];
}

/** Options of {@link parsePolicy}. */
export interface ParsePolicyOptions {
  /** File name used in error messages. Default `policy`. */
  file?: string;
}

const TOP_KEYS = new Set(['name', 'mode', 'rules', 'runtime']);
const RULE_KEYS = new Set(['name', 'expr', 'failure_msg', 'severity', 'control_refs', 'evidence', 'evidence_commands']);
const RUNTIME_KEYS = new Set(['name', 'expr', 'failure_msg']);

/**
 * Reads a list of rules (`rules` or `runtime`): each a mapping with only `keys`, a
 * string `name`, `expr` and `failure_msg`, names unique within the list. Returns each
 * raw mapping with its path and the common part, for the caller to add its own keys.
 */
function ruleEntries(where: Located, data: Record<string, unknown>, field: 'rules' | 'runtime', what: string, keys: Set<string>): Array<[Record<string, unknown>, string, RuntimeRule]> {
  const list = data[field];
  if (!Array.isArray(list)) throw invalid(where, field, `expected a list of ${what}s`);
  if (list.length > MAX_POLICY_RULES) throw invalid(where, field, `at most ${MAX_POLICY_RULES} ${what}s are allowed`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const path = `${field}[${i}]`;
    if (!isRecord(raw)) throw invalid(where, path, 'expected a mapping with name, expr and failure_msg');
    checkKeys(where, raw, keys, path);
    const rule: RuntimeRule = {
      name: requireString(where, raw, 'name', path),
      expr: requireString(where, raw, 'expr', path),
      failure_msg: requireString(where, raw, 'failure_msg', path),
    };
    if (seen.has(rule.name)) throw invalid(where, `${path}.name`, `duplicate ${what} name "${rule.name}"`);
    seen.add(rule.name);
    return [raw, path, rule];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 1-based line and column of an offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface Located {
  file: string;
  /** Line in the policy file of a YAML path, when known. */
  lineOf(path: (string | number)[]): number | undefined;
}

function invalid(where: Located, path: string, message: string): PolicyError {
  return new PolicyError('POLICY_INVALID', `${where.file}: ${path}: ${message}`, { file: where.file });
}

function requireString(where: Located, obj: Record<string, unknown>, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(where, `${path}.${key}`, value === undefined ? 'is required' : `expected a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
  }
  return value;
}

function optionalStrings(where: Located, obj: Record<string, unknown>, key: string, path: string): string[] | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(where, `${path}.${key}`, 'expected a list of strings');
  }
  return value as string[];
}

function checkKeys(where: Located, obj: Record<string, unknown>, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) {
      throw invalid(where, path === '' ? key : `${path}.${key}`, `unknown key (allowed: ${[...allowed].join(', ')})`);
    }
  }
}

function validateDocument(where: Located, data: unknown): PolicyDocument {
  if (!isRecord(data)) throw invalid(where, '(top level)', 'expected a mapping with name, mode and rules');
  checkKeys(where, data, TOP_KEYS, '');
  const name = requireString(where, data, 'name', 'policy');
  // Absent mode is strict: any failing rule fails the build (as policy files written
  // for the Go mcptrust expect), even one marked `severity: warn`. Files meant to only
  // warn say `mode: warn`.
  const mode = data['mode'] ?? 'strict';
  if (mode !== 'warn' && mode !== 'strict') throw invalid(where, 'mode', `expected "warn" or "strict", got ${JSON.stringify(mode)}`);
  const rules: PolicyRule[] = ruleEntries(where, data, 'rules', 'rule', RULE_KEYS).map(([raw, path, common]) => {
    const rule: PolicyRule = { ...common };
    const severity = raw['severity'];
    if (severity !== undefined) {
      if (severity !== 'warn' && severity !== 'error') throw invalid(where, `${path}.severity`, `expected "warn" or "error", got ${JSON.stringify(severity)}`);
      rule.severity = severity;
    }
    for (const key of ['control_refs', 'evidence', 'evidence_commands'] as const) {
      const list = optionalStrings(where, raw, key, path);
      if (list !== undefined) rule[key] = list;
    }
    return rule;
  });
  const document: PolicyDocument = { name, mode: mode as PolicyMode, rules };
  if (data['runtime'] !== undefined) {
    document.runtime = ruleEntries(where, data, 'runtime', 'runtime rule', RUNTIME_KEYS).map(([, , rule]) => rule);
  }
  return document;
}

function compile(env: Environment, where: Located, section: 'rules' | 'runtime', index: number, rule: { name: string; expr: string }): Compiled {
  const line = where.lineOf([section, index, 'expr']);
  const at = `${where.file}${line === undefined ? '' : `:${line}`}: ${section === 'runtime' ? 'runtime rule' : 'rule'} "${rule.name}"`;
  let compiled: Compiled;
  try {
    compiled = env.parse(rule.expr) as Compiled;
  } catch (cause) {
    const err = cause as { range?: { start: number }; summary?: string; message?: string };
    const position = lineColumn(rule.expr, err.range?.start ?? 0);
    throw new PolicyError(
      'RULE_SYNTAX_ERROR',
      `${at}: CEL syntax error at ${position.line}:${position.column} of expr: ${err.summary ?? firstLine(err.message)}\n${err.message ?? ''}`,
      { cause, file: where.file, rule: rule.name, position },
    );
  }
  const checked = (compiled as unknown as { check(): { valid: boolean; type?: string; error?: { range?: { start: number }; summary?: string; message: string } } }).check();
  if (!checked.valid || (checked.type !== 'bool' && checked.type !== 'dyn')) {
    const error = checked.error;
    const position = lineColumn(rule.expr, error?.range?.start ?? 0);
    const summary = error === undefined ? `the expression is of type ${checked.type ?? 'unknown'}, expected bool` : (error.summary ?? firstLine(error.message));
    throw new PolicyError(
      'RULE_TYPE_ERROR',
      `${at}: CEL type error at ${position.line}:${position.column} of expr: ${summary}${error === undefined ? '' : `\n${error.message}`}`,
      { cause: error, file: where.file, rule: rule.name, position },
    );
  }
  return compiled;
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0] ?? '';
}

/** The parts of a rule whose failing items can be listed (see docs/POLICY.md "Explanations"). */
function explainersFor(env: Environment, ast: ASTNode): RuleExplainer[] {
  const out: RuleExplainer[] = [];
  const visit = (node: ASTNode, negated: boolean): void => {
    if (node.op === '&&' && !negated) {
      visit(node.args[0], false);
      visit(node.args[1], false);
      return;
    }
    if (node.op === '||' && negated) {
      visit(node.args[0], true);
      visit(node.args[1], true);
      return;
    }
    if (node.op === '!_') {
      visit(node.args, !negated);
      return;
    }
    if (node.op !== 'rcall') return;
    const [fn, receiver, args] = node.args;
    const quantifier = fn === 'all' && !negated ? 'all' : fn === 'exists' && negated ? 'none' : undefined;
    if (quantifier === undefined || args.length !== 2) return;
    const [variable, predicate] = args as [ASTNode, ASTNode];
    if (variable.op !== 'id' || typeof variable.args !== 'string') return;
    try {
      const list = serialize(receiver);
      const evaluateList = env.parse(list) as Compiled;
      const evaluateItem = env.parse(`cel.bind(${variable.args}, (${list})[${INDEX_VARIABLE}], ${serialize(predicate)})`) as Compiled;
      out.push({ list, quantifier, evaluateList, evaluateItem });
    } catch {
      // An explanation is a convenience: a part that cannot be re-expressed is only
      // reported as a whole.
    }
  };
  visit(ast, false);
  return out;
}

/**
 * Validates and compiles a policy from its YAML text. Unknown keys, missing fields,
 * CEL syntax and type errors throw a {@link PolicyError} naming the file, the rule and
 * the position inside the expression.
 */
export function parsePolicy(text: string, options: ParsePolicyOptions = {}): LoadedPolicy {
  const file = options.file ?? 'policy';
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new PolicyError('POLICY_INVALID', `${file}: larger than ${MAX_POLICY_BYTES} bytes`, { file });
  }
  const lineCounter = new LineCounter();
  let data: unknown;
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    // A tag YAML's core schema does not know (`!!js/function`, `!custom`) is a warning
    // to the parser, which then keeps the plain string: refuse it instead, so a policy
    // never means something other than what its text says to a loader that knows the tag.
    if (doc.warnings.length > 0) throw doc.warnings[0];
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw new PolicyError('POLICY_INVALID', `${file}: not valid YAML: ${(cause as Error).message ?? String(cause)}`, { cause, file });
  }
  const where: Located = {
    file,
    lineOf(path) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      return node?.range === undefined ? undefined : lineCounter.linePos(node.range[0]).line;
    },
  };
  const document = validateDocument(where, data);
  const inputEnv = createInputEnvironment();
  const rules: CompiledRule[] = document.rules.map((rule, i) => {
    const evaluate = compile(inputEnv, where, 'rules', i, rule);
    return {
      rule,
      severity: rule.severity ?? (document.mode === 'strict' ? 'error' : 'warn'),
      evaluate,
      explainers: explainersFor(inputEnv, evaluate.ast),
    };
  });
  const callEnv = createCallEnvironment();
  const runtime: CompiledRuntimeRule[] = (document.runtime ?? []).map((rule, i) => ({ rule, evaluate: compile(callEnv, where, 'runtime', i, rule) }));
  return { source: file, document, rules, runtime };
}

/** Reads, validates and compiles a policy file (see {@link parsePolicy}). */
export async function loadPolicy(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_POLICY_BYTES) throw new Error(`larger than ${MAX_POLICY_BYTES} bytes`);
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PolicyError('POLICY_READ_FAILED', `${path}: cannot read the policy file: ${(cause as Error).message}`, { cause, file: path });
  }
  return parsePolicy(text, { file: path });
}

/** Loads a preset shipped with the package (`baseline` or `strict`). */
export function loadPreset(name: string): LoadedPolicy {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new PolicyError('UNKNOWN_PRESET', `unknown preset "${name}" (available: ${PRESET_NAMES.join(', ')})`);
  }
  return parsePolicy(PRESET_SOURCES[name as PresetName], { file: `preset:${name}` });
}
