/**
 * Secret-shaped values and secret-bearing names, shared by argv and free-text redaction.
 * Matching errs on the side of redacting: a value is hidden when it merely looks like a
 * credential.
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** One redaction result: the new text and whether anything was hidden. */
export interface Redacted {
  /** The text with secrets replaced by `[REDACTED]`. */
  text: string;
  /** Whether anything changed. */
  redacted: boolean;
}

// Parts of a name that mark it as carrying a credential, matched anywhere in the name
// (`--github-token`, `--apiKey`, `--db-password`, `X-Auth-Token`, `--client-secret`).
const SENSITIVE_SUBSTRINGS = [
  'token',
  'key',
  'password',
  'passwd',
  'secret',
  'auth',
  'credential',
  'bearer',
  'cookie',
  'session',
] as const;

// Short parts matched only as a whole word part (`--pat`, `--gh-pat`, `--pass`), so that
// `--path` or `--compat` are not taken for credentials.
const SENSITIVE_WORDS = new Set(['pat', 'pass', 'pwd', 'pw', 'sig']);

/**
 * Whether a flag, header or variable name says its value is a credential.
 * @internal
 */
export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SENSITIVE_SUBSTRINGS.some((part) => lower.includes(part))) return true;
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((part) => SENSITIVE_WORDS.has(part));
}

// Well-known token prefixes (OpenAI/Anthropic, GitHub, Slack, AWS, Google, npm, PyPI,
// GitLab), not preceded by a letter or digit, followed by the token body.
const PREFIXED_TOKEN =
  /(?<![A-Za-z0-9])(?:(?:sk-|ghp_|github_pat_|gho_|ghu_|ghs_|ghr_|xoxb-|xoxp-|xoxa-|ya29\.|AIza|npm_|pypi-|glpat-)[A-Za-z0-9_\-.~+/=]{8,}|(?:AKIA|ASIA)[A-Z0-9]{12,})/g;

// A JSON Web Token: three base64url parts, the first a JSON object (`eyJ`).
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

// A URL with an authority: scheme, authority, path, query, fragment.
const URL_WITH_AUTHORITY = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#]*)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/g;

// `user:password@host` without a scheme (a database or proxy address).
const BARE_USERINFO = /(?<![^\s"'=,;(<])[^\s:/@?#"'=,;]+:[^\s/@?#"']+@(?=[^\s@/]+)/g;

// A long run of base64/base64url characters (an opaque key or token).
const OPAQUE_RUN = /[A-Za-z0-9+=_-]{32,}/g;

// Identifiers that are long but not random: kebab-case or snake_case words.
const IDENTIFIER = /^(?:[a-z]+[0-9]*(?:[-_][a-z]+[0-9]*)+|[A-Z]+[0-9]*(?:_[A-Z]+[0-9]*)+)$/;

// Content digests are not secrets (`sha256:<hex>`, `sha512-<base64>`).
const DIGEST_PREFIX = /sha(?:1|224|256|384|512)[:-]$/i;
const DIGEST_RUN = /^sha(?:1|224|256|384|512)-/i;

/** Authorization schemes whose following word is the credential. */
const AUTH_SCHEMES = new Set(['bearer', 'basic', 'token', 'digest', 'negotiate', 'ntlm', 'apikey']);

/**
 * Whether a word is an HTTP authorization scheme name (`Bearer`, `Basic`, …).
 * @internal
 */
export function isAuthScheme(word: string): boolean {
  return AUTH_SCHEMES.has(word.toLowerCase());
}

// `Bearer <credential>` inside free text.
const INLINE_AUTH = /\b(Bearer|Basic|Token|Digest|Negotiate|NTLM)(\s+)(?!\[REDACTED\])[^\s,;"']+/gi;

// `name=value` / `name: value` inside free text, when the name says credential.
const INLINE_ASSIGNMENT = /(?<![A-Za-z0-9_-])([A-Za-z][A-Za-z0-9_.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)/g;

/** A PEM block (private keys and the like) anywhere in the text. */
export const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

function redactUrls(text: string): string {
  return text.replace(URL_WITH_AUTHORITY, (_m, scheme: string, authority: string, path: string, query?: string) => {
    const at = authority.lastIndexOf('@');
    const host = at >= 0 ? `${REDACTED}@${authority.slice(at + 1)}` : authority;
    const q = query !== undefined && query.length > 1 ? `?${REDACTED}` : (query ?? '');
    return scheme + host + path + q; // the fragment is dropped
  });
}

function redactOpaqueRuns(text: string): string {
  return text.replace(OPAQUE_RUN, (run: string, offset: number) => {
    const before = text[offset - 1];
    const after = text[offset + run.length];
    const pathLike = (c: string | undefined): boolean => c === '/' || c === '.' || c === '\\';
    if (pathLike(before) || pathLike(after)) return run;
    if (IDENTIFIER.test(run) || DIGEST_RUN.test(run)) return run;
    if (DIGEST_PREFIX.test(text.slice(Math.max(0, offset - 7), offset))) return run;
    return REDACTED;
  });
}

/**
 * Hides secret-shaped values inside a single word or a line of text: URL userinfo,
 * query and fragment; `user:pass@host`; well-known token prefixes; JWTs; long opaque
 * base64-like runs (not path segments, identifiers or content digests); PEM blocks.
 * @internal
 */
export function redactValue(text: string): Redacted {
  if (PEM.test(text)) return { text: REDACTED, redacted: true };
  let out = redactUrls(text);
  out = out.replace(BARE_USERINFO, `${REDACTED}@`);
  out = out.replace(PREFIXED_TOKEN, REDACTED);
  out = out.replace(JWT, REDACTED);
  out = redactOpaqueRuns(out);
  return { text: out, redacted: out !== text };
}

/**
 * Hides secrets inside free text such as an error message: everything
 * {@link redactValue} hides, plus `Bearer <x>`-style credentials and the value of any
 * `name=value` or `name: value` whose name says credential (`token=…`, `password: …`).
 * Whitespace and the rest of the text are kept.
 * @internal
 */
export function redactFreeText(text: string): Redacted {
  if (PEM.test(text)) return { text: REDACTED, redacted: true };
  let out = text.replace(INLINE_AUTH, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  out = out.replace(INLINE_ASSIGNMENT, (m: string, name: string, sep: string) =>
    isSensitiveName(name) ? `${name}${sep}${REDACTED}` : m,
  );
  out = redactValue(out).text;
  return { text: out, redacted: out !== text };
}
