import { describe, expect, it } from '@jest/globals';
import { createRuntimeGuard, parsePolicy } from '../src/index.js';

// The documented example: write_file only under /tmp, plus a prompt and a URI rule.
const POLICY = `name: runtime
mode: strict
rules: []
runtime:
  - name: write-only-tmp
    expr: call.tool != "write_file" || normalizePath(call.arguments.path).startsWith("/tmp/")
    failure_msg: write_file is allowed only under /tmp
  - name: no-admin-prompt
    expr: call.method != "prompts/get" || call.prompt != "admin"
    failure_msg: the admin prompt is not allowed
  - name: no-file-reads
    expr: call.method != "resources/read" || uriScheme(call.uri) != "file"
    failure_msg: file resources are not readable
`;

describe('createRuntimeGuard', () => {
  const guard = createRuntimeGuard(parsePolicy(POLICY));

  describe('when the call satisfies every rule', () => {
    it.each([
      [{ method: 'tools/call', tool: 'write_file', arguments: { path: '/tmp/out.txt', content: 'x' } }],
      [{ method: 'tools/call', tool: 'read_file', arguments: { path: '/etc/hosts' } }],
      [{ method: 'prompts/get', prompt: 'greet' }],
      [{ method: 'resources/read', uri: 'https://example.invalid/x' }],
    ])('allows %j', (call) => {
      expect(guard(call)).toEqual({ allow: true });
    });
  });

  describe('when a rule returns false', () => {
    it.each([
      [{ method: 'tools/call', tool: 'write_file', arguments: { path: '/etc/passwd' } }, 'write-only-tmp: write_file is allowed only under /tmp'],
      [{ method: 'tools/call', tool: 'write_file', arguments: { path: '/tmp/../etc/passwd' } }, 'write-only-tmp: write_file is allowed only under /tmp'],
      [{ method: 'prompts/get', prompt: 'admin' }, 'no-admin-prompt: the admin prompt is not allowed'],
      [{ method: 'resources/read', uri: 'FILE:///etc/hosts' }, 'no-file-reads: file resources are not readable'],
    ])('denies %j with the first failing rule', (call, reason) => {
      expect(guard(call)).toEqual({ allow: false, reason });
    });
  });

  describe('when a rule cannot be evaluated', () => {
    it.each([
      [{ method: 'tools/call', tool: 'write_file', arguments: {} }],
      [{ method: 'tools/call', tool: 'write_file', arguments: { path: 42 } }],
      [{ method: 'tools/call', tool: 'write_file', arguments: 'not an object' }],
    ])('denies %j (fail closed)', (call) => {
      expect(guard(call)).toEqual({ allow: false, reason: 'write-only-tmp: write_file is allowed only under /tmp' });
    });
  });

  describe('when the policy has no runtime rules', () => {
    it('allows every call', () => {
      const open = createRuntimeGuard(parsePolicy('name: none\nrules: []\n'));
      expect(open({ method: 'tools/call', tool: 'anything' })).toEqual({ allow: true });
    });
  });
});
