import { describe, expect, it } from '@jest/globals';
import { RemoteError } from '@mcptrust/remote';
import type { RemoteErrorCode } from '@mcptrust/remote';
import { describeRemoteEndpoint } from '../src/index.js';
import { remoteFailure } from '../src/scan-remote-failure.js';

describe('describeRemoteEndpoint', () => {
  it.each([
    ['https://mcp.example.com/mcp?api_key=secret#frag', 'https://mcp.example.com/mcp'],
    ['https://user:secret@mcp.example.com/v1/mcp', 'https://mcp.example.com/v1/mcp'],
    ['http://[::1]:8080/sse', 'http://[::1]:8080/sse'],
    ['not a url?token=secret', 'not a url'],
    ['weird://user:secret@host?x', 'weird://host'],
    ['://user:secret@host/p?x', '***@host/p'],
  ])('shows %s as %s', (raw, shown) => {
    expect(describeRemoteEndpoint(raw)).toBe(shown);
  });

  it('escapes control characters', () => {
    expect(describeRemoteEndpoint('bad\u001b[31m url')).not.toContain('\u001b');
  });
});

describe('remoteFailure', () => {
  it.each<[RemoteErrorCode, string]>([
    ['BLOCKED_ADDRESS', 'REMOTE_REFUSED'],
    ['CROSS_ORIGIN', 'REMOTE_REFUSED'],
    ['INSECURE_URL', 'REMOTE_REFUSED'],
    ['NETWORK_ERROR', 'REMOTE_UNREACHABLE'],
    ['UNAUTHORIZED', 'REMOTE_UNAUTHORIZED'],
    ['OAUTH_FAILED', 'REMOTE_UNAUTHORIZED'],
    ['TOKEN_STORE', 'REMOTE_UNAUTHORIZED'],
    ['HTTP_STATUS', 'REMOTE_HTTP_ERROR'],
    ['CONTENT_TYPE', 'INVALID_SERVER_RESPONSE'],
    ['TOO_LARGE', 'INVALID_SERVER_RESPONSE'],
    ['PROTOCOL_ERROR', 'INVALID_SERVER_RESPONSE'],
    ['SESSION_LOST', 'SERVER_EXITED'],
    ['STREAM_ENDED', 'SERVER_EXITED'],
    ['CLOSED', 'SERVER_EXITED'],
    ['INVALID_OPTIONS', 'INVALID_OPTIONS'],
  ])('maps %s to %s, keeping the RemoteError as the cause', (code, driftCode) => {
    const remote = new RemoteError(code, 'what happened', { status: 418 });
    const error = remoteFailure(remote, 'https://mcp.example.com/mcp', 'tools/list');
    expect(error.code).toBe(driftCode);
    expect(error.cause).toBe(remote);
    expect(error.message).toContain('what happened');
    if (code !== 'INSECURE_URL') expect(error.message).toContain('https://mcp.example.com/mcp');
  });

  it('adds the HTTP status when the transport message lacks it', () => {
    const error = remoteFailure(new RemoteError('BLOCKED_ADDRESS', 'the host resolves to a private address'), 'https://a.example/mcp', 'initialize');
    expect(error.message).toBe('refusing to scan https://a.example/mcp: the host resolves to a private address');
    const withStatus = remoteFailure(new RemoteError('HTTP_STATUS', 'the upstream said no', { status: 502 }), 'https://a.example/mcp', 'initialize');
    expect(withStatus.message).toContain('(HTTP 502)');
  });
});
