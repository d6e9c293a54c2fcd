/**
 * Counterexamples the fuzzer found through `guardTransport`, kept as plain tests.
 */
import { describe, expect, it } from '@jest/globals';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { guardTransport } from '../../src/guard-transport.js';
import { testLockfile } from '../helpers/engine-harness.js';

class Inner implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  readonly sent: JSONRPCMessage[] = [];
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
  }
  async close(): Promise<void> {}
}

describe('regression: guardTransport.send with a message too deep to serialize', () => {
  it('rejects with ProxyError INVALID_MESSAGE instead of a stack overflow, and sends nothing', async () => {
    // Fuzz counterexample: a tools/call whose arguments nest 4,183 objects deep.
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const inner = new Inner();
    const guarded = guardTransport(inner, { lockfile: testLockfile(), preflight: false });
    await guarded.start();
    const msg = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: deep } } } as unknown as JSONRPCMessage;
    await expect(guarded.send(msg)).rejects.toMatchObject({ name: 'ProxyError', code: 'INVALID_MESSAGE' });
    expect(inner.sent).toEqual([]);
    await guarded.close();
  });
});
