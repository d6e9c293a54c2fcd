import { escapeInvisible } from './unicode.js';

/**
 * Keeps the last `maxBytes` bytes a server wrote to stderr, for error messages. Memory
 * stays bounded however much a server writes.
 */
export class StderrTail {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  /** @param maxBytes - how many trailing bytes to keep (0 keeps nothing) */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Appends a chunk, dropping the oldest bytes beyond the limit. */
  push(chunk: Buffer): void {
    if (this.#maxBytes === 0 || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes * 2) this.#compact();
  }

  #compact(): void {
    const all = Buffer.concat(this.#chunks);
    if (all.length > this.#maxBytes) this.#truncated = true;
    const kept = all.subarray(Math.max(0, all.length - this.#maxBytes));
    this.#chunks = [kept];
    this.#size = kept.length;
  }

  /**
   * The tail as printable text: the last lines (a line cut by the limit is dropped when
   * a complete one follows), invisible and control characters shown as `<U+XXXX>`
   * (server output is untrusted and must not drive the terminal), trimmed.
   */
  text(): string {
    this.#compact();
    let text = Buffer.concat(this.#chunks).toString('utf8');
    if (this.#truncated) {
      const newline = text.indexOf('\n');
      if (newline !== -1 && newline < text.length - 1) text = text.slice(newline + 1);
    }
    return escapeInvisible(text).trim();
  }
}
