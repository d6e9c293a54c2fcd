// Numeric host ids keep the exact text they were written with (PROTOCOL 8), also on
// the short path that reads a leading `{"jsonrpc":"2.0","id":N` without a full scan.
import { describe, expect, it } from '@jest/globals';
import { createHarness } from './helpers/engine-harness.js';

function roundTrip(line: string): { toServer: number; hostText: string | undefined } {
  const h = createHarness();
  h.host(line);
  const sent = h.toServer.length;
  if (sent > 0) h.server({ jsonrpc: '2.0', id: h.lastToServer()['id'], result: {} });
  return { toServer: sent, hostText: h.rawToHost[h.rawToHost.length - 1] };
}

describe('host id text', () => {
  describe('when the id leads the envelope as a plain integer', () => {
    it.each(['7', '12', '-3', '9007199254740991'])('echoes %s exactly', (id) => {
      const r = roundTrip('{"jsonrpc":"2.0","id":' + id + ',"method":"ping"}');
      expect(r.toServer).toBe(1);
      expect(r.hostText).toContain('"id":' + id + ',');
    });

    it('echoes an id followed by whitespace or the end of the object', () => {
      expect(roundTrip('{"jsonrpc":"2.0","id":8 ,"method":"ping"}').hostText).toContain('"id":8,');
      expect(roundTrip('{"jsonrpc":"2.0","method":"ping","id":9}').hostText).toContain('"id":9,');
    });
  });

  describe('when the leading id is not written as a plain integer', () => {
    it.each(['7.0', '1e1', '70e-1'])('refuses %s as it did before (-32600, not forwarded)', (id) => {
      const r = roundTrip('{"jsonrpc":"2.0","id":' + id + ',"method":"ping"}');
      expect(r.toServer).toBe(0);
      expect(JSON.parse(r.hostText!)).toMatchObject({ error: { code: -32600 } });
    });

    it('echoes -0 as written (full scan), not as 0', () => {
      expect(roundTrip('{"jsonrpc":"2.0","id":-0,"method":"ping"}').hostText).toContain('"id":-0,');
    });

    it('echoes a big integer exactly (full scan)', () => {
      expect(roundTrip('{"jsonrpc":"2.0","id":90071992547409931,"method":"ping"}').hostText).toContain('"id":90071992547409931,');
    });
  });
});
