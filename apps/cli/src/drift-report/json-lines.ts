/**
 * Line numbers of the values in a JSON text, by path, so that a SARIF result can point
 * at the line of the drifted item in the lockfile as it is on disk.
 */

interface Frame {
  type: 'object' | 'array';
  key: string | undefined;
  index: number;
  expectKey: boolean;
}

function pathKey(segments: ReadonlyArray<string | number>): string {
  return JSON.stringify(segments);
}

/** Maps every object member and array element of `text` to the 1-based line it starts on. */
export function indexJsonLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  let line = 1;
  const parents = (): Array<string | number> => stack.map((f) => (f.type === 'object' ? (f.key ?? '') : f.index));
  const valueStarts = (): void => {
    const top = stack[stack.length - 1];
    if (top?.type === 'array') lines.set(pathKey(parents()), line);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line += 1;
    } else if (ch === '"') {
      let j = i + 1;
      let raw = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') {
          raw += text.slice(j, j + 2);
          j += 2;
        } else {
          raw += text[j];
          j += 1;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.type === 'object' && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(`"${raw}"`) as string;
        } catch {
          key = raw;
        }
        top.key = key;
        top.expectKey = false;
        lines.set(pathKey(parents()), line);
      } else valueStarts();
      i = j;
    } else if (ch === '{' || ch === '[') {
      valueStarts();
      stack.push({ type: ch === '{' ? 'object' : 'array', key: undefined, index: 0, expectKey: ch === '{' });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.type === 'object') top.expectKey = true;
      else if (top !== undefined) top.index += 1;
    } else if (ch !== undefined && /[-0-9tfn]/.test(ch)) {
      const prev = text.slice(0, i).trimEnd().slice(-1);
      if (prev === '[' || prev === ',') valueStarts();
      while (i + 1 < text.length && /[-+.eE0-9a-z]/.test(text[i + 1] as string)) i += 1;
    }
  }
  return lines;
}

/** The line of the deepest existing prefix of `segments` (1 when nothing matches). */
export function lineOf(lines: ReadonlyMap<string, number>, segments: ReadonlyArray<string | number>): number {
  for (let n = segments.length; n > 0; n--) {
    const found = lines.get(pathKey(segments.slice(0, n)));
    if (found !== undefined) return found;
  }
  return 1;
}
