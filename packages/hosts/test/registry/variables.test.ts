import { describe, expect, it } from '@jest/globals';
import { HostsError } from '../../src/errors.js';
import { hostDefinition } from '../../src/registry.js';
import type { ConfigLocation, HostEnvironment, ServerEntry } from '../../src/types.js';
import { expandVariables } from '../../src/variables.js';
import type { VariableContext, VariableSyntax } from '../../src/variables.js';
import { LINUX, WIN32 } from './fixtures.js';
import { entriesOf, locationOf, named } from './parse.js';

const env: HostEnvironment = { ...LINUX, env: { TOKEN: 's3cret-value', EMPTY: '', HOME: '/home/ann' } };
const context = (extra: Partial<VariableContext> = {}): VariableContext => ({ env, workspaceFolder: '/srv/proj', server: 'srv', ...extra });
const expand = (syntax: VariableSyntax, text: string, extra?: Partial<VariableContext>): string => expandVariables(text, syntax, context(extra));

function unresolved(run: () => unknown): HostsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HostsError);
    expect((error as HostsError).code).toBe('UNRESOLVED_VARIABLE');
    expect((error as HostsError).message).not.toContain('s3cret-value');
    return error as HostsError;
  }
  throw new Error('expected UNRESOLVED_VARIABLE');
}

describe('claude-code: ${VAR} and ${VAR:-default}', () => {
  it('expands set variables, uses defaults only when unset', () => {
    expect(expand('claude-code', 'Bearer ${TOKEN}')).toBe('Bearer s3cret-value');
    expect(expand('claude-code', '${MISSING:-fallback}/x')).toBe('fallback/x');
    expect(expand('claude-code', '${EMPTY:-fallback}')).toBe('');
    expect(expand('claude-code', '${MISSING:-}')).toBe('');
    expect(expand('claude-code', '$TOKEN ${env:TOKEN}')).toBe('$TOKEN ${env:TOKEN}');
  });

  it('names the server and the variable when it is unset without default', () => {
    const error = unresolved(() => expand('claude-code', '${NOPE}', { server: 'github' }));
    expect(error.message).toContain('github');
    expect(error.message).toContain('NOPE');
  });
});

describe('vscode and cursor', () => {
  it('expands env, userHome, workspaceFolder, pathSeparator and ${/}', () => {
    expect(expand('vscode', '${env:TOKEN}|${userHome}|${workspaceFolder}|${workspaceFolderBasename}|a${pathSeparator}b${/}c')).toBe(
      's3cret-value|/home/ann|/srv/proj|proj|a/b/c',
    );
    expect(expand('cursor', '${env:TOKEN} ${userHome}/x ${workspaceFolder}')).toBe('s3cret-value /home/ann/x /srv/proj');
    expect(expandVariables('${/}${pathSeparator}', 'vscode', { env: WIN32, workspaceFolder: 'C:\\proj', server: 's' })).toBe('\\\\');
  });

  it('leaves unknown variables as written', () => {
    expect(expand('vscode', '${unknownThing}')).toBe('${unknownThing}');
    expect(expand('cursor', '${input:key}')).toBe('${input:key}');
  });

  it('cannot resolve ${input:}, ${command:}, ${config:} or an unset ${env:}', () => {
    expect(unresolved(() => expand('vscode', '${input:perplexity-key}', { server: 'perplexity' })).message).toMatch(/perplexity.*input:perplexity-key/);
    unresolved(() => expand('vscode', '${command:pick}'));
    unresolved(() => expand('vscode', '${config:editor.x}'));
    expect(unresolved(() => expand('cursor', '${env:NOT_SET}')).message).toContain('NOT_SET');
  });
});

describe('windsurf: ${env:X} and ${file:path}', () => {
  it('reads files relative to home or absolute, dropping the final newline', () => {
    const files: Record<string, string> = { '/home/ann/.secrets/key': 'k-1\n', '/etc/key': 'abs\r\n' };
    const readFile = (file: string): string => {
      const text = files[file];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    expect(expand('windsurf', '${file:~/.secrets/key}', { readFile })).toBe('k-1');
    expect(expand('windsurf', '${file:.secrets/key}', { readFile })).toBe('k-1');
    expect(expand('windsurf', '${file:/etc/key}:${env:TOKEN}', { readFile })).toBe('abs:s3cret-value');
    expect(expand('windsurf', '${userHome}')).toBe('${userHome}');
    expect(unresolved(() => expand('windsurf', '${file:/nope}', { readFile })).message).toContain('file:/nope');
  });
});

describe('gemini: $VAR and ${VAR}', () => {
  it('expands both forms and keeps unset ones as written', () => {
    expect(expand('gemini', '$TOKEN/${TOKEN}')).toBe('s3cret-value/s3cret-value');
    expect(expand('gemini', '$UNSET ${UNSET} ^a$')).toBe('$UNSET ${UNSET} ^a$');
  });
});

it('literal hosts expand nothing', () => {
  expect(expand('literal', '${TOKEN} $TOKEN ${env:TOKEN}')).toBe('${TOKEN} $TOKEN ${env:TOKEN}');
});

describe('resolveEntry', () => {
  it('Claude Code: expands command, args, env; cwd relative to the section project', () => {
    const location = locationOf('claude-code');
    const entries = entriesOf(
      'claude-code',
      JSON.stringify({
        mcpServers: { a: { command: '${BIN:-npx}', args: ['--token=${TOKEN}'], env: { T: '${TOKEN}' } } },
        projects: { '/srv/p2': { mcpServers: { b: { command: 'node', args: ['x.js'], cwd: 'sub' } } } },
      }),
    );
    const def = hostDefinition('claude-code');
    expect(def.resolveEntry(named(entries, 'a'), location, env)).toEqual({ command: 'npx', args: ['--token=s3cret-value'], env: { T: 's3cret-value' } });
    expect(def.resolveEntry(named(entries, 'b'), location, env)).toEqual({ command: 'node', args: ['x.js'], env: {}, cwd: '/srv/p2/sub' });
  });

  it('project files resolve cwd against the project, user files against home; absolute cwd kept', () => {
    const def = hostDefinition('gemini');
    const project = locationOf('gemini', 'project');
    const user = locationOf('gemini');
    const [entry] = def.readEntries({ mcpServers: { p: { command: 'python', cwd: './srv', env: { K: '$TOKEN' } } } }, project);
    expect(def.resolveEntry(entry as ServerEntry, project, env)).toEqual({ command: 'python', args: [], env: { K: 's3cret-value' }, cwd: '/srv/proj/srv' });
    expect(def.resolveEntry(entry as ServerEntry, user, env).cwd).toBe('/home/ann/srv');
    const [abs] = def.readEntries({ mcpServers: { p: { command: 'x', cwd: '/abs' } } }, user);
    expect(def.resolveEntry(abs as ServerEntry, user, env).cwd).toBe('/abs');
  });

  it('Windows paths resolve with Windows syntax', () => {
    const def = hostDefinition('codex');
    const location: ConfigLocation = def.locations(WIN32)[0] as ConfigLocation;
    const [entry] = def.readEntries({ mcp_servers: { s: { command: 'srv.exe', cwd: 'tools' } } }, location);
    expect(def.resolveEntry(entry as ServerEntry, location, WIN32).cwd).toBe('C:\\proj\\tools');
  });

  it('VS Code: ${input:} is UNRESOLVED_VARIABLE naming the server; literal hosts keep ${VAR}', () => {
    const location = locationOf('vscode', 'project');
    const [entry] = hostDefinition('vscode').readEntries({ servers: { p: { command: 'npx', env: { K: '${input:key}' } } } }, location);
    const error = unresolved(() => hostDefinition('vscode').resolveEntry(entry as ServerEntry, location, env));
    expect(error.message).toContain('"p"');
    const desktop = locationOf('claude-desktop');
    const [literal] = hostDefinition('claude-desktop').readEntries({ mcpServers: { q: { command: '${TOKEN}' } } }, desktop);
    expect(hostDefinition('claude-desktop').resolveEntry(literal as ServerEntry, desktop, env).command).toBe('${TOKEN}');
  });

  it('refuses remote and unsupported entries', () => {
    const location = locationOf('cursor');
    const [remote] = hostDefinition('cursor').readEntries({ mcpServers: { r: { url: 'https://x' } } }, location);
    const run = (): unknown => hostDefinition('cursor').resolveEntry(remote as ServerEntry, location, env);
    expect(run).toThrow('server "r" is not a local (stdio) server');
    expect(() => {
      try {
        run();
      } catch (error) {
        throw new Error((error as HostsError).code);
      }
    }).toThrow('INVALID_OPTIONS');
  });
});
