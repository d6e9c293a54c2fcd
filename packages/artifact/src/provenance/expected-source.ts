/**
 * `--expected-source`: the repository provenance must name. An exact URL (compared
 * after removing `git+`, a trailing `.git` and `/`), or an anchored regular expression
 * (`^…$`): an unanchored pattern would accept `https://github.com/evil/x?github.com/o/r`.
 * The pattern is matched against the whole normalised URL even when an alternation
 * inside it leaves a branch unanchored.
 */
import { ArtifactError } from '../errors.js';

/** A parsed expected source (`pattern`: the expression as the operator wrote it). */
export type ExpectedSource = { kind: 'exact'; url: string } | { kind: 'regex'; re: RegExp; pattern: string };

/** `git+https://github.com/o/r.git/` → `https://github.com/o/r`. */
export function normalizeRepositoryUrl(url: string): string {
  let out = url.trim();
  if (out.startsWith('git+')) out = out.slice(4);
  while (out.endsWith('/')) out = out.slice(0, -1);
  if (out.endsWith('.git')) out = out.slice(0, -4);
  return out;
}

/**
 * Parses `--expected-source`.
 *
 * @throws ArtifactError `INVALID_COMMAND` for an unanchored or invalid regular expression
 */
export function parseExpectedSource(text: string): ExpectedSource {
  if (/^(git\+)?https:\/\//.test(text)) return { kind: 'exact', url: normalizeRepositoryUrl(text) };
  if (!text.startsWith('^') || !text.endsWith('$')) {
    throw new ArtifactError('INVALID_COMMAND', `expected an https:// repository URL or an anchored regular expression ^…$, got "${text}" (an unanchored pattern also matches other repositories)`);
  }
  try {
    new RegExp(text, 'u');
    // Wrapped again so a top-level alternation (`^a$|b`, `^a|b$`) cannot unanchor a branch.
    return { kind: 'regex', re: new RegExp(`^(?:${text})$`, 'u'), pattern: text };
  } catch (error) {
    throw new ArtifactError('INVALID_COMMAND', `"${text}" is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Whether a repository URL satisfies the expected source. */
export function sourceMatches(expected: ExpectedSource, repository: string): boolean {
  const normalized = normalizeRepositoryUrl(repository);
  return expected.kind === 'exact' ? normalized === expected.url : expected.re.test(normalized);
}
