import { describe, expect, it } from '@jest/globals';
import * as remote from '@mcptrust/remote';
import * as errors from '@mcptrust/remote/errors';

describe('@mcptrust/remote export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(remote).sort()).toEqual([
      'DEFAULT_CLIENT_METADATA_URL',
      'RemoteError',
      'TokenStore',
      'assertAddressAllowed',
      'canonicalResource',
      'checkBrowserUrl',
      'checkClientMetadataUrl',
      'classifyAddress',
      'createClientCredentials',
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
      'privateKeyAlgorithm',
      'signClientAssertion',
      'systemBrowserOpener',
    ]);
    expect(Object.keys(errors).sort()).toEqual(['RemoteError']);
  });
});
