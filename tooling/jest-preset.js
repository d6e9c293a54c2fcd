// Shared Jest setup for every workspace package: ESM mode through @swc/jest.
// Run with NODE_OPTIONS=--experimental-vm-modules (the package scripts do this).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * @param {string} dir the package folder (import.meta.dirname of its jest.config.js)
 * @returns {import('jest').Config}
 */
export function jestConfig(dir) {
  return {
    rootDir: dir,
    displayName: dir.slice(root.length + 1),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: {
      // Workspace packages are tested from source, so a package's tests never need a
      // build of its dependencies; the end-to-end tests run the built CLI instead.
      '^@mcptrust/(lockfile|proxy-core|drift|artifact|signing|policy|audit|hosts|remote)$': join(root, 'packages/$1/src/index.ts'),
      // @mcptrust/remote's subpaths name modules in src/net/ (see its package.json exports).
      '^@mcptrust/remote/address-policy$': join(root, 'packages/remote/src/net/address-policy.ts'),
      '^@mcptrust/remote/url$': join(root, 'packages/remote/src/net/upstream-url.ts'),
      // Subpath entries (`@mcptrust/signing/errors`, `@mcptrust/drift/compare-live-listing`).
      // A subpath is a module (`/errors` → src/errors.ts) or a folder (`/otel` → src/otel/index.ts).
      '^@mcptrust/(lockfile|proxy-core|drift|artifact|signing|policy|audit|hosts|remote)/([a-z-]+)$': [join(root, 'packages/$1/src/$2.ts'), join(root, 'packages/$1/src/$2/index.ts')],
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testTimeout: 30_000,
  };
}
