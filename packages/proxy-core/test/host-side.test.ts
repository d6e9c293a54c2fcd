/**
 * The host side both bridges share: NDJSON output (texts and byte parts in order),
 * backpressure reported once the host output is full, host lines delivered to the
 * engine with the line cap (PROTOCOL 1, 40).
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import type { ProxyEngine } from '../src/engine.types.js';
import { HostSide, OutputQueue } from '../src/host-side.js';

describe('host side', () => {
  it('writes queued texts and byte parts as NDJSON, in order', () => {
    const out = new PassThrough();
    const q = new OutputQueue();
    q.push('{"a":1}');
    q.pushBytes([Buffer.from('{"b":'), Buffer.from('2}')]);
    q.push('{"c":3}');
    expect(q.writeTo(out)).toBe(true);
    expect(q.length).toBe(0);
    expect(out.read()!.toString()).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  });

  it('reports a full host output and resumes on drain', async () => {
    const chunks: Buffer[] = [];
    let release!: () => void;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        release = cb;
      },
    });
    const host = new HostSide({ hostInput: new PassThrough(), hostOutput: slow });
    host.output.push('{"jsonrpc":"2.0","id":1,"result":{}}');
    let resumed = 0;
    let full = 0;
    host.write((onDrain) => {
      full++;
      onDrain(() => resumed++);
    });
    expect(full).toBe(1);
    expect(resumed).toBe(0);
    const drained = new Promise<void>((r) => slow.once('drain', () => r()));
    release();
    await drained;
    expect(resumed).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
  });

  it('delivers host lines to the engine, refuses an oversized one, and reports the end of input', async () => {
    const input = new PassThrough();
    const host = new HostSide({ hostInput: input, hostOutput: new PassThrough(), maxLineBytes: 16 });
    const lines: string[] = [];
    const oversized: number[] = [];
    const engine = { receiveFromHost: (l: string) => lines.push(l), hostLineTooLong: (n: number) => oversized.push(n) } as unknown as ProxyEngine;
    const ended = new Promise<void>((r) => host.listen(engine, r));
    input.write('{"a":1}\r\n{"much-too-long-line":true}\n{"b"');
    input.end(':2}\n');
    await ended;
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(oversized).toHaveLength(1);
    host.stop();
    expect(input.listenerCount('data')).toBe(0);
  });
});
