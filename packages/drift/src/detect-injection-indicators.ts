import type { FindingCode } from '@mcptrust/lockfile';
import { foldLookalikes } from './lookalikes.js';
import { findInvisible, formatCodePoint, stripInvisible, toEvidence } from './unicode.js';
import type { InvisibleKind, InvisibleOccurrence } from './unicode.js';

/** The finding codes {@link detectInjectionIndicators} can report. */
export type IndicatorCode = Extract<
  FindingCode,
  | 'HIDDEN_UNICODE'
  | 'BIDI_CONTROL'
  | 'TAG_CHARACTERS'
  | 'INSTRUCTION_PHRASE'
  | 'IMPORTANT_TAG'
  | 'TOOL_REFERENCE'
  | 'URL'
  | 'SECRET_PATH'
>;

/** One sign that a text (a description, instructions...) tries to steer the model. */
export interface Indicator {
  /** What was found. */
  code: IndicatorCode;
  /** One plain-English sentence. */
  message: string;
  /** The offending text, escaped so that invisible characters show as `<U+XXXX>`. */
  evidence: string;
}

/** What {@link detectInjectionIndicators} needs to know about the text's surroundings. */
export interface InjectionContext {
  /** Names of the tools the text could refer to (matched as whole words, ignoring case). */
  toolNames?: readonly string[];
  /** The name of the item the text belongs to; it may mention itself. */
  selfName?: string;
}

/** Most indicators of one code reported for one text (a hostile text could repeat a URL a million times). */
const MAX_PER_CODE = 10;

interface Phrase {
  label: string;
  pattern: RegExp;
}

/*
 * Phrases are matched on a normalized copy of the text: invisible characters removed,
 * look-alike letters folded to ASCII, lower case, whitespace runs collapsed to one
 * space. That defeats `ig<U+200B>nore prev<Cyrillic о>ious` without any pattern having
 * to know about it. Every pattern is a fixed literal with bounded repetition (linear
 * time on hostile input); none is built from untrusted text.
 */
const INSTRUCTION_PHRASES: readonly Phrase[] = [
  {
    label: 'ignore previous instructions',
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass|skip)(?: (?:all|any|the|your|of|these|those|every)){0,3} (?:previous|prior|preceding|above|earlier|former|original|other|system)(?: \w+)? (?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|messages?|context|commands?)\b/,
  },
  { label: 'ignore the above', pattern: /\bignore (?:all |everything )?(?:the )?above\b/ },
  { label: 'disregard', pattern: /\bdisregard(?:s|ed|ing)?\b/ },
  { label: 'forget everything', pattern: /\bforget (?:everything|all|what)\b/ },
  {
    label: 'do not tell the user',
    pattern:
      /\b(?:do not|don'?t|never|must not|without)(?: \w+)? (?:tell|tells|telling|inform|informing|mention|mentioning|reveal|revealing|notify|notifying|alert|alerting|show|showing|ask|asking|warn|warning|let|letting)(?: (?:this|it|that|anything|them))?(?: to)?(?: the)? users?\b/,
  },
  { label: 'you must', pattern: /\byou (?:must|are required to|have been instructed to)\b/ },
  {
    label: 'before using this tool',
    pattern:
      /\bbefore (?:using|calling|invoking|running|executing|you use|you call)(?: (?:this|the|any|other|another))? (?:tools?|functions?)\b/,
  },
  { label: 'system prompt', pattern: /\bsystem (?:prompt|message|instructions?)\b/ },
  { label: 'override', pattern: /\boverrid(?:e|es|ing|den)\b/ },
  { label: 'new instructions', pattern: /\b(?:new|updated|real|true|actual|hidden|secret|additional) instructions?\b/ },
  { label: 'you are now', pattern: /\byou are now\b/ },
  { label: 'secretly', pattern: /\b(?:secretly|covertly|exfiltrat(?:e|es|ing|ion))\b/ },
];

const IMPORTANT_TAGS: readonly Phrase[] = [
  {
    label: '<important>-style tag',
    pattern:
      /<\s?\/?\s?(?:important|system|instructions?|admin|critical|secret|hidden|sys|assistant|user|human|prompt|context|note|warning)\b[^<>\n]{0,80}>/,
  },
  { label: '[INST] marker', pattern: /\[\s?\/?\s?inst\s?\]/ },
  { label: '<<SYS>> marker', pattern: /<<\s?\/?\s?sys\s?>>/ },
  { label: 'chat template token', pattern: /<\|[a-z_]{1,30}\|>/ },
  { label: '[SYSTEM] marker', pattern: /\[\s?(?:system|important|admin)\s?\]/ },
];

const SECRET_PATHS: readonly Phrase[] = [
  { label: '~/.ssh', pattern: /\.ssh(?:\/|\b)/ },
  { label: 'SSH private key (id_rsa...)', pattern: /\bid_(?:rsa|dsa|ecdsa|ed25519)\b/ },
  { label: 'SSH known_hosts / authorized_keys', pattern: /\b(?:known_hosts|authorized_keys)\b/ },
  { label: '.aws/credentials', pattern: /\.aws\/(?:credentials|config)\b/ },
  { label: '.env', pattern: /(?:^|[\s/'"`(=:,])\.env(?:\.[a-z0-9_-]{1,20})?(?=$|[\s/'"`),.;:])/ },
  { label: '/etc/passwd', pattern: /\/etc\/passwd\b/ },
  { label: '/etc/shadow', pattern: /\/etc\/(?:shadow|sudoers|gshadow)\b/ },
  { label: '.npmrc', pattern: /\.npmrc\b/ },
  { label: '.netrc', pattern: /\.netrc\b/ },
  { label: '.pypirc', pattern: /\.pypirc\b/ },
  { label: '.pgpass', pattern: /\.pgpass\b/ },
  { label: '.kube/config', pattern: /\.kube\/config\b/ },
  { label: '.git-credentials', pattern: /\.git-credentials\b/ },
  { label: '.docker/config.json', pattern: /\.docker\/config\.json\b/ },
  { label: '.gnupg', pattern: /\.gnupg\b/ },
  { label: 'shell history', pattern: /\.(?:bash|zsh|sh)_history\b/ },
  { label: 'mcp.json', pattern: /\bmcp\.json\b/ },
  { label: 'claude_desktop_config.json', pattern: /\bclaude_desktop_config\.json\b/ },
];

const URL_PATTERN = /\b(?:https?|ftps?|wss?|file):\/\/[^\s<>"'`]{1,2000}/gi;
const DATA_URL_PATTERN = /\bdata:[a-z]{1,20}\/[a-z0-9.+-]{1,100}[;,][^\s<>"'`]{0,2000}/gi;
/** Punctuation that ends a sentence rather than a URL. */
const URL_TRAILER = /[.,;:!?)\]}]+$/;

function normalizeForPhrases(text: string): string {
  return foldLookalikes(stripInvisible(text)).toLowerCase().replace(/\s+/g, ' ');
}

const KIND_CODE: Readonly<Record<InvisibleKind, IndicatorCode>> = {
  hidden: 'HIDDEN_UNICODE',
  bidi: 'BIDI_CONTROL',
  tag: 'TAG_CHARACTERS',
};

function contextAround(text: string, index: number): string {
  const start = Math.max(0, index - 24);
  return toEvidence(text.slice(start, index + 24), 120);
}

function invisibleIndicators(text: string, found: readonly InvisibleOccurrence[]): Indicator[] {
  const indicators: Indicator[] = [];
  for (const kind of ['hidden', 'bidi'] as const) {
    const ofKind = found.filter((occurrence) => occurrence.kind === kind);
    const first = ofKind[0];
    if (first === undefined) continue;
    const counts = new Map<number, number>();
    for (const { cp } of ofKind) counts.set(cp, (counts.get(cp) ?? 0) + 1);
    const listed = [...counts].map(([cp, n]) => (n > 1 ? `${formatCodePoint(cp)} ×${n}` : formatCodePoint(cp)));
    indicators.push({
      code: KIND_CODE[kind],
      message:
        kind === 'hidden'
          ? `text contains ${ofKind.length} invisible character(s) (zero-width, format, control or variation selector)`
          : `text contains ${ofKind.length} bidirectional control character(s) that can reorder what is displayed`,
      evidence: `${listed.slice(0, 12).join(', ')}${listed.length > 12 ? ', …' : ''} near "${contextAround(text, first.index)}"`,
    });
  }
  const tags = found.filter((occurrence) => occurrence.kind === 'tag');
  if (tags.length > 0) {
    const decoded = tags.map(({ cp }) => (cp >= 0xe0020 && cp <= 0xe007e ? String.fromCharCode(cp - 0xe0000) : '')).join('');
    const shown = tags.slice(0, 8).map(({ cp }) => formatCodePoint(cp));
    indicators.push({
      code: 'TAG_CHARACTERS',
      message:
        decoded.length > 0
          ? `text contains ${tags.length} invisible Unicode tag character(s) spelling hidden ASCII: "${toEvidence(decoded, 200)}"`
          : `text contains ${tags.length} invisible Unicode tag character(s)`,
      evidence: `${shown.join(' ')}${tags.length > 8 ? ' …' : ''} decodes to "${toEvidence(decoded, 200)}"`,
    });
  }
  return indicators;
}

function phraseIndicators(normalized: string, phrases: readonly Phrase[], code: IndicatorCode, describe: (label: string) => string): Indicator[] {
  const indicators: Indicator[] = [];
  for (const { label, pattern } of phrases) {
    const match = pattern.exec(normalized);
    if (match === null) continue;
    indicators.push({ code, message: describe(label), evidence: toEvidence(match[0].trim()) });
    if (indicators.length >= MAX_PER_CODE) break;
  }
  return indicators;
}

function urlIndicators(visible: string): Indicator[] {
  const urls = new Set<string>();
  for (const pattern of [URL_PATTERN, DATA_URL_PATTERN]) {
    for (const match of visible.matchAll(pattern)) {
      urls.add(match[0].replace(URL_TRAILER, ''));
      if (urls.size >= MAX_PER_CODE) break;
    }
  }
  return [...urls].slice(0, MAX_PER_CODE).map((url) => ({
    code: 'URL' as const,
    message: url.toLowerCase().startsWith('data:') ? 'text contains a data: URL' : 'text contains a URL',
    evidence: toEvidence(url, 200),
  }));
}

const NAME_CHARACTER = /^[\p{L}\p{N}_-]$/u;

function isBoundary(text: string, index: number): boolean {
  const ch = text.charAt(index);
  return ch === '' || !NAME_CHARACTER.test(ch);
}

/** Shortest tool name matched; shorter names (`a`, `ls`) are ordinary words too often. */
const MIN_TOOL_NAME_LENGTH = 3;

/** Tool names indexed for whole-word search: lower-cased name → the names spelled so, with their rank. */
interface NameIndex {
  /** Distinct lengths of the indexed names, ascending. */
  lengths: number[];
  byText: Map<string, { name: string; rank: number }[]>;
  /** First characters of the indexed names (a cheap filter for start positions). */
  firstChars: Set<string>;
}

// One index per list of names: a scan checks every text of every item against the
// same list, and rebuilding it per text made a listing of n tools cost n² steps.
const NAME_INDEXES = new WeakMap<readonly string[], NameIndex>();

function nameIndexOf(names: readonly string[]): NameIndex {
  let index = NAME_INDEXES.get(names);
  if (index !== undefined) return index;
  const byText = new Map<string, { name: string; rank: number }[]>();
  const lengths = new Set<number>();
  const firstChars = new Set<string>();
  const seen = new Set<string>();
  names.forEach((name, rank) => {
    if (typeof name !== 'string' || name.length < MIN_TOOL_NAME_LENGTH || seen.has(name)) return;
    seen.add(name);
    const needle = name.toLowerCase();
    const spellings = byText.get(needle);
    if (spellings === undefined) byText.set(needle, [{ name, rank }]);
    else spellings.push({ name, rank });
    lengths.add(needle.length);
    firstChars.add(needle.charAt(0));
  });
  index = { lengths: [...lengths].sort((a, b) => a - b), byText, firstChars };
  NAME_INDEXES.set(names, index);
  return index;
}

function toolReferenceIndicators(visible: string, context: InjectionContext): Indicator[] {
  const names = context.toolNames ?? [];
  if (names.length === 0) return [];
  // Whole-word search with plain string operations and a map lookup per start
  // position and name length (linear in the text, whatever the number of names):
  // names are untrusted and never become part of a pattern.
  const index = nameIndexOf(names);
  if (index.byText.size === 0) return [];
  const haystack = visible.toLowerCase();
  // The first mention of each name, reported in the order of the names.
  const found = new Map<number, { name: string; at: number }>();
  for (let at = 0; at < haystack.length; at++) {
    if (!index.firstChars.has(haystack.charAt(at)) || !isBoundary(haystack, at - 1)) continue;
    for (const length of index.lengths) {
      if (at + length > haystack.length) break;
      if (!isBoundary(haystack, at + length)) continue;
      for (const hit of index.byText.get(haystack.slice(at, at + length)) ?? []) {
        if (!found.has(hit.rank) && hit.name !== context.selfName) found.set(hit.rank, { name: hit.name, at });
      }
    }
  }
  return [...found.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, MAX_PER_CODE)
    .map(([, { name, at }]) => ({
      code: 'TOOL_REFERENCE' as const,
      message: `text refers to another tool, \`${toEvidence(name, 80)}\``,
      evidence: contextAround(visible, at),
    }));
}

/**
 * Looks for signs of tool poisoning / prompt injection in one text that will reach a
 * model (a description, server instructions, a title):
 *
 * * `HIDDEN_UNICODE`: zero-width characters, other format characters, soft hyphen,
 *   variation selectors, blank letters, control characters (emoji joiners excepted);
 * * `BIDI_CONTROL`: U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C;
 * * `TAG_CHARACTERS`: U+E0000–U+E007F, decoded to the ASCII they hide;
 * * `INSTRUCTION_PHRASE`: "ignore previous instructions", "do not tell the user",
 *   "you must", "before using this tool", "system prompt", "override"...;
 * * `IMPORTANT_TAG`: `<IMPORTANT>`, `<system>`, `<instructions>`, `[INST]`, `<<SYS>>`...;
 * * `TOOL_REFERENCE`: a whole-word mention of another tool from `context.toolNames`;
 * * `URL`: http(s), ftp, ws, file and data: URLs;
 * * `SECRET_PATH`: `~/.ssh`, `id_rsa`, `.aws/credentials`, `.env`, `/etc/passwd`,
 *   `/etc/shadow`, `.npmrc`, `.netrc`, `.kube/config`, `.git-credentials`, MCP host
 *   configs (`mcp.json`, `claude_desktop_config.json`)...
 *
 * Phrases and paths are matched after removing invisible characters and folding
 * look-alike letters, so they cannot be hidden by either. Evidence is escaped.
 *
 * @param text - untrusted text
 * @param context - other tool names and the item's own name
 * @returns the indicators, grouped by code in the order above
 */
export function detectInjectionIndicators(text: string, context: InjectionContext = {}): Indicator[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const visible = stripInvisible(text);
  const normalized = normalizeForPhrases(text);
  return [
    ...invisibleIndicators(text, findInvisible(text)),
    ...phraseIndicators(normalized, INSTRUCTION_PHRASES, 'INSTRUCTION_PHRASE', (label) => `text contains the instruction phrase "${label}"`),
    ...phraseIndicators(normalized, IMPORTANT_TAGS, 'IMPORTANT_TAG', (label) => `text contains a ${label} that mimics prompt structure`),
    ...toolReferenceIndicators(visible, context),
    ...urlIndicators(visible),
    ...phraseIndicators(normalized, SECRET_PATHS, 'SECRET_PATH', (label) => `text mentions a secret file path (${label})`),
  ];
}
