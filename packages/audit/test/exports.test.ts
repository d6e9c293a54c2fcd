import { describe, expect, it } from '@jest/globals';
import * as audit from '@mcptrust/audit';

describe('@mcptrust/audit export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(audit).sort()).toEqual(['AuditError', 'createMemoryAuditSink', 'formatAuditLine', 'noopAuditSink']);
  });
});
