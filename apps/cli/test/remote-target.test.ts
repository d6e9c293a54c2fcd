import { describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ScanReport } from '@mcptrust/lockfile';
import { checkEndpoint, parseHeaderFlags, remoteTargetFrom } from '../src/remote-target.js';
import { UsageError } from '../src/exit-codes.js';

function lockAt(url: string | undefined): Lockfile {
  const scan: ScanReport = {
    reportVersion: 1,
    scannedAt: '2026-01-01T00:00:00.000Z',
    server: { name: 'remote', version: '1', protocolVersion: '2025-11-25', capabilities: {}, ...(url === undefined ? {} : { url }) },
    tools: [],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    findings: [],
  };
  return buildLockfile(scan, { updatedAt: '2026-01-01T00:00:00.000Z' });
}

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('--header', () => {
  it('expands ${VAR} from the environment and lower-cases the name', () => {
    expect(parseHeaderFlags(['Authorization: Bearer ${TOKEN}', 'X-Tenant:  acme '], { TOKEN: 's3cret' })).toEqual({ authorization: 'Bearer s3cret', 'x-tenant': 'acme' });
  });

  it('names an unset variable and never the value', () => {
    const error = usageError(() => parseHeaderFlags(['Authorization: Bearer ${MISSING_TOKEN}'], {}));
    expect(error.message).toBe('--header Authorization: the environment variable MISSING_TOKEN is not set');
  });

  it('warns about a literal credential without printing it', () => {
    const warnings: string[] = [];
    parseHeaderFlags(['Authorization: Bearer literal-secret-value'], {}, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('--header Authorization carries a literal value');
    expect(warnings[0]).not.toContain('literal-secret-value');
  });

  it.each([
    ['no colon', 'Authorization Bearer x', '--header: expected "Name: value"'],
    ['a header the transport sets', 'Mcp-Session-Id: abc', '--header Mcp-Session-Id: this header is set by the MCP transport itself'],
    ['a line break from the environment', 'X-A: ${NL}', '--header X-A: the value contains a line break'],
    ['an empty value', 'X-A:', '--header X-A: the value is empty'],
  ])('refuses %s', (_what, flag, message) => {
    const error = usageError(() => parseHeaderFlags([flag], { NL: 'a\r\nInjected: 1' }));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toContain('Injected');
  });

  it('refuses the same header twice, whatever its case', () => {
    expect(usageError(() => parseHeaderFlags(['X-A: 1', 'x-a: 2'], {})).message).toBe('--header x-a: given twice');
  });
});

describe('--url', () => {
  it('names a remote server with its transport and headers', () => {
    const target = remoteTargetFrom({ url: 'https://mcp.example.com/mcp', header: 'X-A: 1', transport: 'sse', '--': [] }, {});
    expect(target?.endpoint).toEqual({ url: 'https://mcp.example.com/mcp', transport: 'sse', headers: { 'x-a': '1' } });
  });

  it('is absent for a stdio server, which may not carry remote flags', () => {
    expect(remoteTargetFrom({ '--': ['node', 'server.js'], transport: 'auto' }, {})).toBeUndefined();
    expect(usageError(() => remoteTargetFrom({ '--': ['node'], header: 'X-A: 1' }, {})).message).toBe('--header needs --url: headers are sent to a remote server');
  });

  it.each([
    ['both a URL and a command', { url: 'https://a.example/mcp', '--': ['node'] }, 'give either --url or a server command after --, not both'],
    ['plain http to another host', { url: 'http://a.example/mcp' }, '--url: Refusing the upstream URL'],
    ['credentials in the URL', { url: 'https://user:pw@a.example/mcp' }, '--url: Refusing the upstream URL'],
    ['an unknown transport', { url: 'https://a.example/mcp', transport: 'websocket' }, '--transport: expected one of auto, streamable-http, sse'],
  ])('refuses %s', (_what, argv, message) => {
    const error = usageError(() => remoteTargetFrom(argv as Record<string, unknown>, {}));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toContain('pw');
  });

  it('allows plain http to a loopback address', () => {
    expect(remoteTargetFrom({ url: 'http://127.0.0.1:8080/mcp' }, {})?.url.href).toBe('http://127.0.0.1:8080/mcp');
  });
});

describe('the lockfile is enforced only against the origin it was locked from', () => {
  const target = (url: string) => remoteTargetFrom({ url }, {});

  it('accepts the same endpoint silently', () => {
    expect(checkEndpoint(lockAt('https://a.example/mcp'), 'mcp-lock.json', target('https://a.example/mcp'), false)).toEqual([]);
  });

  it('refuses another origin unless --allow-url-change', () => {
    const error = usageError(() => checkEndpoint(lockAt('https://a.example/mcp'), 'mcp-lock.json', target('https://b.example/mcp'), false));
    expect(error.message).toContain('mcp-lock.json was locked from https://a.example/mcp, not from https://b.example/mcp');
    expect(error.message).toContain('--allow-url-change');
    expect(checkEndpoint(lockAt('https://a.example/mcp'), 'mcp-lock.json', target('https://b.example/mcp'), true)[0]).toContain('--allow-url-change');
  });

  it('treats another port as another origin', () => {
    expect(() => checkEndpoint(lockAt('https://a.example/mcp'), 'l.json', target('https://a.example:8443/mcp'), false)).toThrow(UsageError);
  });

  it('warns about another path on the same origin', () => {
    expect(checkEndpoint(lockAt('https://a.example/mcp'), 'l.json', target('https://a.example/v2/mcp'), false)[0]).toContain('same origin, another path');
  });

  it('refuses a stdio lockfile for a remote server and a remote lockfile for a command', () => {
    expect(() => checkEndpoint(lockAt(undefined), 'l.json', target('https://a.example/mcp'), false)).toThrow('was locked from a stdio server');
    expect(() => checkEndpoint(lockAt('https://a.example/mcp'), 'l.json', undefined, false)).toThrow('was locked from the remote server');
    expect(checkEndpoint(lockAt(undefined), 'l.json', undefined, false)).toEqual([]);
  });
});

describe('exit codes of remote failures', () => {
  it('a server steering the client to a blocked address or another origin is a finding; an unreachable one is an error', async () => {
    const { exitCodeFor } = await import('../src/exit-codes.js');
    const { DriftError } = await import('@mcptrust/drift/errors');
    const { RemoteError } = await import('@mcptrust/remote/errors');
    const steered = new DriftError('REMOTE_REFUSED', 'refused', { cause: new RemoteError('CROSS_ORIGIN', 'endpoint on another origin') });
    const insecure = new DriftError('REMOTE_REFUSED', 'refused', { cause: new RemoteError('INSECURE_URL', 'plain http') });
    const unreachable = new DriftError('REMOTE_UNREACHABLE', 'down', { cause: new RemoteError('NETWORK_ERROR', 'ECONNREFUSED') });
    expect([steered, insecure, unreachable].map((e) => exitCodeFor(e).code)).toEqual([1, 2, 2]);
    expect(exitCodeFor(new RemoteError('BLOCKED_ADDRESS', 'x')).code).toBe(1);
  });
});
