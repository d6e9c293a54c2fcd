import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildLockfile } from '@mcptrust/lockfile';
import type { Lockfile, ScanReport } from '@mcptrust/lockfile';
import { readClientCredentials, refuseCredentialFlagsWithoutUrl } from '../src/credential-flags.js';
import { checkEndpoint, parseHeaderFlags, REMOTE_FLAG_SPECS, remoteFlagValues, remoteTargetFrom } from '../src/remote-target.js';
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

describe('--client-credentials and its flags', () => {
  const URL_ARGV = { url: 'https://mcp.example.com/mcp', 'client-credentials': true, 'client-id': 'ci-bot' };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcptrust-cc-flags-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are registered with the other remote flags', () => {
    expect(REMOTE_FLAG_SPECS.map((f) => f.name)).toEqual(
      expect.arrayContaining(['client-credentials', 'client-id', 'client-secret-env', 'client-secret-file', 'private-key-file', 'key-id', 'scope']),
    );
  });

  it('keep names and paths only on the target', () => {
    expect(remoteTargetFrom({ ...URL_ARGV, 'client-secret-env': 'CC_SECRET', scope: 'mcp:read mcp:write' }, { CC_SECRET: 'never-here' })?.clientCredentials).toEqual({
      clientId: 'ci-bot',
      clientSecretEnv: 'CC_SECRET',
      scope: 'mcp:read mcp:write',
    });
    expect(remoteTargetFrom({ ...URL_ARGV, 'private-key-file': 'key.pem', 'key-id': 'k1' }, {})?.clientCredentials).toEqual({ clientId: 'ci-bot', privateKeyFile: 'key.pem', keyId: 'k1' });
    expect(remoteTargetFrom({ url: 'https://mcp.example.com/mcp', 'client-credentials': false }, {})?.clientCredentials).toBeUndefined();
  });

  it.each([
    ['no client id', { ...URL_ARGV, 'client-id': undefined, 'client-secret-env': 'S' }, '--client-credentials needs --client-id ID'],
    ['neither secret nor key', URL_ARGV, '--client-credentials needs a client secret (--client-secret-env NAME or --client-secret-file FILE) or a private key (--private-key-file FILE)'],
    ['a secret and a key', { ...URL_ARGV, 'client-secret-file': 's.txt', 'private-key-file': 'k.pem' }, '--client-secret-file and --private-key-file: give a client secret or a private key, not both'],
    ['two secret flags', { ...URL_ARGV, 'client-secret-env': 'S', 'client-secret-file': 's.txt' }, '--client-secret-env and --client-secret-file: give one of them'],
    ['a secret value where a NAME belongs', { ...URL_ARGV, 'client-secret-env': 'sk-live/abc=' }, '--client-secret-env: expected the NAME of an environment variable'],
    ['--key-id without a key', { ...URL_ARGV, 'client-secret-env': 'S', 'key-id': 'k1' }, '--key-id needs --private-key-file'],
    ['a static Authorization header too', { ...URL_ARGV, 'client-secret-env': 'S', header: 'Authorization: Bearer ${T}' }, '--client-credentials and --header Authorization: give one of them'],
    ['a malformed scope', { ...URL_ARGV, 'client-secret-env': 'S', scope: 'a  "b"' }, '--scope: expected scope words'],
    ['a repeated flag', { ...URL_ARGV, 'client-id': ['a', 'b'], 'client-secret-env': 'S' }, '--client-id: give it once'],
  ])('refuses %s (exit 2)', (_what, argv, message) => {
    const error = usageError(() => remoteTargetFrom(argv as Record<string, unknown>, { T: 'tok' }));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toContain('sk-live');
  });

  it.each([['client-id'], ['client-secret-env'], ['client-secret-file'], ['private-key-file'], ['key-id'], ['scope']])(
    'refuses --%s without --client-credentials, pointing a person to mcptrust auth login',
    (flag) => {
      const error = usageError(() => remoteTargetFrom({ url: 'https://mcp.example.com/mcp', 'client-credentials': false, [flag]: 'X' }, {}));
      expect(error.message).toContain(`--${flag} needs --client-credentials`);
      expect(error.message).toContain('mcptrust auth login URL --client-id ID');
    },
  );

  it('refuses every credential flag without --url, naming it', () => {
    expect(usageError(() => remoteTargetFrom({ '--': ['node'], 'client-credentials': true }, {})).message).toBe('--client-credentials needs --url: OAuth client credentials are for remote MCP servers');
    expect(usageError(() => remoteTargetFrom({ '--': ['node'], 'private-key-file': 'k.pem' }, {})).message).toMatch(/^--private-key-file needs --url/);
    expect(usageError(() => refuseCredentialFlagsWithoutUrl({ 'client-credentials': false, 'client-id': 'x' })).message).toMatch(/^--client-id needs --url/);
    expect(() => refuseCredentialFlagsWithoutUrl({ 'client-credentials': false })).not.toThrow();
  });

  it('remoteFlagValues picks the remote flags, credentials included', () => {
    expect(remoteFlagValues({ url: 'u', 'client-credentials': true, 'client-id': 'c', 'allow-url-change': true, lock: 'x', timeout: '5s' })).toEqual({
      url: 'u',
      'client-credentials': true,
      'client-id': 'c',
      'allow-url-change': true,
    });
  });

  async function rejected(promise: Promise<unknown>): Promise<UsageError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof UsageError) return error;
      throw error;
    }
    throw new Error('expected a UsageError');
  }
  const checkKey = (pem: string): void => {
    if (!pem.includes('BEGIN EC PRIVATE KEY')) throw new Error('Unsupported private key');
  };

  it('reads the secret from the environment or a file, and a key file checked before use', async () => {
    expect(await readClientCredentials({ clientId: 'c', clientSecretEnv: 'CC_SECRET', scope: 's' }, { CC_SECRET: 'v1' }, checkKey)).toEqual({ clientId: 'c', clientSecret: 'v1', scope: 's' });
    await writeFile(join(dir, 'secret.txt'), 'v2\n');
    expect(await readClientCredentials({ clientId: 'c', clientSecretFile: join(dir, 'secret.txt') }, {}, checkKey)).toEqual({ clientId: 'c', clientSecret: 'v2' });
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    await writeFile(join(dir, 'key.pem'), pem);
    expect(await readClientCredentials({ clientId: 'c', privateKeyFile: join(dir, 'key.pem'), keyId: 'k' }, {}, checkKey)).toEqual({ clientId: 'c', privateKeyPem: pem.replace(/\n$/, ''), keyId: 'k' });
  });

  it('refuses an unset variable, a missing file and a file that is not a usable key, naming the flag and never the content', async () => {
    expect((await rejected(readClientCredentials({ clientId: 'c', clientSecretEnv: 'CC_UNSET' }, {}, checkKey))).message).toBe('--client-secret-env: the environment variable CC_UNSET is not set or is empty');
    expect((await rejected(readClientCredentials({ clientId: 'c', privateKeyFile: join(dir, 'missing.pem') }, {}, checkKey))).message).toMatch(/^--private-key-file: cannot read .*missing\.pem \(ENOENT\)$/);
    await writeFile(join(dir, 'not-a-key.pem'), 'super-secret-token-value\n');
    const error = await rejected(readClientCredentials({ clientId: 'c', privateKeyFile: join(dir, 'not-a-key.pem') }, {}, checkKey));
    expect(error.message).toMatch(/^--private-key-file: .*not-a-key\.pem: Unsupported private key$/);
    expect(error.message).not.toContain('super-secret-token-value');
  });
});
