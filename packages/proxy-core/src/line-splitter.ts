import { isAscii, isUtf8 } from 'node:buffer';

/** Default cap on one NDJSON line: 10 MiB (PROTOCOL 40). */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

/** Receives what a {@link LineSplitter} finds. */
export interface LineHandler {
  /**
   * One complete line, without LF and without one trailing CR. `valid` is false for
   * malformed UTF-8. `bytes` are the exact bytes `line` was decoded from (undefined for
   * lines shorter than the `bytesFrom` option); they may be a view of a pushed chunk,
   * so with `copyChunks` on they are valid only during the call.
   */
  onLine(line: string, valid: boolean, bytes: Uint8Array | undefined): void;
  /** A line exceeded the cap; its bytes were discarded. Called once per oversized line. */
  onOversized(bytes: number): void;
  /**
   * Optional: offered every line of at least `bytesFrom` bytes (without LF and trailing
   * CR) as the pieces it arrived in, before they are joined and decoded. Returning true
   * means the handler dealt with the line from its bytes, and `onLine` is not called.
   * The pieces are valid only during the call.
   */
  takeBytes?(parts: readonly Uint8Array[], byteLength: number): boolean;
}

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /** Maximum bytes of one line, excluding the LF. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /**
   * Whether the chunks passed to `push` may be reused by the caller once `push`
   * returns, so that a partial line must be copied. Default true. Streams hand out a
   * fresh buffer per chunk: the stdio bridge passes false, and a long line is then
   * copied once (when it is complete) instead of twice.
   */
  copyChunks?: boolean;
  /**
   * Lines of fewer bytes than this are reported without their bytes (`bytes` is
   * undefined), which spares a buffer view per line to a handler that only wants the
   * bytes of long lines. Default 0: every line comes with its bytes.
   */
  bytesFrom?: number;
}

const LF = 0x0a;
// From this size on, an ASCII line is decoded as an external (off-heap) string. Below
// it the heap is cheaper: many freed megabyte-sized buffers leave the C allocator's
// memory in place and raise the resident size instead.
const LARGE_LINE_BYTES = 4 * 1024 * 1024;
const CR = 0x0d;

/**
 * Streaming NDJSON splitter. Splits on LF only and strips one trailing CR. Bytes are
 * kept until a line is complete so a multi-byte UTF-8 character split across chunks
 * decodes correctly (LF never occurs inside a multi-byte sequence). Memory is bounded:
 * once a line exceeds the cap, its bytes are discarded until the next LF and
 * `onOversized` is reported once.
 */
export class LineSplitter {
  private readonly max: number;
  private readonly handler: LineHandler;
  private readonly copyChunks: boolean;
  private readonly bytesFrom: number;
  private parts: Buffer[] = [];
  private partBytes = 0;
  // While true the current line is over the cap and is being skipped.
  private discarding = false;
  private discarded = 0;

  /**
   * @param handler - receives lines and oversized reports
   * @param options - the line cap
   */
  constructor(handler: LineHandler, options: LineSplitterOptions = {}) {
    this.max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.handler = handler;
    this.copyChunks = options.copyChunks ?? true;
    this.bytesFrom = options.bytesFrom ?? 0;
  }

  /** Feeds one chunk; complete lines are reported synchronously, in order. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    const len = buf.length;
    while (start < len) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        this.accumulate(buf, start, len);
        return;
      }
      if (this.discarding) {
        this.discarded += nl - start;
        this.discarding = false;
        const n = this.discarded;
        this.discarded = 0;
        this.handler.onOversized(n);
      } else if (this.partBytes === 0) {
        this.emit(buf, start, nl);
      } else if (this.partBytes + (nl - start) > this.max + 1) {
        // +1 leaves room for a CR that is stripped
        const n = this.partBytes + (nl - start);
        this.reset();
        this.handler.onOversized(n);
      } else {
        this.parts.push(buf.subarray(start, nl));
        const n = this.partBytes + (nl - start);
        if (this.offerBytes(this.parts, n)) {
          this.reset();
        } else {
          // No local may keep the pieces: they would stay alive while the line is
          // handled (10 MB more at peak for a 10 MB line, measured).
          const whole = Buffer.concat(this.parts, n);
          this.reset();
          this.emit(whole, 0, whole.length);
        }
      }
      start = nl + 1;
    }
  }

  /**
   * Ends the stream. A final line without LF is reported as a line (or as oversized);
   * the splitter is then empty and may be reused.
   */
  end(): void {
    if (this.discarding) {
      const n = this.discarded;
      this.discarding = false;
      this.discarded = 0;
      this.handler.onOversized(n);
      return;
    }
    if (this.partBytes > 0) {
      const whole = Buffer.concat(this.parts, this.partBytes);
      this.reset();
      this.emit(whole, 0, whole.length);
    }
  }

  /** Bytes currently held for an incomplete line (never more than the cap + 1). */
  get bufferedBytes(): number {
    return this.partBytes;
  }

  private accumulate(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.discarding) {
      this.discarded += n;
      return;
    }
    if (this.partBytes + n > this.max + 1) {
      this.discarding = true;
      this.discarded = this.partBytes + n;
      this.reset();
      return;
    }
    // Copy unless told the chunk is ours to keep: the caller may reuse its buffer.
    this.parts.push(this.copyChunks ? Buffer.from(buf.subarray(start, end)) : buf.subarray(start, end));
    this.partBytes += n;
  }

  private reset(): void {
    this.parts = [];
    this.partBytes = 0;
  }

  /** Offers a line in pieces to `takeBytes`; true when the handler took it. */
  private offerBytes(parts: Buffer[], n: number): boolean {
    // (Lines over the cap + 1 never get here: push reports them as oversized.)
    if (this.handler.takeBytes === undefined || n < this.bytesFrom) return false;
    const last = parts[parts.length - 1]!;
    if (last.length === 0) return false; // a CR may end an earlier piece: joined instead
    if (last[last.length - 1] !== CR) return n <= this.max && this.handler.takeBytes(parts, n);
    // Without the trailing CR (the pieces themselves stay as they are, for joining).
    const offered = parts.slice(0, -1);
    offered.push(last.subarray(0, last.length - 1));
    return n - 1 <= this.max && this.handler.takeBytes(offered, n - 1);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    if (e - start > this.max) {
      this.handler.onOversized(e - start);
      return;
    }
    const n = e - start;
    if (n >= this.bytesFrom && this.handler.takeBytes !== undefined && this.handler.takeBytes([buf.subarray(start, e)], n)) return;
    if (n < this.bytesFrom) {
      // Short line, no view: decode in place. Malformed UTF-8 always decodes to U+FFFD,
      // so a line without one is valid; one with it is checked byte by byte (it may be
      // a genuine U+FFFD).
      const line = buf.toString('utf8', start, e);
      this.handler.onLine(line, line.indexOf('\uFFFD') === -1 || isUtf8(buf.subarray(start, e)), undefined);
      return;
    }
    const view = start === 0 && e === buf.length ? buf : buf.subarray(start, e);
    // A long ASCII line (the usual form of a large JSON text) decodes the same as
    // latin1, which Node keeps outside the JS heap: the memory is counted as external
    // and reclaimed sooner, so a stream of 10 MB lines does not pile up heap garbage.
    if (n >= LARGE_LINE_BYTES && isAscii(view)) {
      this.handler.onLine(view.toString('latin1'), true, view);
      return;
    }
    // Malformed UTF-8 is reported rather than silently replaced by U+FFFD, so that the
    // proxy never checks a different string than the bytes the peer meant.
    this.handler.onLine(view.toString('utf8'), isUtf8(view), view);
  }
}
