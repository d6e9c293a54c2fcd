/**
 * Reading a line that is still in the pieces it arrived in, without joining them: the
 * page cache compares a long server line with a cached page this way.
 */

/**
 * Visits the bytes `[offset, offset + length)` of a line given as pieces, one view per
 * piece it spans (`at`: the view's position within the range). Returns false when a
 * visit does, or when the pieces end before the range does.
 */
export function eachRange(parts: readonly Uint8Array[], offset: number, length: number, visit: (view: Uint8Array, at: number) => boolean): boolean {
  let skip = offset;
  let done = 0;
  for (const part of parts) {
    if (done === length) break;
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    const n = Math.min(part.length - skip, length - done);
    if (!visit(part.subarray(skip, skip + n), done)) return false;
    done += n;
    skip = 0;
  }
  return done === length;
}

/** Whether the bytes of `parts` from `offset` on start with `expected`. */
export function bytesAt(parts: readonly Uint8Array[], offset: number, expected: Uint8Array): boolean {
  return eachRange(parts, offset, expected.length, (view, at) => Buffer.compare(view, expected.subarray(at, at + view.length)) === 0);
}

/** The `n` bytes of `parts` from `offset` as text, if they are printable ASCII; else undefined. */
export function asciiAt(parts: readonly Uint8Array[], offset: number, n: number): string | undefined {
  let text = '';
  const ok = eachRange(parts, offset, n, (view) => {
    for (const b of view) {
      if (b > 0x7e || b < 0x20) return false;
      text += String.fromCharCode(b);
    }
    return true;
  });
  return ok ? text : undefined;
}
