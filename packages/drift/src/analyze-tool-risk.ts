import type { JsonObject, JsonValue, RiskLevel, ToolDefinition } from '@mcptrust/lockfile';
import { foldLookalikes } from './lookalikes.js';
import { stripInvisible, toEvidence } from './unicode.js';

/** The result of {@link analyzeToolRisk}. */
export interface ToolRisk {
  /** LOW, MEDIUM or HIGH. */
  riskLevel: RiskLevel;
  /** Why, one short phrase each (empty for LOW). */
  riskReasons: string[];
}

type Raised = Exclude<RiskLevel, 'LOW'>;

/** A word family of tool names: any word of `words` in the name raises the tool to `level`. */
interface NameRule {
  level: Raised;
  words: readonly string[];
  /** Only counted with something a file system path names (in the name or an input property). */
  onFiles?: boolean;
  /** Only counted with a URL (in the name or an input property). */
  withUrl?: boolean;
}

/*
 * The risk table (see README). Heuristic and biased towards HIGH: a false alarm costs a
 * reviewer a glance, a miss lets a dangerous tool through unnoticed.
 */
const NAME_RULES: readonly NameRule[] = [
  // runs code or commands
  {
    level: 'HIGH',
    words: ['exec', 'execute', 'execution', 'shell', 'command', 'commands', 'cmd', 'run', 'eval', 'spawn', 'sudo', 'bash', 'zsh', 'powershell', 'pwsh', 'subprocess', 'terminal'],
  },
  // deletes or destroys
  {
    level: 'HIGH',
    words: ['delete', 'remove', 'rm', 'rmdir', 'unlink', 'destroy', 'drop', 'kill', 'format', 'erase', 'wipe', 'purge', 'truncate', 'uninstall', 'terminate', 'shred'],
  },
  // changes files in place
  { level: 'HIGH', words: ['write', 'move', 'mv', 'rename', 'overwrite', 'append', 'copy', 'cp', 'chmod', 'chown'], onFiles: true },
  // sends data out
  {
    level: 'HIGH',
    words: ['send', 'post', 'http', 'https', 'webhook', 'email', 'mail', 'smtp', 'sms', 'curl', 'wget', 'upload', 'publish'],
  },
  // fetches a URL chosen by the model (exfiltration through the URL, SSRF)
  { level: 'HIGH', words: ['fetch', 'download', 'request', 'get', 'browse', 'open', 'visit', 'crawl', 'scrape', 'load'], withUrl: true },
  // touches credentials
  {
    level: 'HIGH',
    words: ['credential', 'credentials', 'secret', 'secrets', 'password', 'passwords', 'passwd', 'passphrase', 'token', 'apikey', 'privatekey', 'keychain', 'keyring'],
  },
  // changes state
  {
    level: 'MEDIUM',
    words: ['write', 'create', 'update', 'edit', 'modify', 'set', 'put', 'patch', 'insert', 'save', 'add', 'replace', 'append', 'mkdir', 'toggle', 'enable', 'disable', 'install', 'commit', 'push', 'merge', 'copy', 'upsert', 'store', 'change', 'move', 'rename'],
  },
  // reads from the network
  { level: 'MEDIUM', words: ['fetch', 'download', 'browse', 'crawl', 'scrape', 'url', 'urls', 'web', 'internet', 'online'] },
  // reads the environment
  { level: 'MEDIUM', words: ['env', 'environment', 'environ', 'getenv', 'envvar', 'envvars'] },
];

/**
 * Words that are verbs only at the start of a name: `post_message` sends, `get_post`
 * reads a blog post; `run_query` runs, `dry_run` is a flag.
 */
const FIRST_WORD_ONLY = new Set(['post', 'format', 'run', 'drop', 'kill', 'open', 'get', 'load', 'request', 'set', 'add', 'put', 'change', 'store', 'push']);

/** Two-word spellings of credential names (`api_key`, `privateKey`). */
const CREDENTIAL_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['api', 'key'],
  ['api', 'keys'],
  ['private', 'key'],
  ['access', 'key'],
  ['secret', 'key'],
  ['ssh', 'key'],
  ['auth', 'token'],
  ['access', 'token'],
];

const FILE_WORDS = new Set(['file', 'files', 'dir', 'dirs', 'directory', 'directories', 'folder', 'folders', 'path', 'paths', 'fs', 'filesystem', 'disk', 'filename', 'filepath']);
const FILE_PROPERTY_WORDS = new Set([...FILE_WORDS, 'source', 'destination', 'dest', 'target']);
const URL_WORDS = new Set(['url', 'urls', 'uri', 'href', 'endpoint', 'link']);

/** Input property words that mean the tool takes a command, or a credential, or posts to a hook. */
const PROPERTY_RULES: ReadonlyArray<{ level: Raised; words: readonly string[] }> = [
  { level: 'HIGH', words: ['command', 'commands', 'cmd', 'shell', 'script'] },
  { level: 'HIGH', words: ['webhook'] },
  { level: 'HIGH', words: ['credential', 'credentials', 'secret', 'password', 'passwd', 'passphrase', 'token', 'apikey', 'privatekey'] },
  { level: 'MEDIUM', words: [...URL_WORDS] },
];

/** Phrases of descriptions, matched on folded lower-case text with collapsed whitespace. */
const DESCRIPTION_RULES: ReadonlyArray<{ level: Raised; pattern: RegExp }> = [
  {
    level: 'HIGH',
    pattern:
      /\b(?:execut(?:e|es|ing)|runs?|running|eval(?:uate|uates)?|invokes?|spawn(?:s)?)(?: (?:a|an|the|any|arbitrary|given|provided|user|system|shell|terminal|os)){0,3} (?:commands?|scripts?|code|programs?|processes|binaries)\b/,
  },
  { level: 'HIGH', pattern: /\b(?:shell commands?|terminal commands?|bash|powershell|sudo|subprocess(?:es)?)\b/ },
  {
    level: 'HIGH',
    pattern: /\b(?:delet(?:e|es|ing)|destroy(?:s|ing)?|eras(?:e|es|ing)|wip(?:e|es|ing)|purg(?:e|es|ing)|permanently remov(?:e|es|ing))\b/,
  },
  { level: 'HIGH', pattern: /\boverwrit(?:e|es|ing|ten)\b/ },
  {
    level: 'HIGH',
    pattern:
      /\b(?:webhooks?|upload(?:s|ing)?|(?:http|https|post) requests?|send(?:s|ing)? (?:(?:an?|the) )?(?:e-?mails?|sms|text messages|messages to|data to|http))\b/,
  },
  {
    level: 'HIGH',
    pattern:
      /\b(?:credentials?|passwords?|passphrases?|api ?keys?|private keys?|secret keys?|access tokens?|auth(?:entication)? tokens?|bearer tokens?|ssh keys?)\b/,
  },
  { level: 'MEDIUM', pattern: /\b(?:environment variables?|env vars?)\b/ },
  { level: 'MEDIUM', pattern: /\b(?:fetch(?:es|ing)?|download(?:s|ing)?|crawl(?:s|ing)?|scrap(?:e|es|ing)|internet|web ?pages?|websites?)\b/ },
  {
    level: 'MEDIUM',
    pattern:
      /\b(?:creat(?:e|es|ing)|modif(?:y|ies|ying)|updat(?:e|es|ing)|edit(?:s|ing)?)(?: (?:a|an|the|new|existing|one|multiple)){0,2} (?:files?|director(?:y|ies)|folders?|records?|rows?|entries|documents?|database|issues?|pages?)\b/,
  },
];

/** Words of an identifier: `readTextFile`, `read-text-file` and `READ_TEXT_FILE` all give read, text, file. */
export function splitIdentifierWords(identifier: string): string[] {
  return foldLookalikes(stripInvisible(identifier))
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

const VOCABULARY = new Set<string>([
  ...NAME_RULES.flatMap((rule) => rule.words),
  ...FILE_WORDS,
  ...URL_WORDS,
  ...CREDENTIAL_PAIRS.flat(),
  'read', 'list', 'search', 'find', 'query', 'show', 'view', 'text', 'data', 'info', 'process', 'code', 'key', 'all',
]);

/** `runcommand` → run, command: a word glued from two known words is read as both. */
function splitCompounds(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    if (VOCABULARY.has(word) || word.length < 4) {
      out.push(word);
      continue;
    }
    let split: [string, string] | undefined;
    for (let i = 2; i <= word.length - 2 && split === undefined; i += 1) {
      const head = word.slice(0, i);
      const tail = word.slice(i);
      if (VOCABULARY.has(head) && VOCABULARY.has(tail)) split = [head, tail];
    }
    if (split === undefined) out.push(word);
    else out.push(...split);
  }
  return out;
}

const MAX_PROPERTY_NAMES = 500;
const MAX_SCHEMA_DEPTH = 16;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Property names of a JSON Schema, nested objects and array items included (bounded). */
function propertyNames(schema: JsonObject): string[] {
  const names: string[] = [];
  const visit = (node: JsonValue | undefined, depth: number): void => {
    if (!isObject(node) || depth > MAX_SCHEMA_DEPTH || names.length >= MAX_PROPERTY_NAMES) return;
    const properties = node['properties'];
    if (isObject(properties)) {
      for (const [name, child] of Object.entries(properties)) {
        if (names.length >= MAX_PROPERTY_NAMES) return;
        names.push(name);
        visit(child, depth + 1);
      }
    }
    visit(node['items'], depth + 1);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = node[key];
      if (Array.isArray(branches)) for (const branch of branches) visit(branch, depth + 1);
    }
  };
  visit(schema, 0);
  return names;
}

function hasPair(words: readonly string[], [a, b]: readonly [string, string]): boolean {
  for (let i = 0; i + 1 < words.length; i += 1) {
    if (words[i] === a && words[i + 1] === b) return true;
  }
  return false;
}

interface Signal {
  level: Raised;
  reason: string;
}

function nameSignals(words: readonly string[], propertyWords: readonly string[][]): Signal[] {
  const signals: Signal[] = [];
  const allPropertyWords = propertyWords.flat();
  const onFiles = words.some((w) => FILE_WORDS.has(w)) || allPropertyWords.some((w) => FILE_PROPERTY_WORDS.has(w));
  const fileWord = words.find((w) => FILE_WORDS.has(w)) ?? allPropertyWords.find((w) => FILE_PROPERTY_WORDS.has(w));
  const withUrl = words.some((w) => URL_WORDS.has(w)) || allPropertyWords.some((w) => URL_WORDS.has(w));
  for (const rule of NAME_RULES) {
    if (rule.onFiles === true && !onFiles) continue;
    if (rule.withUrl === true && !withUrl) continue;
    const hit = words.find((word, index) => rule.words.includes(word) && (index === 0 || !FIRST_WORD_ONLY.has(word)));
    if (hit === undefined) continue;
    let reason = `name contains \`${hit}\``;
    if (rule.onFiles === true) reason += ` on files (\`${fileWord ?? 'path'}\`)`;
    if (rule.withUrl === true) reason += ' with a URL';
    signals.push({ level: rule.level, reason });
  }
  for (const pair of CREDENTIAL_PAIRS) {
    if (hasPair(words, pair)) signals.push({ level: 'HIGH', reason: `name contains \`${pair.join('_')}\`` });
  }
  return signals;
}

function propertySignals(names: readonly string[], propertyWords: readonly string[][]): Signal[] {
  const signals: Signal[] = [];
  names.forEach((name, index) => {
    const words = propertyWords[index] ?? [];
    for (const rule of PROPERTY_RULES) {
      if (words.some((word) => rule.words.includes(word))) {
        signals.push({ level: rule.level, reason: `input property \`${toEvidence(name, 60)}\`` });
        return;
      }
    }
    if (CREDENTIAL_PAIRS.some((pair) => hasPair(words, pair))) {
      signals.push({ level: 'HIGH', reason: `input property \`${toEvidence(name, 60)}\`` });
    }
  });
  return signals;
}

function descriptionSignals(description: string): Signal[] {
  const text = foldLookalikes(stripInvisible(description)).toLowerCase().replace(/\s+/g, ' ');
  const signals: Signal[] = [];
  for (const { level, pattern } of DESCRIPTION_RULES) {
    const match = pattern.exec(text);
    if (match !== null) signals.push({ level, reason: `description mentions \`${toEvidence(match[0], 60)}\`` });
  }
  return signals;
}

function annotationSignals(annotations: JsonObject | undefined): Signal[] {
  if (annotations === undefined) return [];
  const signals: Signal[] = [];
  // Only explicit booleans count: a hint the server did not give is not evidence either way.
  if (annotations['destructiveHint'] === true) signals.push({ level: 'HIGH', reason: 'annotation destructiveHint=true' });
  if (annotations['openWorldHint'] === true) signals.push({ level: 'MEDIUM', reason: 'annotation openWorldHint=true' });
  if (annotations['readOnlyHint'] === false) signals.push({ level: 'MEDIUM', reason: 'annotation readOnlyHint=false' });
  return signals;
}

/**
 * Classifies what a tool can do, from its name (split into words: camelCase, kebab-case,
 * snake_case, glued known words), its description, the property names of its input
 * schema and its annotations.
 *
 * * HIGH: runs commands or code (exec, shell, command, run, eval, spawn, sudo...);
 *   deletes (delete, remove, destroy, drop, kill, format...); writes, moves, renames
 *   or uploads files; sends data out (send, post, http, webhook, email...); fetches a
 *   URL the model chooses; touches credentials (secret, token, password, api key...);
 *   `destructiveHint: true`.
 * * MEDIUM: changes state (write, create, update, edit, modify, set, toggle...); reads
 *   the network (fetch, download, url...) or `openWorldHint: true`; reads environment
 *   variables; `readOnlyHint: false`.
 * * LOW: nothing of the above (read, list, get, search...).
 *
 * Annotations come from the server and are untrusted: they can raise the level, never
 * lower it (`readOnlyHint: true` does not make a `delete_file` tool LOW).
 * Look-alike letters and invisible characters are folded away before matching.
 *
 * @param tool - a tool definition as listed by the server
 * @returns the level and the reasons for it
 */
export function analyzeToolRisk(tool: ToolDefinition): ToolRisk {
  const words = splitCompounds(splitIdentifierWords(typeof tool.name === 'string' ? tool.name : ''));
  const properties = isObject(tool.inputSchema) ? propertyNames(tool.inputSchema) : [];
  const propertyWords = properties.map((name) => splitCompounds(splitIdentifierWords(name)));
  const signals = [
    ...nameSignals(words, propertyWords),
    ...propertySignals(properties, propertyWords),
    ...(typeof tool.description === 'string' ? descriptionSignals(tool.description) : []),
    ...annotationSignals(isObject(tool.annotations) ? tool.annotations : undefined),
  ];

  const riskLevel: RiskLevel = signals.some((s) => s.level === 'HIGH')
    ? 'HIGH'
    : signals.some((s) => s.level === 'MEDIUM')
      ? 'MEDIUM'
      : 'LOW';
  if (riskLevel === 'LOW') return { riskLevel, riskReasons: [] };

  const riskReasons = [...new Set(signals.filter((s) => s.level === riskLevel).map((s) => s.reason))];
  if (tool.annotations?.['readOnlyHint'] === true) {
    riskReasons.push('annotation readOnlyHint=true ignored (hints cannot lower the risk)');
  }
  return { riskLevel, riskReasons };
}
