import { describe, expect, it } from '@jest/globals';
import * as remote from '@mcptrust/remote';
import * as errors from '@mcptrust/remote/errors';

describe('@mcptrust/remote export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(remote).sort()).toEqual([
      'RemoteError',
      'TokenStore',
      'assertAddressAllowed',
      'canonicalResource',
      'checkBrowserUrl',
      'classifyAddress',
      'createGuardedDispatcher',
      'createGuardedFetch',
      'createOAuthCredentials',
      'createUpstreamClientTransport',
      'defaultConfigDir',
      'endpointOf',
      'isLoopbackAddress',
      'isLoopbackUrl',
      'loginRemote',
      'openTokenStore',
      'openUpstream',
      'parseUpstreamUrl',
      'systemBrowserOpener',
    ]);
    expect(Object.keys(errors).sort()).toEqual(['RemoteError']);
  });
});
