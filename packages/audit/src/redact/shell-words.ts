/**
 * Splits a command string into words the way a POSIX shell would, without any expansion:
 * whitespace separates words; single quotes keep everything literally; double quotes
 * keep everything but let `\` escape `"`, `\`, `$`, `` ` `` and a newline; outside
 * quotes `\` escapes the next character. An unterminated quote runs to the end.
 * @internal
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      inWord = true;
      const end = text.indexOf("'", i + 1);
      word += end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < text.length && text[i] !== '"') {
        const d = text[i]!;
        const next = text[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      i++; // closing quote
    } else if (c === '\\') {
      inWord = true;
      const next = text[i + 1];
      if (next !== undefined && next !== '\n') word += next;
      i += 2;
    } else {
      inWord = true;
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Joins words back with spaces, single-quoting a word that would otherwise not read back
 * as one word (empty, or containing whitespace, quotes or a backslash).
 * @internal
 */
export function joinShellWords(words: readonly string[]): string {
  return words.map((w) => (w === '' || /[\s'"\\]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
}
