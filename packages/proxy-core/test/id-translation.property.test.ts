import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHarness, req } from './helpers/engine-harness.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('property: ID translation', () => {
  it('never lets a host ID reach the server and answers every host request exactly once or with a timeout', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.stringMatching(/^HOSTID[A-Za-z0-9]{1,12}$/)), { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom('answer', 'duplicate', 'ignore', 'wrong'), { minLength: 12, maxLength: 12 }),
        async (ids, behaviours) => {
          const h = createHarness({ requestTimeoutMs: 20 });
          h.initialize();
          for (const id of ids) h.host(req(id, 'tools/call', { name: 'echo', arguments: { text: 'hello' } }));
          const sent = [...h.toServer];
          sent.forEach((m, i) => {
            const b = behaviours[i % behaviours.length];
            if (b === 'ignore') return;
            const id = b === 'wrong' ? String(m['id']) + 'x' : m['id'];
            h.server({ jsonrpc: '2.0', id, result: { content: [] } });
            if (b === 'duplicate') h.server({ jsonrpc: '2.0', id, result: { content: [] } });
          });
          for (let i = 0; i < 50 && h.engine.stats().pending > 0; i++) await wait(10);
          for (const line of h.rawToServer) {
            const parsed = JSON.parse(line);
            for (const id of ids) {
              expect(parsed['id']).not.toBe(id);
              if (typeof id === 'string') expect(line).not.toContain(id);
            }
          }
          const answers = h.toHost.filter((m) => m['id'] !== undefined);
          expect(answers.map((m) => m['id']).sort()).toEqual([...ids].sort());
          h.engine.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});
