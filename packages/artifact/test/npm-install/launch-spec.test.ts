import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NpmArtifactPin } from '../../src/artifact.types.js';
import { ArtifactError } from '../../src/errors.js';
import { npmLaunchSpec, stripLaunchEnv } from '../../src/npm/launch-spec.js';

let dir: string;
let pkg: string;
const pin: NpmArtifactPin = {
  type: 'npm',
  name: '@acme/mcp-server',
  version: '1.2.3',
  registry: 'https://registry.example/',
  integrity: `sha512-${'A'.repeat(86)}==`,
  tarball_url: 'https://registry.example/@acme/mcp-server/-/mcp-server-1.2.3.tgz',
  argv: ['--pinned'],
};

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcptrust-launch-')));
  pkg = path.join(dir, 'node_modules', '@acme', 'mcp-server');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  for (const f of ['bin/server.js', 'bin/admin.js', 'bin/mcp-server.js']) writeFileSync(path.join(pkg, f), '');
  writeFileSync(path.join(dir, 'outside.js'), '');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function manifest(bin: unknown): void {
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: pin.name, version: pin.version, bin }));
}

function failure(fn: () => unknown): ArtifactError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected BIN_INVALID');
}

describe('npmLaunchSpec', () => {
  it('runs a string bin under its unscoped name with process.execPath and the pinned argv', () => {
    manifest('./bin/server.js');
    const spec = npmLaunchSpec(pin, pkg, { env: {} });
    expect(spec).toEqual({ command: process.execPath, args: [path.join(pkg, 'bin/server.js'), '--pinned'], env: {}, binName: 'mcp-server', binPath: path.join(pkg, 'bin/server.js') });
    expect(npmLaunchSpec(pin, pkg, { args: ['--other'], env: {} }).args).toEqual([path.join(pkg, 'bin/server.js'), '--other']);
    expect(npmLaunchSpec({ ...pin, argv: undefined }, pkg, { env: {} }).args).toEqual([path.join(pkg, 'bin/server.js')]);
  });

  it('chooses among map bins: option, then pin.bin, then the same-named, then the only one', () => {
    const bins = { admin: 'bin/admin.js', server: 'bin/server.js', 'mcp-server': 'bin/mcp-server.js' };
    manifest(bins);
    expect(npmLaunchSpec(pin, pkg, { bin: 'admin' }).binPath).toBe(path.join(pkg, 'bin/admin.js'));
    expect(npmLaunchSpec({ ...pin, bin: 'server' }, pkg).binName).toBe('server');
    expect(npmLaunchSpec({ ...pin, bin: 'server' }, pkg, { bin: 'admin' }).binName).toBe('admin');
    expect(npmLaunchSpec(pin, pkg).binName).toBe('mcp-server');
    manifest({ admin: 'bin/admin.js' });
    expect(npmLaunchSpec(pin, pkg).binName).toBe('admin');
  });

  it('refuses several bins without a choice, an unknown choice, and no bin', () => {
    manifest({ admin: 'bin/admin.js', server: 'bin/server.js' });
    const several = failure(() => npmLaunchSpec(pin, pkg));
    expect(several.code).toBe('BIN_INVALID');
    expect(several.message).toContain('admin, server');
    const unknown = failure(() => npmLaunchSpec(pin, pkg, { bin: 'nope' }));
    expect(unknown.code).toBe('BIN_INVALID');
    expect(unknown.message).toContain('admin, server');
    manifest(undefined);
    expect(failure(() => npmLaunchSpec(pin, pkg)).code).toBe('BIN_INVALID');
    manifest({});
    expect(failure(() => npmLaunchSpec(pin, pkg)).code).toBe('BIN_INVALID');
  });

  it.each([
    ['a ../ path', '../../../outside.js'],
    ['an absolute path', '/etc/passwd'],
    ['the package directory itself', '.'],
  ])('refuses a bin leaving the package (%s)', (_label, bin) => {
    manifest({ 'mcp-server': bin });
    const error = failure(() => npmLaunchSpec(pin, pkg));
    expect(error.code).toBe('BIN_INVALID');
  });

  it('refuses a bin that escapes through a symlink, and a missing bin file', () => {
    symlinkSync(path.join(dir, 'outside.js'), path.join(pkg, 'bin', 'link.js'));
    manifest('bin/link.js');
    expect(failure(() => npmLaunchSpec(pin, pkg)).message).toContain('resolves outside the package');
    manifest('bin/missing.js');
    expect(failure(() => npmLaunchSpec(pin, pkg)).message).toContain('does not exist');
  });

  it('strips NODE_OPTIONS, NODE_PATH and npm_config_* unless keepEnv', () => {
    manifest('bin/server.js');
    const env = { PATH: '/usr/bin', NODE_OPTIONS: '--require x', node_path: '/elsewhere', npm_config_registry: 'https://evil', NPM_CONFIG_USERCONFIG: '/x', NODE_EXTRA_CA_CERTS: '/ca.pem' };
    expect(npmLaunchSpec(pin, pkg, { env }).env).toEqual({ PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/ca.pem' });
    expect(npmLaunchSpec(pin, pkg, { env, keepEnv: true }).env).toEqual(env);
    expect(env.NODE_OPTIONS).toBe('--require x');
    expect(stripLaunchEnv({ Npm_Config_Cache: '/c', HOME: '/h' })).toEqual({ HOME: '/h' });
  });
});
