/**
 * The engine with a guard made by @mcptrust/policy from runtime rules: the documented
 * example (write_file only under /tmp) allows and denies through the real engine.
 */
import { describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import { createRuntimeGuard, parsePolicy } from '@mcptrust/policy';
import { DENIAL_CODES } from '../src/protocol.js';
import { createHarness, req } from './helpers/engine-harness.js';

const POLICY = `name: tmp-writes
mode: strict
rules: []
runtime:
  - name: write-only-tmp
    expr: call.tool != "write_file" || normalizePath(call.arguments.path).startsWith("/tmp/")
    failure_msg: write_file is allowed only under /tmp
`;

function lockfile() {
  return buildLockfile({
    reportVersion: 1,
    scannedAt: '2025-01-01T00:00:00.000Z',
    server: { name: 'mcptrust-fixture', version: '1.0.0', protocolVersion: '2025-06-18', capabilities: { tools: {} } },
    tools: [
      {
        name: 'write_file',
        description: 'Write a file.',
        inputSchema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path'] },
        riskLevel: 'HIGH',
        riskReasons: [],
      },
    ],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    findings: [],
  });
}

describe('callGuard from @mcptrust/policy runtime rules', () => {
  const callGuard = createRuntimeGuard(parsePolicy(POLICY, { file: 'tmp-writes.yaml' }));

  describe('when the call satisfies the rule', () => {
    it('forwards write_file under /tmp to the server', () => {
      const h = createHarness({ lockfile: lockfile(), callGuard });
      h.initialize();
      h.host(req(1, 'tools/call', { name: 'write_file', arguments: { path: '/tmp/out.txt', content: 'x' } }));
      expect(h.toServer).toHaveLength(1);
      expect(h.lastToServer()['params']['arguments']['path']).toBe('/tmp/out.txt');
    });
  });

  describe('when the rule denies the call', () => {
    it.each(['/etc/passwd', '/tmp/../etc/passwd'])('answers POLICY_DENIED with the rule and message for %s', (path) => {
      const h = createHarness({ lockfile: lockfile(), callGuard });
      h.initialize();
      h.host(req(2, 'tools/call', { name: 'write_file', arguments: { path, content: 'x' } }));
      expect(h.toServer).toHaveLength(0);
      const error = h.lastToHost()['error'];
      expect(error['code']).toBe(DENIAL_CODES.POLICY_DENIED);
      expect(error['message']).toBe('MCPTRUST_DENIED: write-only-tmp: write_file is allowed only under /tmp');
    });
  });
});
