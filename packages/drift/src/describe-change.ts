/**
 * Small helpers that turn pinned and live texts into what a reviewer reads: a compact
 * word-level diff, the injection indicators a new text added, names shown safely.
 */
import { diffWords } from 'diff';
import { detectInjectionIndicators } from './detect-injection-indicators.js';
import type { Indicator, InjectionContext } from './detect-injection-indicators.js';
import { escapeInvisible, toEvidence } from './unicode.js';

/** Words of unchanged text kept on each side of a change in a compact diff. */
const CONTEXT_WORDS = 4;
/** Longest text (in UTF-16 units) given to the word diff; hostile texts can be huge. */
const MAX_DIFF_INPUT = 20_000;
/** Longest compact diff returned. */
const MAX_DIFF_OUTPUT = 2_000;

/** A name between backticks, invisible characters spelled out and long names shortened. */
export function quoteName(name: string): string {
  return `\`${toEvidence(name, 80).replace(/`/g, "'")}\``;
}

function shortenEqual(text: string, first: boolean, last: boolean): string {
  const words = text.split(/(\s+)/);
  const count = words.filter((w) => w.trim() !== '').length;
  if (count <= CONTEXT_WORDS * 2) return text;
  // Keep a few words next to each neighbouring change, drop the middle.
  const keep = (from: 'start' | 'end'): string => {
    const out: string[] = [];
    let kept = 0;
    const list = from === 'start' ? words : [...words].reverse();
    for (const w of list) {
      if (w.trim() !== '') {
        if (kept === CONTEXT_WORDS) break;
        kept += 1;
      }
      out.push(w);
    }
    return (from === 'start' ? out : out.reverse()).join('');
  };
  const head = first ? '' : keep('start');
  const tail = last ? '' : keep('end');
  return `${head}…${tail}`;
}

/**
 * A compact word-level diff: `Read a file. {+<IMPORTANT>Before using…+}`. Removed words
 * are shown as `[-old-]`, added words as `{+new+}`, long unchanged runs are cut to a
 * few words around each change, and invisible characters are spelled out (`<U+200B>`)
 * so that a hidden change is visible in the diff.
 *
 * @returns the diff, or a note when the texts are too long to diff word by word
 */
export function compactWordDiff(before: string, after: string): string {
  if (before.length > MAX_DIFF_INPUT || after.length > MAX_DIFF_INPUT) {
    return `(texts too long for a word diff: ${before.length} → ${after.length} characters)`;
  }
  const parts = diffWords(before, after, { maxEditLength: 4_000 });
  if (parts === undefined) return `(too many changes for a word diff: ${before.length} → ${after.length} characters)`;
  let out = '';
  parts.forEach((part, index) => {
    const text = escapeInvisible(part.value);
    if (part.added) out += `{+${text}+}`;
    else if (part.removed) out += `[-${text}-]`;
    else out += shortenEqual(text, index === 0, index === parts.length - 1);
  });
  out = out.replace(/\r?\n/g, '⏎');
  return out.length > MAX_DIFF_OUTPUT ? `${out.slice(0, MAX_DIFF_OUTPUT).replace(/[\uD800-\uDBFF]$/, '')}…` : out;
}

function indicatorKey(indicator: Indicator): string {
  // URLs share one message; the URL itself tells them apart.
  return indicator.code === 'URL' ? `${indicator.code}\u0000${indicator.evidence}` : `${indicator.code}\u0000${indicator.message}`;
}

/**
 * The injection indicators of `after` that `before` did not have: what a changed text
 * brought in, as opposed to what was already approved.
 */
export function newInjectionIndicators(before: string | undefined, after: string | undefined, context: InjectionContext = {}): Indicator[] {
  if (after === undefined || after === '') return [];
  const old = new Set(detectInjectionIndicators(before ?? '', context).map(indicatorKey));
  return detectInjectionIndicators(after, context).filter((indicator) => !old.has(indicatorKey(indicator)));
}

const INDICATOR_LABELS: Readonly<Record<Indicator['code'], string>> = {
  HIDDEN_UNICODE: 'hidden Unicode',
  BIDI_CONTROL: 'bidi control characters',
  TAG_CHARACTERS: 'Unicode tag characters',
  INSTRUCTION_PHRASE: 'instruction phrase',
  IMPORTANT_TAG: 'prompt-structure tag',
  TOOL_REFERENCE: 'reference to another tool',
  URL: 'URL',
  SECRET_PATH: 'secret file path',
};

/** `prompt-structure tag <IMPORTANT>, secret file path ~/.ssh`: the indicators in a few words. */
export function summarizeIndicators(indicators: readonly Indicator[]): string {
  const parts = indicators.slice(0, 5).map((i) => `${INDICATOR_LABELS[i.code]} ${toEvidence(i.evidence, 40)}`);
  return `${parts.join(', ')}${indicators.length > 5 ? `, and ${indicators.length - 5} more` : ''}`;
}
