import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readNpmConfig } from '../../src/npm/npm-config.js';

describe('readNpmConfig', () => {
  let root: string;
  let home: string;
  let cwd: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mcptrust-npmcfg-'));
    home = join(root, 'home');
    cwd = join(root, 'project');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(home);
      await fs.mkdir(cwd);
    });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('defaults to the public registry with no credentials', () => {
    const config = readNpmConfig({ env: {}, cwd, home });
    expect(config.registry).toBe('https://registry.npmjs.org/');
    expect(config.source).toBe('default');
    expect(config.registryFor('@s/p')).toBe('https://registry.npmjs.org/');
    expect(config.authHeadersFor('https://registry.npmjs.org/x')).toEqual({});
  });

  it('takes env over project over user config', async () => {
    await writeFile(join(home, '.npmrc'), 'registry=https://user.example/npm\n');
    expect(readNpmConfig({ env: {}, cwd, home }).registry).toBe('https://user.example/npm/');
    await writeFile(join(cwd, '.npmrc'), 'registry=https://project.example/\n');
    const project = readNpmConfig({ env: {}, cwd, home });
    expect(project.registry).toBe('https://project.example/');
    expect(project.source).toBe(join(cwd, '.npmrc'));
    const fromEnv = readNpmConfig({ env: { npm_config_registry: 'https://env.example' }, cwd, home });
    expect(fromEnv.registry).toBe('https://env.example/');
    expect(fromEnv.source).toBe('env npm_config_registry');
    expect(readNpmConfig({ env: { NPM_CONFIG_REGISTRY: 'https://ENV2.example/r/' }, cwd, home }).registry).toBe('https://env2.example/r/');
  });

  it('reads the user config named by npm_config_userconfig instead of ~/.npmrc', async () => {
    await writeFile(join(home, '.npmrc'), 'registry=https://home.example/\n');
    const other = join(root, 'other.npmrc');
    await writeFile(other, 'registry=https://other.example/\n');
    expect(readNpmConfig({ env: { npm_config_userconfig: other }, cwd, home }).registry).toBe('https://other.example/');
    expect(readNpmConfig({ env: { NPM_CONFIG_USERCONFIG: join(root, 'missing') }, cwd, home }).registry).toBe('https://registry.npmjs.org/');
  });

  it('uses scoped registries and matches credentials by the longest URL prefix', async () => {
    await writeFile(
      join(home, '.npmrc'),
      [
        '@corp:registry=https://npm.corp.example/api/npm/',
        '//npm.corp.example/:_authToken=${CORP_TOKEN}',
        '//npm.corp.example/api/npm/:_authToken=deeper-token',
        '//basic.example:8443/:_auth=dXNlcjpwYXNz',
        '//pw.example/:username=alice',
        `//pw.example/:_password=${Buffer.from('s3cret').toString('base64')}`,
      ].join('\n'),
    );
    await writeFile(join(cwd, '.npmrc'), '//npm.corp.example/api/npm/:_authToken=project-token\n');
    const config = readNpmConfig({ env: { CORP_TOKEN: 'env-token' }, cwd, home });
    expect(config.registryFor('@corp/tool')).toBe('https://npm.corp.example/api/npm/');
    expect(config.registryFor('@other/tool')).toBe('https://registry.npmjs.org/');
    expect(config.registryFor('plain')).toBe('https://registry.npmjs.org/');
    expect(config.authHeadersFor('https://npm.corp.example/api/npm/@corp%2ftool')).toEqual({ authorization: 'Bearer project-token' });
    expect(config.authHeadersFor('https://npm.corp.example/other/x.tgz')).toEqual({ authorization: 'Bearer env-token' });
    expect(config.authHeadersFor('https://basic.example:8443/x')).toEqual({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(config.authHeadersFor('https://basic.example/x')).toEqual({});
    expect(config.authHeadersFor('https://pw.example/p')).toEqual({ authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` });
    expect(config.authHeadersFor('https://registry.npmjs.org/x')).toEqual({});
  });

  it('takes scoped registries and credentials from the environment over the .npmrc files', async () => {
    await writeFile(join(home, '.npmrc'), '@corp:registry=https://user.example/\n//env.example/:_authToken=file-token\n');
    const config = readNpmConfig({
      env: { 'npm_config_@corp:registry': 'https://env.example/npm', 'NPM_CONFIG_//env.example/:_authToken': 'env-token' },
      cwd,
      home,
    });
    expect(config.registryFor('@corp/tool')).toBe('https://env.example/npm/');
    expect(config.authHeadersFor('https://env.example/npm/@corp%2ftool')).toEqual({ authorization: 'Bearer env-token' });
    expect(config.registry).toBe('https://registry.npmjs.org/');
    expect(config.source).toBe('default');
  });

  it('refuses a registry that is not an https/http URL without echoing secrets', async () => {
    await writeFile(join(cwd, '.npmrc'), 'registry=ftp://x.example/\n');
    expect(() => readNpmConfig({ env: {}, cwd, home })).toThrow(expect.objectContaining({ code: 'INSECURE_URL' }) as unknown as Error);
  });
});
