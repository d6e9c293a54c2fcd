import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { guardedRegExp, PatternBudgetExceeded } from './regexp-guard.js';

/** The validator classes, loaded on the first `tools/call` that needs one. */
interface AjvModules {
  Ajv: typeof import('ajv').Ajv;
  Ajv2019: typeof import('ajv/dist/2019.js').Ajv2019;
  Ajv2020: typeof import('ajv/dist/2020.js').Ajv2020;
  addFormats: (ajv: unknown) => void;
}

let loaded: AjvModules | undefined;

/**
 * Loads ajv synchronously on first use. ajv and its formats are most of the engine's
 * code and start-up memory, and a session that never calls a tool does not need
 * them. They are CommonJS, so a synchronous `require` keeps argument validation a
 * synchronous step of the request check (no window in which a call could overtake its
 * own validation). Inside the bundled CLI the bundler supplies `require` (and turns
 * these calls into lazily evaluated bundled modules); as a plain ES module the
 * package makes one for this file.
 */
function ajvModules(): AjvModules {
  if (loaded !== undefined) return loaded;
  type Mods = [typeof import('ajv'), typeof import('ajv/dist/2019.js'), typeof import('ajv/dist/2020.js'), unknown];
  let mods: Mods;
  if (typeof require === 'function') {
    mods = [require('ajv'), require('ajv/dist/2019.js'), require('ajv/dist/2020.js'), require('ajv-formats')] as Mods;
  } else {
    const load = createRequire(import.meta.url);
    mods = [load('ajv'), load('ajv/dist/2019.js'), load('ajv/dist/2020.js'), load('ajv-formats')] as Mods;
  }
  // ajv-formats is CommonJS; its plugin is the module itself or its `default`.
  const formats = mods[3] as { default?: unknown };
  loaded = {
    Ajv: mods[0].Ajv,
    Ajv2019: mods[1].Ajv2019,
    Ajv2020: mods[2].Ajv2020,
    addFormats: (formats.default ?? formats) as (ajv: unknown) => void,
  };
  return loaded;
}

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
      // code.regExp: server-supplied patterns cannot hang the proxy (regexp-guard.ts).
      const opts = { strict: false, allErrors: false, validateFormats: true, logger: false as const, code: { regExp: guardedRegExp } };
      const { Ajv, Ajv2019, Ajv2020, addFormats } = ajvModules();
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
    } catch (error) {
      if (error instanceof PatternBudgetExceeded) {
        return { ok: false, reason: `arguments could not be checked against the pinned inputSchema: a pattern ran over its time budget (${error.message})` };
      }
      return { ok: false, reason: 'argument validation failed' };
    }
    if (ok) return { ok: true };
    const first = validate.errors?.[0];
    const where = first?.instancePath === '' || first === undefined ? '/' : first.instancePath;
    return { ok: false, reason: `arguments do not match the pinned inputSchema at ${where} (${first?.keyword ?? 'invalid'})` };
  }
}
