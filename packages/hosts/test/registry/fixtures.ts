/** Fake machines for the registry tests: every path is computed from these, never from the real one. */
import type { HostEnvironment } from '../../src/types.js';

/** A Linux machine with no directories to list. */
export const LINUX: HostEnvironment = { home: '/home/ann', platform: 'linux', env: {}, cwd: '/srv/proj', readDir: () => [] };

/** A macOS machine with no directories to list. */
export const DARWIN: HostEnvironment = { home: '/Users/ann', platform: 'darwin', env: {}, cwd: '/Users/ann/proj', readDir: () => [] };

/** A Windows machine with the usual APPDATA/LOCALAPPDATA and no directories to list. */
export const WIN32: HostEnvironment = {
  home: 'C:\\Users\\ann',
  platform: 'win32',
  env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' },
  cwd: 'C:\\proj',
  readDir: () => [],
};

/** The three machines by OS. */
export const MACHINES = { linux: LINUX, darwin: DARWIN, win32: WIN32 } as const;
