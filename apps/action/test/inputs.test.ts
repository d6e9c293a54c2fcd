import { describe, expect, it } from '@jest/globals';
import { ActionInputError, cliArgs, envInputReader, parseActionInputs } from '../src/index.js';
import type { ActionInputs } from '../src/index.js';
import { actionYaml } from './runner.js';

const reader = (inputs: Record<string, string>) => (name: string): string => inputs[name] ?? '';

function inputError(inputs: Record<string, string>): ActionInputError {
  try {
    parseActionInputs(reader(inputs));
  } catch (error) {
    if (error instanceof ActionInputError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(inputs)}`);
}

describe('parseActionInputs', () => {
  it('reads every input action.yml declares, and nothing else', async () => {
    const read: string[] = [];
    parseActionInputs((name) => {
      read.push(name);
      return name === 'server_command' ? 'node server.js' : '';
    });
    expect([...new Set(read)].sort()).toEqual(Object.keys((await actionYaml()).inputs).sort());
  });

  it("gives the same inputs with action.yml's defaults as with nothing (the fallbacks match the defaults)", async () => {
    const defaults = Object.fromEntries(Object.entries((await actionYaml()).inputs).map(([k, v]) => [k, v.default ?? '']));
    const server = { server_command: 'node server.js' };
    expect(parseActionInputs(reader({ ...defaults, ...server }))).toEqual(parseActionInputs(reader(server)));
    expect(parseActionInputs(reader(server))).toEqual({
      mode: 'check',
      server: { kind: 'command', argv: ['node server.js'] },
      lockfile: 'mcp-lock.json',
      failOn: 'critical',
      pin: false,
      verifyProvenance: false,
      report: 'step_summary',
      annotations: true,
      workingDirectory: '.',
      timeoutSeconds: 120,
    });
  });

  it('reads INPUT_<NAME> from the environment as the toolkit does (trimmed)', () => {
    expect(envInputReader({ INPUT_FAIL_ON: '  moderate\n' })('fail_on')).toBe('moderate');
  });

  it('takes server_argv one word per line, keeping spaces inside a word and dropping blank lines', () => {
    const inputs = parseActionInputs(reader({ server_argv: 'node\r\nserver.js\n--root\nMy Documents\n\n' }));
    expect(inputs.server).toEqual({ kind: 'command', argv: ['node', 'server.js', '--root', 'My Documents'] });
  });

  it('maps policy to a preset or a file, and mode policy defaults to baseline', () => {
    expect(parseActionInputs(reader({ server_command: 'x', policy: 'strict' })).policy).toEqual({ preset: 'strict' });
    expect(parseActionInputs(reader({ server_command: 'x', policy: '.github/mcp-policy.yaml' })).policy).toEqual({ file: '.github/mcp-policy.yaml' });
    expect(parseActionInputs(reader({ server_command: 'x', mode: 'policy' })).policy).toEqual({ preset: 'baseline' });
  });

  it('takes a url with headers', () => {
    expect(parseActionInputs(reader({ url: 'https://mcp.example.test/mcp', headers: 'Authorization: Bearer ${MCP_TOKEN}\n' })).server).toEqual({
      kind: 'url',
      url: 'https://mcp.example.test/mcp',
      headers: ['Authorization: Bearer ${MCP_TOKEN}'],
    });
  });

  it.each([
    [{ mode: 'deploy', server_command: 'x' }, 'mode'],
    [{ server_command: 'x', fail_on: 'high' }, 'fail_on'],
    [{ mode: 'lock' }, 'server_command'],
    [{ server_command: 'node a.js | tee log' }, 'server_command'],
    [{ server_argv: 'node\nserver.js\0' }, 'server_argv'],
    [{ server_command: 'x', server_argv: 'x' }, 'server_argv'],
    [{ url: 'file:///etc/passwd' }, 'url'],
    [{ url: 'https://a.test/mcp', headers: 'not a header' }, 'headers'],
    [{ server_command: 'x', key: 'k.pub', issuer: 'https://issuer.test' }, 'key'],
    [{ server_command: 'x', identity: 'me@example.test' }, 'issuer'],
    [{ mode: 'policy', server_command: 'x', key: 'k.pub' }, 'key'],
    [{ mode: 'lock', server_command: 'x', policy: 'strict' }, 'policy'],
    [{ mode: 'lock', server_command: 'x', verify_provenance: 'true' }, 'verify_provenance'],
    [{ mode: 'lock', url: 'https://a.test/mcp', pin: 'true' }, 'pin'],
    [{ server_command: 'x', report: 'pr_comment' }, 'report'],
    [{ server_command: 'x', timeout_seconds: '0' }, 'timeout_seconds'],
    [{ server_command: 'x', timeout_seconds: '3601' }, 'timeout_seconds'],
    [{ server_command: 'x', oauth_client_id: 'ci' }, 'oauth_client_id'],
    [{ url: 'https://a.test/mcp', oauth_client_secret_env: 'S' }, 'oauth_client_secret_env'],
    [{ url: 'https://a.test/mcp', oauth_client_id: 'ci' }, 'oauth_client_id'],
    [{ url: 'https://a.test/mcp', oauth_client_id: 'ci', oauth_client_secret_env: 'S', oauth_private_key_file: 'k.pem' }, 'oauth_client_id'],
    [{ url: 'https://a.test/mcp', oauth_client_id: 'ci', oauth_client_secret_env: 'not-a-name s3cret' }, 'oauth_client_secret_env'],
    [{ url: 'https://a.test/mcp', oauth_client_id: 'ci', oauth_client_secret_env: 'S', oauth_key_id: 'k1' }, 'oauth_key_id'],
    [{ url: 'https://a.test/mcp', headers: 'Authorization: Bearer ${T}', oauth_client_id: 'ci', oauth_client_secret_env: 'S' }, 'oauth_client_id'],
  ])('%j is refused, naming %s', (inputs, name) => {
    expect(inputError(inputs).input).toBe(name);
  });
});

describe('cliArgs', () => {
  const files = { checkJson: '/w/.mcptrust/check.json', sarif: '/w/.mcptrust/mcptrust.sarif', lockfileExists: true };
  const parse = (inputs: Record<string, string>): ActionInputs => parseActionInputs(reader(inputs));

  it('passes OAuth client credentials as names and paths only: --client-credentials with the secret variable or the key file', () => {
    const secret = cliArgs(parse({ url: 'https://a.test/mcp', oauth_client_id: 'ci-gate', oauth_client_secret_env: 'MCP_CLIENT_SECRET', oauth_scope: 'mcp:read' }), files);
    expect(secret.slice(secret.indexOf('--url'))).toEqual([
      '--url', 'https://a.test/mcp', '--client-credentials', '--client-id', 'ci-gate', '--client-secret-env', 'MCP_CLIENT_SECRET', '--scope', 'mcp:read',
    ]);
    const key = cliArgs(parse({ url: 'https://a.test/mcp', oauth_client_id: 'ci-gate', oauth_private_key_file: 'ci.pem', oauth_key_id: 'k1' }), files);
    expect(key.slice(key.indexOf('--url'))).toEqual(['--url', 'https://a.test/mcp', '--client-credentials', '--client-id', 'ci-gate', '--private-key-file', 'ci.pem', '--key-id', 'k1']);
  });

  it('runs mcptrust check with the JSON and SARIF reports of one run, the server after --', () => {
    expect(cliArgs(parse({ server_argv: 'node\nserver.js', policy: 'baseline', key: 'k.pub', fail_on: 'moderate' }), files)).toEqual([
      'check', '--lock', 'mcp-lock.json', '--fail-on', 'moderate', '--key', 'k.pub', '--preset', 'baseline',
      '--format', 'json', '--output', '/w/.mcptrust/check.json', '--sarif-output', '/w/.mcptrust/mcptrust.sarif',
      '--timeout', '120s', '--', 'node', 'server.js',
    ]);
  });

  it('passes server_command as one word, for the CLI to split exactly as it splits its own', () => {
    expect(cliArgs(parse({ server_command: 'npx -y "@scope/server" /srv' }), files).slice(-2)).toEqual(['--', 'npx -y "@scope/server" /srv']);
  });

  it('runs mcptrust lock with pin, provenance and a receipt', () => {
    expect(cliArgs(parse({ mode: 'lock', server_command: 'x', pin: 'true', verify_provenance: 'true', receipt: 'r.json', lockfile: 'l.json' }), files)).toEqual([
      'lock', '--output', 'l.json', '--pin', '--verify-provenance', '--timeout', '120s', '--receipt', 'r.json', '--', 'x',
    ]);
  });

  it('runs mcptrust policy check, with the lockfile only when it exists', () => {
    const inputs = parse({ mode: 'policy', policy: 'p.yaml', url: 'https://a.test/mcp', headers: 'X-Team: a' });
    expect(cliArgs(inputs, files)).toContain('--lock');
    expect(cliArgs(inputs, { ...files, lockfileExists: false })).not.toContain('--lock');
    expect(cliArgs(inputs, files).slice(0, 4)).toEqual(['policy', 'check', '--policy', 'p.yaml']);
    expect(cliArgs(inputs, files).slice(-4)).toEqual(['--url', 'https://a.test/mcp', '--header', 'X-Team: a']);
  });
});
