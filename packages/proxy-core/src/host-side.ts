/**
 * The host side every bridge shares: NDJSON lines from the host's input stream go to
 * the engine (one line cap, UTF-8 checked by the splitter), and the engine's messages
 * for the host are queued and written as NDJSON once per chunk, with the output
 * stream's backpressure reported to the bridge. The server side (a child's stdio, an
 * HTTP upstream) is each bridge's own.
 */
import type { Readable, Writable } from 'node:stream';
import { MIN_BYTE_FORWARD_CHARS } from './engine.js';
import type { ProxyEngine } from './engine.types.js';
import { LineSplitter, type LineSplitterOptions } from './line-splitter.js';

const LF_BYTES = Buffer.from('\n');
// Output of one flush up to this size is copied into one buffer; larger is written as is.
const MAX_COALESCED_BYTES = 32 * 1024;

/** One queued message: its text, or its UTF-8 bytes in parts. */
export type QueuedMessage = string | readonly Uint8Array[];

/**
 * Writes messages (texts, or byte parts of one message each) as NDJSON. Small output
 * goes out as one buffer (one chunk for whoever reads it); large output is handed over
 * as the views it is made of (one writev), not copied into one buffer.
 *
 * @returns false when the stream asks to wait for 'drain'
 */
export function writeParts(out: Writable, queue: readonly QueuedMessage[]): boolean {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const m of queue) {
    if (typeof m === 'string') parts.push(Buffer.from(m));
    else for (const part of m) if (part.length > 0) parts.push(part);
    parts.push(LF_BYTES);
  }
  for (const part of parts) total += part.length;
  if (total <= MAX_COALESCED_BYTES) return out.write(Buffer.concat(parts, total));
  let ok = true;
  out.cork();
  for (const part of parts) if (!out.write(part)) ok = false;
  out.uncork();
  return ok;
}

/** Messages waiting to be written to one stream as NDJSON, in order. */
export class OutputQueue {
  private items: QueuedMessage[] = [];
  private hasBytes = false;

  /** How many messages wait. */
  get length(): number {
    return this.items.length;
  }

  /** Queues one message as text. */
  push(json: string): void {
    this.items.push(json);
  }

  /** Queues one message as UTF-8 parts (valid until written). */
  pushBytes(parts: readonly Uint8Array[]): void {
    this.items.push(parts);
    this.hasBytes = true;
  }

  /** Writes and forgets everything queued; false when the stream asks to wait for 'drain'. */
  writeTo(out: Writable): boolean {
    const ok = this.hasBytes ? writeParts(out, this.items) : out.write(this.items.join('\n') + '\n');
    this.clear();
    return ok;
  }

  /** Forgets everything queued. */
  clear(): void {
    this.items = [];
    this.hasBytes = false;
  }
}

/** Line splitter options of a bridge: chunks kept without copying, long lines with their bytes. */
export function bridgeSplitterOptions(maxLineBytes: number | undefined): LineSplitterOptions {
  // Stream chunks are fresh buffers the splitter may keep without copying. Only lines
  // long enough for the engine's byte forwarding come with their bytes (a UTF-8 line
  // has at least as many bytes as characters).
  return { copyChunks: false, bytesFrom: MIN_BYTE_FORWARD_CHARS, ...(maxLineBytes === undefined ? {} : { maxLineBytes }) };
}

/** Options of {@link HostSide}. */
export interface HostSideOptions {
  /** Where host messages come from (the CLI passes `process.stdin`). */
  hostInput: Readable;
  /** Where messages for the host go (the CLI passes `process.stdout`); nothing else is written there. */
  hostOutput: Writable;
  /** Line cap in bytes. Default 10 MiB. */
  maxLineBytes?: number;
}

/**
 * The host's NDJSON streams, between the host and an engine. The bridge calls
 * {@link HostSide.listen} once the engine exists, queues the engine's host output with
 * {@link HostSide.output} and writes it with {@link HostSide.write} when it flushes.
 */
export class HostSide {
  /** The engine's messages for the host, written by {@link HostSide.write}. */
  readonly output = new OutputQueue();
  private splitter: LineSplitter | undefined;
  private onData: ((chunk: Buffer | string) => void) | undefined;
  private onEnd: (() => void) | undefined;

  constructor(private readonly options: HostSideOptions) {}

  /** The host output stream. */
  get stream(): Writable {
    return this.options.hostOutput;
  }

  /**
   * Starts delivering host lines to `engine` (oversized ones as `hostLineTooLong`).
   * `ended` runs once the host input ended, after its last line was delivered.
   */
  listen(engine: ProxyEngine, ended: () => void): void {
    const splitter = (this.splitter = new LineSplitter(
      {
        onLine: (line, valid) => engine.receiveFromHost(line, valid),
        onOversized: (n) => engine.hostLineTooLong(n),
      },
      bridgeSplitterOptions(this.options.maxLineBytes),
    ));
    this.onData = (chunk) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.onEnd = () => {
      splitter.end();
      ended();
    };
    this.options.hostInput.on('data', this.onData);
    this.options.hostInput.on('end', this.onEnd);
  }

  /** Stops reading the host input (the session is over). */
  stop(): void {
    if (this.onData !== undefined) this.options.hostInput.off('data', this.onData);
    if (this.onEnd !== undefined) this.options.hostInput.off('end', this.onEnd);
    this.onData = undefined;
    this.onEnd = undefined;
  }

  /** How many reasons to wait are open (the server's stdin, the host's own output). */
  private pauses = 0;

  /** Pauses the host input for one reason (the server side, or the host output, asks to wait); pair each call with one {@link resumeInput}. */
  pauseInput(): void {
    this.pauses++;
    this.options.hostInput.pause();
  }

  /** Ends one reason to wait; the host input resumes once no reason is left. */
  resumeInput(): void {
    if (this.pauses > 0) this.pauses--;
    if (this.pauses === 0) this.options.hostInput.resume();
  }

  /**
   * Writes what is queued for the host. When the host output asks to wait, `full` is
   * called with a function that registers the resume callback for its 'drain'.
   */
  write(full?: (onDrain: (resume: () => void) => void) => void): void {
    const out = this.options.hostOutput;
    if (this.output.length === 0) return;
    if (!out.writable) {
      this.output.clear();
      return;
    }
    if (!this.output.writeTo(out)) full?.((resume) => out.once('drain', resume));
  }

  /** Ends the host output once everything written was flushed; `done` runs then. */
  end(done: () => void): void {
    this.options.hostOutput.end(done);
  }
}
