import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '@mcptrust/lockfile';
import { printFindings } from '../src/report.js';
import type { Io } from '../src/output.js';

function capture(color = false): { io: Io; stderr: () => string } {
  let text = '';
  // Collects synchronously, so the test reads what was written right after the call.
  const err = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { io: { stdout: new PassThrough(), stderr: err, color, env: {} }, stderr: () => text };
}

const finding = (severity: Finding['severity']): Finding => ({
  code: 'HIGH_RISK_TOOL',
  severity,
  itemType: 'tool',
  itemId: 'write_file',
  field: '',
  message: 'writes files',
});

describe('printFindings', () => {
  describe('when a finding is printed', () => {
    it.each([
      ['warning', 'warning HIGH_RISK_TOOL tool `write_file`: writes files'],
      ['high', 'warning [high] HIGH_RISK_TOOL tool `write_file`: writes files'],
      ['info', 'info HIGH_RISK_TOOL tool `write_file`: writes files'],
    ] as const)('says the severity %s once', (severity, line) => {
      const { io, stderr } = capture();
      printFindings(io, [finding(severity)]);
      expect(stderr()).toBe(`${line}\n`);
      expect(stderr()).not.toMatch(/warning \[warning\]|info \[info\]/);
    });

    it('colours the label only when colours are on', () => {
      const { io, stderr } = capture(true);
      printFindings(io, [finding('warning')]);
      expect(stderr()).toBe('\u001b[33mwarning\u001b[0m HIGH_RISK_TOOL tool `write_file`: writes files\n');
    });
  });
});
