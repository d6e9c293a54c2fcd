import { describe, expect, it } from '@jest/globals';
import { isAbsolute } from 'node:path';
import { LOOPBACK_CERT_PATH, loopbackTls } from '../support/tls.js';

describe('loopbackTls', () => {
  it('reads the fixture certificate and key', () => {
    const { cert, key } = loopbackTls();
    expect(cert).toContain('BEGIN CERTIFICATE');
    expect(key).toContain('PRIVATE KEY');
    expect(isAbsolute(LOOPBACK_CERT_PATH)).toBe(true);
  });
});
