import type { FindingCode } from '@mcptrust/lockfile';
import { asciiPrototype, foldLookalikes } from './lookalikes.js';
import { findInvisible, formatCodePoint, stripInvisible } from './unicode.js';

/**
 * The confusable skeleton of a name: two names with the same skeleton look alike.
 *
 * Follows the idea of UTS #39 (map every character to a prototype, then compare) with
 * a smaller, explicit table and a few deliberate differences: compatibility forms are
 * folded (NFKD), diacritics and invisible characters are dropped, and common ASCII
 * look-alikes share a prototype (`I`, `1`, `|` → `l`; `0` → `O`; `rn` → `m`). Case is
 * kept: `Read` and `read` are not confusable.
 *
 * @param name - a tool, prompt or resource name (untrusted)
 * @returns the skeleton; compare skeletons with `===`
 */
export function confusableSkeleton(name: string): string {
  return asciiPrototype(foldLookalikes(stripInvisible(name)));
}

/** A name problem found by {@link detectConfusableNames}. */
export interface ConfusableFinding {
  /** `MIXED_SCRIPT_NAME` or `CONFUSABLE_NAME` (also used for the informational non-ASCII note). */
  code: Extract<FindingCode, 'CONFUSABLE_NAME' | 'MIXED_SCRIPT_NAME'>;
  /**
   * `high`: mixed scripts, or a non-ASCII look-alike of another name;
   * `warning`: two ASCII names that look alike (`ls` / `Is`);
   * `info`: a name with non-ASCII characters and nothing else wrong.
   */
  severity: 'info' | 'warning' | 'high';
  /** The name the finding is about. */
  name: string;
  /** The other names it can be mistaken for (`CONFUSABLE_NAME` pairs only). */
  similarTo?: string[];
  /** The scripts mixed in the name (`MIXED_SCRIPT_NAME` only). */
  scripts?: string[];
  /** One plain-English sentence. */
  message: string;
  /** The code points of the name (and of the names it imitates), printable. */
  evidence: string;
}

/** Scripts a name is checked against; anything else with a script is reported as `Other`. */
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Cherokee',
  'Lisu',
  'Coptic',
  'Arabic',
  'Hebrew',
  'Syriac',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
  'Thai',
  'Devanagari',
  'Bengali',
  'Tamil',
  'Ethiopic',
  'Canadian_Aboriginal',
  'Runic',
  'Tifinagh',
  'Vai',
].map((script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const);

const SCRIPT_NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * Script combinations that are normal in one identifier (UTS #39 "highly restrictive"):
 * Japanese, Chinese with Bopomofo, Korean, each with Latin.
 */
const ALLOWED_COMBINATIONS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptOf(ch: string): string | undefined {
  if (SCRIPT_NEUTRAL.test(ch)) return undefined;
  for (const [script, pattern] of SCRIPTS) {
    if (pattern.test(ch)) return script;
  }
  return 'Other';
}

/** The scripts used by a name, in order of first use (Common and Inherited ignored). */
function scriptsOf(name: string): string[] {
  const scripts: string[] = [];
  for (const ch of name) {
    const script = scriptOf(ch);
    if (script !== undefined && !scripts.includes(script)) scripts.push(script);
  }
  return scripts;
}

function isMixedScript(scripts: readonly string[]): boolean {
  if (scripts.length < 2) return false;
  return !ALLOWED_COMBINATIONS.some((allowed) => scripts.every((script) => allowed.has(script)));
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const MAX_EVIDENCE_CODE_POINTS = 64;

/** `read_file` = `r e U+0430 d _ f i l e`: ASCII as itself, everything else as U+XXXX. */
export function describeCodePoints(name: string): string {
  const parts: string[] = [];
  let count = 0;
  for (const ch of name) {
    count += 1;
    if (count > MAX_EVIDENCE_CODE_POINTS) {
      parts.push('…');
      break;
    }
    const cp = ch.codePointAt(0) ?? 0;
    parts.push(cp > 0x20 && cp < 0x7f ? ch : formatCodePoint(cp));
  }
  return parts.join(' ');
}

/** Shows an untrusted name between backticks without letting invisible characters hide. */
function show(name: string): string {
  return PRINTABLE_ASCII.test(name) ? `\`${name}\`` : `\`${describeCodePoints(name)}\``;
}

/**
 * Finds names that can be mistaken for one another, or that mix scripts.
 *
 * * `MIXED_SCRIPT_NAME` (`high`): letters from two scripts that are not normally
 *   combined, e.g. Latin with one Cyrillic letter.
 * * `CONFUSABLE_NAME` (`high`): a name with non-ASCII characters whose
 *   {@link confusableSkeleton} equals another name's (`reаd_file` with a Cyrillic `а`
 *   next to `read_file`).
 * * `CONFUSABLE_NAME` (`warning`): two ASCII names with the same skeleton (`ls` and
 *   `Is`); reported on the later one in list order.
 * * `CONFUSABLE_NAME` (`info`): any other name with non-ASCII characters; MCP tool names
 *   are expected to be ASCII, so it deserves a look even when nothing imitates it.
 *
 * Exact duplicates are ignored (they are one name).
 *
 * @param names - names of one namespace (the tools of a server, or its prompts)
 * @returns one finding per problem, in the order of the names
 */
export function detectConfusableNames(names: readonly string[]): ConfusableFinding[] {
  const unique = [...new Set(names)];
  const bySkeleton = new Map<string, string[]>();
  for (const name of unique) {
    const skeleton = confusableSkeleton(name);
    const group = bySkeleton.get(skeleton);
    if (group === undefined) bySkeleton.set(skeleton, [name]);
    else group.push(name);
  }

  const findings: ConfusableFinding[] = [];
  unique.forEach((name, position) => {
    const ascii = PRINTABLE_ASCII.test(name);
    let flagged = false;

    const scripts = scriptsOf(name);
    if (isMixedScript(scripts)) {
      flagged = true;
      findings.push({
        code: 'MIXED_SCRIPT_NAME',
        severity: 'high',
        name,
        scripts,
        message: `name ${show(name)} mixes ${scripts.join(' and ')} letters, a common way to imitate another name`,
        evidence: describeCodePoints(name),
      });
    }

    const others = (bySkeleton.get(confusableSkeleton(name)) ?? []).filter((other) => other !== name);
    // An ASCII name is only reported against an earlier ASCII name, so that a pair of
    // ASCII look-alikes is reported once and a non-ASCII imitation is reported on itself.
    const similarTo = ascii
      ? others.filter((other) => PRINTABLE_ASCII.test(other) && unique.indexOf(other) < position)
      : others;
    if (similarTo.length > 0) {
      flagged = true;
      findings.push({
        code: 'CONFUSABLE_NAME',
        severity: ascii ? 'warning' : 'high',
        name,
        similarTo,
        message: `name ${show(name)} looks like ${similarTo.map(show).join(', ')}`,
        evidence: [name, ...similarTo].map(describeCodePoints).join(' vs '),
      });
    }

    if (!ascii && !flagged) {
      const hidden = findInvisible(name).length > 0;
      findings.push({
        code: 'CONFUSABLE_NAME',
        severity: 'info',
        name,
        message: hidden
          ? `name ${show(name)} contains invisible characters`
          : `name ${show(name)} contains non-ASCII characters; MCP names are normally ASCII`,
        evidence: describeCodePoints(name),
      });
    }
  });
  return findings;
}
