import { describe, expect, it } from '@jest/globals';
import * as audit from '@mcptrust/audit';
import * as otel from '@mcptrust/audit/otel';

describe('@mcptrust/audit export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(audit).sort()).toEqual(
      [
        'AuditError',
        'ECS_VERSION',
        'LOG_LEVELS',
        'LOG_SCHEMA_VERSION',
        'OCSF_REQUIRED_ATTRIBUTES',
        'OCSF_SCHEMA_VERSION',
        'auditKeyId',
        'createAuditSigner',
        'createMemoryAuditSink',
        'decisionFields',
        'decisionLevel',
        'envNames',
        'formatAuditLine',
        'formatDecisionRecord',
        'formatLogRecord',
        'noopAuditSink',
        'openAuditLog',
        'readAuditHead',
        'redactArgv',
        'redactUri',
        'sanitizeText',
        'toEcsEvent',
        'toOcsfApiActivity',
        'traceIdOf',
        'truncateError',
        'validateReceipt',
        'verifyAuditLog',
        'writeReceipt',
      ].sort(),
    );
  });

  it('keeps OpenTelemetry behind the /otel subpath', () => {
    expect(Object.keys(otel)).toEqual(expect.arrayContaining(['createOtelAuditSink', 'startCommandSpan']));
    expect(Object.keys(audit)).not.toContain('createOtelAuditSink');
  });
});
