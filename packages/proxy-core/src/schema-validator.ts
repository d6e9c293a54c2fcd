import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; depending on the loader its default export is the plugin or
// a namespace holding it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: unknown) => void;

/** The outcome of validating tool arguments. */
export interface ArgumentCheck {
  /** Whether the arguments satisfy the pinned inputSchema. */
  ok: boolean;
  /** A short explanation when not ok (JSON pointer + keyword, never the value). */
  reason?: string;
}

type Draft = '07' | '2019' | '2020';

function draftOf(schema: Record<string, unknown>): Draft | undefined {
  const id = schema['$schema'];
  if (id === undefined) return '07'; // MCP's default dialect before 2025-11-25 tooling
  if (typeof id !== 'string') return undefined;
  if (id.includes('draft-07') || id.includes('draft-06')) return '07';
  if (id.includes('2019-09')) return '2019';
  if (id.includes('2020-12')) return '2020';
  return undefined;
}

/**
 * Validates `tools/call` arguments against pinned inputSchemas. Each schema is
 * compiled once (lazily, on the first call of that tool) and cached; a schema that
 * does not compile or names an unsupported dialect rejects every call (fail closed).
 */
export class ArgumentValidator {
  private readonly instances = new Map<Draft, { compile(schema: object): ValidateFunction }>();
  private readonly cache = new Map<string, ValidateFunction | Error>();

  private ajvFor(draft: Draft): { compile(schema: object): ValidateFunction } {
    let ajv = this.instances.get(draft);
    if (ajv === undefined) {
      // strict: false because pinned schemas come from real servers and carry
      // annotations Ajv's strict mode rejects; unknown keywords are ignored, as the
      // JSON Schema specification says.
      const opts = { strict: false, allErrors: false, validateFormats: true, logger: false as const };
      const created = draft === '2020' ? new Ajv2020(opts) : draft === '2019' ? new Ajv2019(opts) : new Ajv(opts);
      addFormats(created);
      ajv = created;
      this.instances.set(draft, ajv);
    }
    return ajv;
  }

  /** Compiles (or fetches) the validator of one tool. */
  private validatorFor(tool: string, schema: unknown): ValidateFunction | Error {
    const cached = this.cache.get(tool);
    if (cached !== undefined) return cached;
    let result: ValidateFunction | Error;
    try {
      if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
        throw new Error('inputSchema is not an object');
      }
      const draft = draftOf(schema as Record<string, unknown>);
      if (draft === undefined) throw new Error('unsupported $schema dialect');
      result = this.ajvFor(draft).compile(schema);
    } catch (err) {
      result = err instanceof Error ? err : new Error(String(err));
    }
    this.cache.set(tool, result);
    return result;
  }

  /** Validates `args` (absent arguments validate as `{}`) for `tool` against `schema`. */
  check(tool: string, schema: unknown, args: unknown): ArgumentCheck {
    const validate = this.validatorFor(tool, schema);
    if (validate instanceof Error) return { ok: false, reason: `pinned inputSchema cannot be used: ${validate.message}` };
    const value = args === undefined ? {} : args;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, reason: 'arguments must be an object' };
    }
    let ok: boolean;
    try {
      ok = validate(value) === true;
    } catch {
      return { ok: false, reason: 'argument validation failed' };
    }
    if (ok) return { ok: true };
    const first = validate.errors?.[0];
    const where = first?.instancePath === '' || first === undefined ? '/' : first.instancePath;
    return { ok: false, reason: `arguments do not match the pinned inputSchema at ${where} (${first?.keyword ?? 'invalid'})` };
  }
}
