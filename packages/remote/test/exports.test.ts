import { describe, expect, it } from '@jest/globals';
import * as remote from '@mcptrust/remote';
import * as errors from '@mcptrust/remote/errors';

describe('@mcptrust/remote export surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(remote).sort()).toEqual([
      'RemoteError',
      'assertAddressAllowed',
      'classifyAddress',
      'createGuardedDispatcher',
      'createGuardedFetch',
      'createUpstreamClientTransport',
      'endpointOf',
      'isLoopbackAddress',
      'isLoopbackUrl',
      'openUpstream',
      'parseUpstreamUrl',
    ]);
    expect(Object.keys(errors).sort()).toEqual(['RemoteError']);
  });
});
