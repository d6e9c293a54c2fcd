import { describe, expect, it } from '@jest/globals';
import * as proxyCore from '@mcptrust/proxy-core';
import * as http from '@mcptrust/proxy-core/http';

describe('@mcptrust/proxy-core export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(proxyCore).sort()).toEqual([
      'DEFAULT_MAX_LINE_BYTES',
      'DEFAULT_MAX_PENDING',
      'DEFAULT_REQUEST_TIMEOUT_MS',
      'DEFAULT_SHUTDOWN_GRACE_MS',
      'DENIAL_CODES',
      'LATEST_PROTOCOL_VERSION',
      'LineSplitter',
      'MAX_URI_LENGTH',
      'ProxyError',
      'SUPPORTED_PROTOCOL_VERSIONS',
      'compileUriTemplate',
      'createProxyEngine',
      'createStdioBridge',
      'effectiveAllowlist',
      'guardTransport',
    ]);
  });

  it('exports the HTTP bridge from its own entry only', () => {
    expect(Object.keys(http).sort()).toEqual(['createHttpBridge']);
  });

  it('ProxyError carries code, cause and items', () => {
    const cause = new Error('x');
    const err = new proxyCore.ProxyError('PREFLIGHT_DRIFT', 'drift', { cause, items: ['tool:a'] });
    expect(err).toMatchObject({ code: 'PREFLIGHT_DRIFT', cause, items: ['tool:a'], name: 'ProxyError' });
  });
});
