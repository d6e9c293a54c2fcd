// readSseEvents: events come out the same however the bytes are cut into chunks (even
// inside a UTF-8 sequence), and an event over the cap (in UTF-8 bytes) stops the stream
// with TOO_LARGE after the events before it.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RemoteError } from '../../src/errors.js';
import { readSseEvents } from '../../src/http/legacy-sse-stream.js';

interface Event {
  readonly event: string | undefined;
  readonly data: string;
}

const CAP = 64;

const eventArb: fc.Arbitrary<Event> = fc.record({
  event: fc.constantFrom(undefined, 'message', 'endpoint'),
  // Any code point but CR (a line end of its own); LF splits the data into several lines.
  data: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\r', '')),
});

function encode(events: readonly Event[]): Uint8Array {
  const text = events
    .map((e) => `${e.event === undefined ? '' : `event: ${e.event}\n`}${e.data.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`)
    .join(': keep-alive\n\n');
  return new TextEncoder().encode(text);
}

/** Cuts bytes at the given (sorted, deduplicated) offsets. */
function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

async function* body(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function read(chunks: readonly Uint8Array[], cap: number): Promise<{ events: Event[]; error: unknown }> {
  const events: Event[] = [];
  try {
    await readSseEvents(body(chunks), cap, (e) => {
      events.push({ event: e.event, data: e.data });
      return true;
    });
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe('readSseEvents', () => {
  it('yields the same events however the stream is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), async (events, offsets) => {
        const fitting = events.filter((e) => Buffer.byteLength(e.data) <= CAP);
        const { events: got, error } = await read(cut(encode(fitting), offsets), CAP);
        expect(error).toBeUndefined();
        expect(got).toEqual(fitting);
      }),
      { numRuns: 300 },
    );
  });

  it('stops with TOO_LARGE at the first event over the cap, after the events before it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), async (events, offsets) => {
        const tooLarge = events.findIndex((e) => Buffer.byteLength(e.data) > CAP / 4);
        fc.pre(tooLarge !== -1);
        const { events: got, error } = await read(cut(encode(events), offsets), CAP / 4);
        expect(error).toBeInstanceOf(RemoteError);
        expect((error as RemoteError).code).toBe('TOO_LARGE');
        expect(got).toEqual(events.slice(0, tooLarge));
      }),
      { numRuns: 300 },
    );
  });

  it('stops reading when the callback says so', async () => {
    const chunks = [encode([{ event: undefined, data: 'one' }, { event: undefined, data: 'two' }])];
    const seen: string[] = [];
    await readSseEvents(body(chunks), CAP, (e) => {
      seen.push(e.data);
      return false;
    });
    expect(seen).toEqual(['one']);
  });
});
