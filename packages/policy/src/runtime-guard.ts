import { toCelCall } from './cel-environment.js';
import type { RuntimeCall, RuntimeDecision } from './input.types.js';
import type { LoadedPolicy } from './load-policy.js';

const ALLOW: RuntimeDecision = Object.freeze({ allow: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns a policy's `runtime:` rules into a guard for the proxy (structurally the
 * `callGuard` hook of `@mcptrust/proxy-core`). Rules were compiled when the policy was
 * loaded; each call only evaluates them. The first rule that does not return `true`
 * (false, a non-boolean, or an evaluation error: fail closed) denies the call with
 * `<rule>: <failure_msg>`; the proxy prefixes `MCPTRUST_DENIED: `.
 *
 * In `call`, `tool`, `prompt` and `uri` are `""` when they do not apply to the method,
 * and `arguments` is `{}` when the call has none.
 */
export function createRuntimeGuard(policy: LoadedPolicy): (call: RuntimeCall) => RuntimeDecision {
  const rules = policy.runtime;
  if (rules.length === 0) return () => ALLOW;
  return (call) => {
    const context = {
      call: toCelCall({
        method: call.method,
        tool: call.tool ?? '',
        prompt: call.prompt ?? '',
        uri: call.uri ?? '',
        arguments: isPlainObject(call.arguments) ? call.arguments : {},
      }),
    };
    for (const compiled of rules) {
      let allowed = false;
      try {
        allowed = compiled.evaluate(context) === true;
      } catch {
        allowed = false;
      }
      if (!allowed) return { allow: false, reason: `${compiled.rule.name}: ${compiled.rule.failure_msg}` };
    }
    return ALLOW;
  };
}
