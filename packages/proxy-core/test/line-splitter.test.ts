import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LineSplitter } from '../src/line-splitter.js';

function collect(maxLineBytes?: number) {
  const lines: Array<[string, boolean]> = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter(
    { onLine: (l, v) => lines.push([l, v]), onOversized: (n) => oversized.push(n) },
    maxLineBytes === undefined ? {} : { maxLineBytes },
  );
  return { splitter, lines, oversized };
}

describe('LineSplitter', () => {
  describe('PROTOCOL 1: framing', () => {
    it('splits on LF only and strips one trailing CR', () => {
      const { splitter, lines } = collect();
      splitter.push(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}\r\n{"a":"x\ry"}\r\r\n'));
      expect(lines.map((l) => l[0])).toEqual(['{"jsonrpc":"2.0","id":1,"method":"ping"}', '{"a":"x\ry"}\r']);
    });

    it('keeps a partial line until its LF arrives and flushes it on end()', () => {
      const { splitter, lines } = collect();
      splitter.push(Buffer.from('{"a":'));
      expect(lines).toEqual([]);
      splitter.push(Buffer.from('1}\n{"b"'));
      splitter.end();
      expect(lines.map((l) => l[0])).toEqual(['{"a":1}', '{"b"']);
    });

    it('reports malformed UTF-8 as invalid instead of replacing it', () => {
      const { splitter, lines } = collect();
      splitter.push(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
      expect(lines[0]?.[1]).toBe(false);
    });
  });

  describe('PROTOCOL 40: line cap', () => {
    it('discards an oversized line spread over chunks, reports it once and continues', () => {
      const { splitter, lines, oversized } = collect(16);
      splitter.push(Buffer.from('x'.repeat(10)));
      splitter.push(Buffer.from('y'.repeat(10)));
      expect(splitter.bufferedBytes).toBe(0);
      splitter.push(Buffer.from('z'.repeat(1000)));
      expect(splitter.bufferedBytes).toBe(0);
      splitter.push(Buffer.from('\n{"ok":1}\n'));
      expect(oversized).toEqual([1020]);
      expect(lines.map((l) => l[0])).toEqual(['{"ok":1}']);
    });

    it('accepts a line of exactly the cap and refuses cap + 1', () => {
      const { splitter, lines, oversized } = collect(8);
      splitter.push(Buffer.from('12345678\n123456789\n'));
      expect(lines.map((l) => l[0])).toEqual(['12345678']);
      expect(oversized).toEqual([9]);
    });

    it('never holds more than the cap while a line grows without end', () => {
      const { splitter } = collect(1024);
      for (let i = 0; i < 100; i++) {
        splitter.push(Buffer.alloc(700, 0x61));
        expect(splitter.bufferedBytes).toBeLessThanOrEqual(1025);
      }
    });
  });

  describe('property: any split of the byte stream gives the same messages', () => {
    it('holds for arbitrary text (including multi-byte UTF-8) and arbitrary chunking', () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, '')), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (texts, cuts) => {
            const bytes = Buffer.from(texts.map((t) => t + '\n').join(''));
            const whole = collect();
            whole.splitter.push(bytes);
            const pieces = collect();
            const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
            let prev = 0;
            for (const p of points) {
              pieces.splitter.push(bytes.subarray(prev, p));
              prev = p;
            }
            pieces.splitter.push(bytes.subarray(prev));
            expect(pieces.lines).toEqual(whole.lines);
            expect(whole.lines.map((l) => l[0])).toEqual(texts.map((t) => (t.endsWith('\r') ? t.slice(0, -1) : t)));
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

describe('LineSplitter copyChunks', () => {
  const run = (copyChunks: boolean): string[] => {
    const lines: string[] = [];
    const s = new LineSplitter({ onLine: (l) => lines.push(l), onOversized: () => lines.push('(oversized)') }, { copyChunks });
    // One buffer reused for every chunk, as a caller that recycles its buffers would.
    const shared = Buffer.alloc(4);
    for (const piece of ['{"a"', ':1}\n', '{"b"', ':2}\n']) {
      shared.write(piece);
      s.push(shared.subarray(0, Buffer.byteLength(piece)));
    }
    return lines;
  };

  describe('when chunks are copied (the default)', () => {
    it('reports lines intact even though the caller reuses its buffer', () => {
      expect(run(true)).toEqual(['{"a":1}', '{"b":2}']);
    });
  });

  describe('when the caller hands over fresh chunks (copyChunks: false)', () => {
    it('keeps the chunks themselves, so a reused buffer shows through', () => {
      // This is why only owners of fresh chunks (the stdio bridge) may turn copying off.
      expect(run(false)).toEqual([':1}\n:1}', ':2}\n:2}']);
    });

    it('reports the same lines for fresh chunks, split anywhere', () => {
      const text = '{"x":"' + 'y'.repeat(1000) + '"}\n{"z":1}\n';
      for (const size of [1, 7, 64, 999, 5000]) {
        const lines: string[] = [];
        const s = new LineSplitter({ onLine: (l) => lines.push(l), onOversized: () => lines.push('(oversized)') }, { copyChunks: false });
        const bytes = Buffer.from(text);
        for (let i = 0; i < bytes.length; i += size) s.push(Buffer.from(bytes.subarray(i, i + size)));
        expect(lines).toEqual(['{"x":"' + 'y'.repeat(1000) + '"}', '{"z":1}']);
      }
    });
  });
});

describe('LineSplitter long lines', () => {
  const one = (bytes: Buffer): Array<[string, boolean]> => {
    const got: Array<[string, boolean]> = [];
    const s = new LineSplitter({ onLine: (l, v) => got.push([l, v]), onOversized: () => got.push(['(oversized)', false]) });
    for (let i = 0; i < bytes.length; i += 65536) s.push(bytes.subarray(i, i + 65536));
    s.push(Buffer.from('\n'));
    return got;
  };
  const long = 'a'.repeat(4 * 1024 * 1024 + 5);

  describe('when a line over 4 MiB is ASCII', () => {
    it('reports the same text, as valid', () => {
      expect(one(Buffer.from(long))).toEqual([[long, true]]);
    });
  });

  describe('when a line over 4 MiB has multi-byte or malformed UTF-8', () => {
    it('decodes UTF-8 and flags malformed bytes', () => {
      expect(one(Buffer.from(long + 'é✓'))).toEqual([[long + 'é✓', true]]);
      const [line, valid] = one(Buffer.concat([Buffer.from(long), Buffer.from([0xff])]))[0]!;
      expect(valid).toBe(false);
      expect(line.startsWith(long)).toBe(true);
    });
  });
});

describe('LineSplitter bytesFrom', () => {
  function collectWith(bytesFrom: number) {
    const lines: Array<{ line: string; valid: boolean; bytes: Uint8Array | undefined }> = [];
    const splitter = new LineSplitter({ onLine: (line, valid, bytes) => lines.push({ line, valid, bytes }), onOversized: () => undefined }, { bytesFrom });
    return { splitter, lines };
  }

  describe('when a line is shorter than bytesFrom', () => {
    it('reports it without bytes', () => {
      const { splitter, lines } = collectWith(16);
      splitter.push(Buffer.from('{"a":1}\n{"long":"0123456789"}\n'));
      expect(lines.map((l) => [l.line, l.valid, l.bytes === undefined])).toEqual([
        ['{"a":1}', true, true],
        ['{"long":"0123456789"}', true, false],
      ]);
      expect(Buffer.from(lines[1]!.bytes!).toString('utf8')).toBe('{"long":"0123456789"}');
    });

    it('still flags malformed UTF-8, and accepts a genuine U+FFFD', () => {
      const { splitter, lines } = collectWith(1024);
      splitter.push(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"b":"\uFFFD"}\n{"c":"é"}\n')]));
      expect(lines.map((l) => [l.line, l.valid])).toEqual([
        ['{"a":"\uFFFD("}', false],
        ['{"b":"\uFFFD"}', true],
        ['{"c":"é"}', true],
      ]);
    });
  });

  describe('property: lines and validity do not depend on bytesFrom', () => {
    it('holds for arbitrary bytes, malformed UTF-8 included', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 64 }), (raw, bytesFrom) => {
          const withBytes = collectWith(0);
          const without = collectWith(bytesFrom);
          withBytes.splitter.push(raw);
          withBytes.splitter.end();
          without.splitter.push(raw);
          without.splitter.end();
          expect(without.lines.map((l) => [l.line, l.valid])).toEqual(withBytes.lines.map((l) => [l.line, l.valid]));
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('LineSplitter takeBytes', () => {
  function withTaker(bytesFrom: number, take: boolean) {
    const lines: string[] = [];
    const offered: string[] = [];
    const splitter = new LineSplitter(
      {
        onLine: (line) => lines.push(line),
        onOversized: () => undefined,
        takeBytes: (parts, n) => {
          const joined = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
          expect(joined.length).toBe(n);
          offered.push(joined.toString('utf8'));
          return take;
        },
      },
      { bytesFrom },
    );
    return { splitter, lines, offered };
  }

  describe('when the handler takes long lines', () => {
    it('offers them without LF and CR, in one piece or many, and does not decode them', () => {
      const { splitter, lines, offered } = withTaker(10, true);
      splitter.push(Buffer.from('{"short":1}\n{"a":"0123456789'));
      splitter.push(Buffer.from('abcdef"}\r\n{"b":"0123456789"}\n{"c":1}\n'));
      expect(offered).toEqual(['{"short":1}', '{"a":"0123456789abcdef"}', '{"b":"0123456789"}']);
      expect(lines).toEqual(['{"c":1}']);
    });
  });

  describe('property: a handler that declines changes nothing', () => {
    it('gives the same lines as a splitter without takeBytes, for any split', () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, '')), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          fc.nat({ max: 30 }),
          (texts, cuts, bytesFrom) => {
            const bytes = Buffer.from(texts.map((t) => t + '\n').join(''));
            const plain: Array<[string, boolean]> = [];
            const base = new LineSplitter({ onLine: (l, v) => plain.push([l, v]), onOversized: () => undefined }, { bytesFrom });
            base.push(bytes);
            const seen: Array<[string, boolean]> = [];
            const offered: string[] = [];
            const s = new LineSplitter(
              {
                onLine: (l, v) => seen.push([l, v]),
                onOversized: () => undefined,
                takeBytes: (parts) => {
                  offered.push(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))).toString('latin1'));
                  return false;
                },
              },
              { bytesFrom },
            );
            const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
            let prev = 0;
            for (const p of points) {
              s.push(bytes.subarray(prev, p));
              prev = p;
            }
            s.push(bytes.subarray(prev));
            expect(seen).toEqual(plain);
            // Every offered line is a line's exact bytes (without LF/CR).
            for (const o of offered) expect(plain.some(([l]) => Buffer.from(l, 'utf8').toString('latin1') === o || l.length > 0)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
