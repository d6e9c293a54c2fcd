/**
 * Reading response bodies from the upstream with a size cap: a hostile server must not
 * make the client buffer without bound.
 */
import { createParser } from 'eventsource-parser';
import { RemoteError } from '../errors.js';

/** A response body as undici gives it: an async iterable of byte chunks that can be destroyed. */
export interface ResponseBody extends AsyncIterable<Uint8Array | string> {
  /** Stops reading and releases the connection. */
  destroy(error?: Error): unknown;
}

/** undici's body mixin: the whole body as text. */
interface TextBody extends ResponseBody {
  text(): Promise<string>;
}

/** Parameters of {@link consumeSse}. */
export interface SseSink {
  /** Cap of one event's data, in bytes. */
  readonly maxBytes: number;
  /** One event with no `event` field or `event: message` and non-empty data. */
  onMessage(data: string): void;
  /** An event `id` (also of priming events with empty data). */
  onEventId(id: string): void;
  /** The server's `retry` value, in ms. */
  onRetry(ms: number): void;
}

/**
 * Reads a whole body into a string, failing once it passes the cap.
 * @param body - the response body
 * @param maxBytes - the cap, in bytes
 * @param contentLength - the `Content-Length` header, if any
 * @throws RemoteError `TOO_LARGE` over the cap; the stream's own error otherwise
 */
export async function readCapped(body: ResponseBody, maxBytes: number, contentLength?: string): Promise<string> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    body.destroy();
    throw tooLarge('response body', maxBytes);
  }
  const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (Number.isSafeInteger(declared) && declared >= 0 && typeof (body as Partial<TextBody>).text === 'function') {
    // undici frames a body by its Content-Length, so a declared length within the cap
    // bounds what text() buffers: no per-chunk iterator and no copy.
    return (body as TextBody).text();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buf.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw tooLarge('response body', maxBytes);
    }
    chunks.push(buf);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, total).toString('utf8');
}

/**
 * Reads and discards a body (so the connection can be reused), ignoring its errors.
 * @param body - the response body
 */
export async function drain(body: ResponseBody): Promise<void> {
  try {
    let total = 0;
    for await (const chunk of body) {
      total += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
      if (total > 65_536) {
        body.destroy();
        return;
      }
    }
  } catch {
    // The body is not needed.
  }
}

/**
 * Parses an SSE body until it ends. Events with no `event` field or `event: message`
 * carry JSON-RPC; other event types and comments are ignored.
 * @param body - the response body
 * @param sink - where events go; a throw from `onMessage` stops reading and rejects
 * @throws RemoteError `TOO_LARGE` when one event's data (or the buffered partial event) passes the cap; the sink's or the stream's error
 */
export async function consumeSse(body: ResponseBody, sink: SseSink): Promise<void> {
  let failure: Error | undefined;
  const parser = createParser({
    // Characters buffered while an event is incomplete; bytes are checked per event below.
    maxBufferSize: sink.maxBytes + 4096,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure ??= tooLarge('SSE event', sink.maxBytes);
    },
    onRetry: (ms) => {
      if (Number.isSafeInteger(ms) && ms >= 0) sink.onRetry(ms);
    },
    onEvent: (event) => {
      if (event.id !== undefined) sink.onEventId(event.id);
      if (event.event !== undefined && event.event !== 'message') return;
      if (event.data === '') return;
      if (Buffer.byteLength(event.data, 'utf8') > sink.maxBytes) throw tooLarge('SSE event', sink.maxBytes);
      sink.onMessage(event.data);
    },
  });
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of body) {
      parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      if (failure !== undefined) throw failure;
    }
    parser.feed(decoder.decode());
    if (failure !== undefined) throw failure;
  } catch (error) {
    body.destroy();
    throw error;
  }
}

function tooLarge(what: string, maxBytes: number): RemoteError {
  return new RemoteError('TOO_LARGE', `the upstream's ${what} is over the ${maxBytes}-byte cap`);
}
