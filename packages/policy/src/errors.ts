/** Why loading or evaluating a policy failed. */
export type PolicyErrorCode =
  | 'POLICY_READ_FAILED'
  | 'POLICY_INVALID'
  | 'RULE_SYNTAX_ERROR'
  | 'RULE_TYPE_ERROR'
  | 'RULE_EVALUATION_ERROR'
  | 'UNKNOWN_PRESET';

/** Where a policy error happened, when it is about one rule. */
export interface PolicyErrorOptions {
  /** The underlying error (YAML parser, CEL parser or type checker, file system). */
  cause?: unknown;
  /** The policy file (or `preset:<name>`). */
  file?: string;
  /** The rule's name. */
  rule?: string;
  /** 1-based line and column inside the rule's expression. */
  position?: { line: number; column: number };
}

/** The one error class of `@mcptrust/policy`. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** Stable code of the failure. */
  readonly code: PolicyErrorCode;
  /** The policy file the error is about, when known. */
  readonly file: string | undefined;
  /** The rule the error is about, when it is about one rule. */
  readonly rule: string | undefined;
  /** Position inside the rule's expression (1-based), for syntax and type errors. */
  readonly position: { line: number; column: number } | undefined;
  constructor(code: PolicyErrorCode, message: string, options: PolicyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.rule = options.rule;
    this.position = options.position;
  }
}
