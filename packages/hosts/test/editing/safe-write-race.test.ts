import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as realLockfile from '@mcptrust/lockfile';
import type { WriteFileAtomicOptions } from '@mcptrust/lockfile';

// Runs a hook right before the compare-and-swap check: the moment another program could
// rewrite the config between the backup and the rename.
let beforeCheck: (() => void) | undefined;
jest.unstable_mockModule('@mcptrust/lockfile', () => ({
  ...realLockfile,
  writeFileAtomic: (path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}) =>
    realLockfile.writeFileAtomic(path, data, {
      ...options,
      precondition: async () => {
        beforeCheck?.();
        await options.precondition?.();
      },
    }),
}));

const { readConfigFile } = await import('../../src/config-file.js');
const { replaceConfigFile } = await import('../../src/safe-write.js');
const { readWrapState } = await import('../../src/state.js');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcptrust-hosts-race-'));
  beforeCheck = undefined;
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('replaceConfigFile when the file changes during the write', () => {
  it('throws CONFIG_CHANGED, keeps the other program\'s bytes, and leaves no temporary file, backup or lock', async () => {
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{"a": 1}\n');
    const file = await readConfigFile({ host: 'gemini', path, format: 'jsonc', scope: 'user', label: 'user', serversPath: ['mcpServers'], readOnly: false });
    let sawBackup = false;
    beforeCheck = () => {
      sawBackup = readdirSync(dir).some((name) => name.includes('.mcptrust-bak.'));
      writeFileSync(path, '{"a": 2}\n');
    };
    await expect(replaceConfigFile(file, '{"a": 3}\n', { stateDir: join(dir, 'state'), reason: 'wrap' })).rejects.toMatchObject({ code: 'CONFIG_CHANGED' });
    expect(sawBackup).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"a": 2}\n');
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(await readWrapState(join(dir, 'state'))).toEqual([]);
  });

  it('replaces the file when nothing changed it', async () => {
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{"a": 1}\n');
    const file = await readConfigFile({ host: 'gemini', path, format: 'jsonc', scope: 'user', label: 'user', serversPath: ['mcpServers'], readOnly: false });
    let called = false;
    beforeCheck = () => {
      called = true;
    };
    await replaceConfigFile(file, '{"a": 3}\n', { stateDir: join(dir, 'state'), reason: 'wrap' });
    expect(called).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"a": 3}\n');
  });
});
