/**
 * Where JSONL records are written: lines are batched and written together (when 64 KiB
 * are waiting, at the latest 100 ms after the first waiting line, and on close), so a
 * proxy that logs every decision makes one write per batch instead of one per request.
 * A file is written with writeSync on its descriptor (in order, nothing left in a
 * thread pool at exit); stderr through its stream.
 */
import { closeSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** A batched line writer. */
export interface LineSink {
  /** Queues one line (without its newline). */
  write(line: string): void;
  /** Writes every queued line now. */
  flush(): void;
  /** Flushes and releases the file. */
  close(): void;
}

/** Lines waiting beyond this size are written at once. */
export const MAX_BATCH_BYTES = 64 * 1024;
/** The longest a line waits. */
export const MAX_BATCH_DELAY_MS = 100;

/** Creates a {@link LineSink} on a file descriptor (closed by `close`) or a stream (left open). */
export function createLineSink(target: { fd: number } | { stream: Writable }, onError: (error: Error) => void): LineSink {
  let waiting: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let failed = false;
  let closed = false;
  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (waiting.length === 0) return;
    const text = waiting.join('\n') + '\n';
    waiting = [];
    bytes = 0;
    if (failed) return;
    try {
      if ('fd' in target) {
        const buffer = Buffer.from(text, 'utf8');
        let offset = 0;
        while (offset < buffer.length) offset += writeSync(target.fd, buffer, offset);
      } else {
        target.stream.write(text);
      }
    } catch (error) {
      // A full disk must not take the command down: say it once, drop what follows.
      failed = true;
      onError(error as Error);
    }
  };
  return {
    write(line) {
      if (closed) return;
      waiting.push(line);
      bytes += line.length + 1;
      if (bytes >= MAX_BATCH_BYTES) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, MAX_BATCH_DELAY_MS);
        // A waiting line never keeps the process alive: close() writes it.
        timer.unref();
      }
    },
    flush,
    close() {
      if (closed) return;
      flush();
      closed = true;
      if ('fd' in target) {
        try {
          closeSync(target.fd);
        } catch {
          // Already gone: nothing left to release.
        }
      }
    },
  };
}
