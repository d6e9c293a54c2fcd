import { describe, expect, it } from '@jest/globals';
import { RemoteError } from '../../src/errors.js';
import { endpointOf, isLoopbackUrl, parseUpstreamUrl } from '../../src/net/upstream-url.js';

// Parsing only: nothing here opens a connection.
const ACCEPTED: Array<[string, string]> = [
  ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp'],
  ['https://mcp.example.com', 'https://mcp.example.com/'],
  ['https://mcp.example.com:8443/v1/mcp?key=secret', 'https://mcp.example.com:8443/v1/mcp'],
  ['HTTPS://MCP.Example.COM/MCP', 'https://mcp.example.com/MCP'],
  ['https://10.0.0.1/mcp', 'https://10.0.0.1/mcp'], // the address is the dispatcher's business
  ['http://127.0.0.1:3000/mcp', 'http://127.0.0.1:3000/mcp'],
  ['http://127.9.8.7/mcp', 'http://127.9.8.7/mcp'],
  ['http://127.1:3000/sse', 'http://127.0.0.1:3000/sse'],
  ['http://[::1]:3000/mcp', 'http://[::1]:3000/mcp'],
  ['http://localhost:3000/mcp', 'http://localhost:3000/mcp'],
  ['http://LOCALHOST/mcp', 'http://localhost/mcp'],
  ['http://[::ffff:127.0.0.1]/mcp', 'http://[::ffff:7f00:1]/mcp'],
];

const REFUSED: Array<[string, string]> = [
  ['http://mcp.example.com/mcp', 'plain http:// is allowed only to a loopback host'],
  ['http://10.0.0.1/mcp', 'plain http:// is allowed only to a loopback host'],
  ['http://169.254.169.254/latest', 'plain http:// is allowed only to a loopback host'],
  ['http://[fd00::1]/mcp', 'plain http:// is allowed only to a loopback host'],
  ['http://localhost.example.com/mcp', 'plain http:// is allowed only to a loopback host'],
  ['http://0.0.0.0:3000/mcp', 'plain http:// is allowed only to a loopback host'],
  ['https://user:pass@mcp.example.com/mcp', 'credentials in URLs are not allowed'],
  ['https://token@mcp.example.com/mcp', 'credentials in URLs are not allowed'],
  ['https://mcp.example.com/mcp#frag', 'a fragment (#...) is not allowed'],
  ['https://mcp.example.com/mcp#', 'a fragment (#...) is not allowed'],
  ['ftp://mcp.example.com/mcp', 'only https://'],
  ['ws://127.0.0.1/mcp', 'only https://'],
  ['file:///etc/passwd', 'only https://'],
  ['mcp.example.com/mcp', 'not a valid URL'],
  ['', 'not a valid URL'],
  ['https://exa mple.com/', 'not a valid URL'],
];

describe('parseUpstreamUrl', () => {
  it.each(ACCEPTED)('accepts %s (endpoint %s)', (raw, endpoint) => {
    const url = parseUpstreamUrl(raw);
    expect(url).toBeInstanceOf(URL);
    expect(endpointOf(url)).toBe(endpoint);
  });

  it.each(REFUSED)('refuses %s', (raw, reason) => {
    let error: unknown;
    try {
      parseUpstreamUrl(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('INSECURE_URL');
    expect((error as RemoteError).message).toContain(reason);
  });

  it('keeps the query in the URL but never shows it, or credentials, in a message', () => {
    expect(parseUpstreamUrl('https://mcp.example.com/mcp?token=s3cret').search).toBe('?token=s3cret');
    const messages: string[] = [];
    for (const raw of [
      'http://mcp.example.com/mcp?token=s3cret',
      'https://user:s3cret@mcp.example.com/mcp?token=s3cret',
      'https://mcp.example.com/mcp?token=s3cret#s3cret',
      'gopher://mcp.example.com/mcp?token=s3cret',
      'https://user:s3cret@exa mple.com/?token=s3cret',
    ]) {
      try {
        parseUpstreamUrl(raw);
      } catch (error) {
        messages.push((error as Error).message);
      }
    }
    expect(messages).toHaveLength(5);
    for (const message of messages) expect(message).not.toContain('s3cret');
    expect(messages[0]).toContain('http://mcp.example.com/mcp');
  });
});

describe('endpointOf', () => {
  it('is origin and path, without credentials, query or fragment', () => {
    expect(endpointOf(new URL('https://u:p@mcp.example.com:443/a/b?x=1#y'))).toBe('https://mcp.example.com/a/b');
    expect(endpointOf(new URL('http://[::1]:8080/mcp'))).toBe('http://[::1]:8080/mcp');
  });
});

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1/', true],
    ['https://127.200.0.1:9/', true],
    ['http://[::1]/', true],
    ['http://localhost:1/', true],
    ['http://[::ffff:127.0.0.1]/', true],
    ['https://mcp.example.com/', false],
    ['http://10.0.0.1/', false],
    ['http://[::2]/', false],
    ['http://localhost.localdomain/', false],
  ] as Array<[string, boolean]>)('%s → %s', (raw, expected) => {
    expect(isLoopbackUrl(new URL(raw))).toBe(expected);
  });
});
