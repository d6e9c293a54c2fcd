/**
 * Reads one `text/event-stream` body into events, with a size cap on each event. The cap
 * is enforced twice: on the parser's buffer (an event whose end never arrives, counted in
 * UTF-16 units, which never exceed the UTF-8 bytes they came from) and on each finished
 * event's data (counted in UTF-8 bytes).
 */
import { Buffer } from 'node:buffer';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { RemoteError } from '../errors.js';

/** Room for field names, `id:`/`event:` lines and line ends around a capped event's data. */
const FRAMING_ALLOWANCE = 4096;

/**
 * Feeds a body to an SSE parser and hands each event to `onEvent` until the body ends,
 * fails, or `onEvent` returns false.
 *
 * @param body - the response body (chunks of UTF-8)
 * @param maxEventBytes - cap of one event's data, in bytes
 * @param onEvent - called per event; return false to stop reading (the body is then destroyed)
 * @returns when the body ended or reading stopped
 * @throws RemoteError `TOO_LARGE` when an event is over the cap (a stream cannot skip part
 *   of an event safely, so the whole stream is given up); the body's own error when it fails
 */
export async function readSseEvents(
  body: AsyncIterable<Uint8Array>,
  maxEventBytes: number,
  onEvent: (event: EventSourceMessage) => boolean,
): Promise<void> {
  let tooLarge = false;
  let stop = false;
  const parser = createParser({
    maxBufferSize: maxEventBytes + FRAMING_ALLOWANCE,
    onEvent(event) {
      if (stop) return;
      if (Buffer.byteLength(event.data, 'utf8') > maxEventBytes) {
        tooLarge = true;
        stop = true;
        return;
      }
      if (!onEvent(event)) stop = true;
    },
    onError(error) {
      // Unknown fields and bad `retry` values are ignored, as EventSource does.
      if (error.type === 'max-buffer-size-exceeded') {
        tooLarge = true;
        stop = true;
      }
    },
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (stop) break;
  }
  if (tooLarge) {
    throw new RemoteError('TOO_LARGE', `an SSE event is over the cap of ${maxEventBytes} bytes`);
  }
}
