import { describe, expect, it } from '@jest/globals';
import { formatAuditLine } from '@mcptrust/audit';
import type { AuditEvent } from '@mcptrust/audit';

const base: AuditEvent = { time: '2025-01-01T00:00:00.000Z', action: 'blocked', direction: 'host_to_server' };

describe('formatAuditLine', () => {
  describe('when the event is a blocked tool call', () => {
    it("produces the brief's line form", () => {
      expect(
        formatAuditLine({ ...base, method: 'tools/call', tool: 'exec_shell', reason: 'not in allowlist' }),
      ).toBe('mcptrust: action=blocked method=tools/call tool=exec_shell reason="not in allowlist"');
    });
  });

  describe('when a value is attacker-controlled', () => {
    it('quotes a tool name with spaces and = so it cannot forge a field', () => {
      const line = formatAuditLine({ ...base, tool: 'x action=allowed', reason: 'r' });
      expect(line).toBe('mcptrust: action=blocked tool="x action=allowed" reason="r"');
    });

    it('escapes quotes and backslashes inside quoted values', () => {
      const line = formatAuditLine({ ...base, tool: 'a" reason="ok\\', reason: 'x' });
      expect(line).toBe('mcptrust: action=blocked tool="a\\" reason=\\"ok\\\\" reason="x"');
    });

    it.each([['\n'], ['\r'], ['\u2028'], ['\u202e'], ['\u0000'], ['\u200b']])(
      'escapes %j so the line stays single and printable',
      (ch) => {
        const line = formatAuditLine({ ...base, tool: `evil${ch}mcptrust: action=allowed`, reason: `r${ch}` });
        expect(line).not.toContain(ch);
        expect(line.split('\n')).toHaveLength(1);
        expect(line).toContain('\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
      },
    );
  });

  describe('when optional fields are present', () => {
    it('prints code, errorCode, count and items', () => {
      const line = formatAuditLine({
        ...base,
        action: 'filtered',
        method: 'tools/list',
        code: 'TOOL_NOT_ALLOWED',
        errorCode: -32051,
        count: 2,
        items: ['a', 'b c'],
      });
      expect(line).toBe(
        'mcptrust: action=filtered method=tools/list code=TOOL_NOT_ALLOWED errorCode=-32051 count=2 items="a,b c"',
      );
    });

    it('omits absent fields', () => {
      expect(formatAuditLine({ ...base, action: 'dropped' })).toBe('mcptrust: action=dropped');
    });
  });
});
