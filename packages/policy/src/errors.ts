/** Why loading or evaluating a policy failed. */
export type PolicyErrorCode = 'POLICY_READ_FAILED' | 'POLICY_INVALID' | 'RULE_SYNTAX_ERROR' | 'RULE_TYPE_ERROR' | 'RULE_EVALUATION_ERROR' | 'UNKNOWN_PRESET';

/** The one error class of `@mcptrust/policy`. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** Stable code of the failure. */
  readonly code: PolicyErrorCode;
  constructor(code: PolicyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
