// serializeRecord writes the envelope, then the payload's members: for any payload, the
// same text as writing each member on its own (the definition the verifier relies on:
// a record's hash is over these exact bytes).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AuditError } from '../../src/errors.js';
import { ENVELOPE_KEYS, serializeRecord } from '../../src/chain/record.js';

const ENVELOPE = { v: 2, seq: 7, ts: '2026-01-02T03:04:05.678Z', chain: '220350ee-0712-4799-a75a-2c38ccd87499', type: 'decision', prev: 'a'.repeat(64) };

/** The per-member definition. */
function perMember(payload: Record<string, unknown>): string {
  let text = `{"v":2,"seq":7,"ts":"${ENVELOPE.ts}","chain":"${ENVELOPE.chain}","type":"decision","prev":"${ENVELOPE.prev}"`;
  for (const [key, value] of Object.entries(payload)) {
    const json = JSON.stringify(value);
    if (json !== undefined) text += `,${JSON.stringify(key)}:${json}`;
  }
  return `${text}}`;
}

describe('serializeRecord', () => {
  it('writes every payload member after the envelope, exactly as member by member (property)', () => {
    const key = fc.string().filter((k) => !ENVELOPE_KEYS.includes(k) && k !== '__proto__');
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(fc.jsonValue(), fc.constant(undefined))), (payload) => {
        const line = serializeRecord(ENVELOPE, payload, 'test');
        expect(line).toBe(perMember(payload));
        expect(JSON.parse(line)).toMatchObject({ seq: 7, type: 'decision' });
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out a member named toJSON that JSON cannot hold, instead of letting it rewrite the payload', () => {
    const payload = { a: 1, toJSON: () => ({ forged: true }) };
    expect(serializeRecord(ENVELOPE, payload, 'test')).toBe(perMember(payload));
  });

  it('names the member JSON cannot hold, and refuses envelope keys', () => {
    expect(() => serializeRecord(ENVELOPE, { ok: 1, big: 1n }, 'log')).toThrow(/payload key "big"/);
    expect(() => serializeRecord(ENVELOPE, { seq: 1 }, 'log')).toThrow(AuditError);
  });
});
