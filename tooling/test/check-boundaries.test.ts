import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as boundaries from '../scripts/check-boundaries.mjs';
import { checkBoundaries, LIBRARY_DEPENDENCIES, runBoundaryChecks } from '../scripts/check-boundaries.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/check-boundaries.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

type Files = Record<string, string | undefined>;

function manifest(name: string, dependencies: Record<string, string> = {}, devDependencies?: Record<string, string>): string {
  return JSON.stringify({ name, version: '0.1.0', type: 'module', dependencies, ...(devDependencies ? { devDependencies } : {}) }, null, 2) + '\n';
}

function tsconfig(references: string[]): string {
  return JSON.stringify({ extends: '../../tsconfig.base.json', references: references.map((path) => ({ path })) }, null, 2) + '\n';
}

const W = 'workspace:^';

/** A small repository that follows every rule; tests override single files. */
function cleanRepo(): Files {
  return {
    'packages/lockfile/package.json': manifest('@mcptrust/lockfile'),
    'packages/lockfile/tsconfig.json': tsconfig([]),
    'packages/lockfile/src/index.ts': "export { hashText } from './hash.js';\n",
    'packages/lockfile/src/hash.ts': '// console.log would be wrong here, but this is a comment\nexport const hashText = (s: string): string => s;\n',
    'packages/lockfile/test/hash.test.ts': "import { hashText } from '../src/index.js';\nconsole.log(hashText('a'));\n",
    'packages/audit/package.json': manifest('@mcptrust/audit'),
    'packages/audit/tsconfig.json': tsconfig([]),
    'packages/audit/src/index.ts': "export const message = 'console.log and process.exit are fine inside strings';\n",
    'packages/drift/package.json': manifest('@mcptrust/drift', { '@mcptrust/lockfile': W }),
    'packages/drift/tsconfig.json': tsconfig(['../lockfile']),
    'packages/drift/src/index.ts': "import type { Lockfile } from '@mcptrust/lockfile';\nexport type { Lockfile };\n",
    'packages/policy/package.json': manifest('@mcptrust/policy', { '@mcptrust/lockfile': W }),
    'packages/policy/tsconfig.json': tsconfig(['../lockfile']),
    'packages/policy/src/index.ts': 'export const policy = 1;\n',
    'packages/proxy-core/package.json': manifest(
      '@mcptrust/proxy-core',
      { '@mcptrust/audit': W, '@mcptrust/drift': W, '@mcptrust/lockfile': W, '@mcptrust/policy': W },
      { '@mcptrust/tooling': 'workspace:*' },
    ),
    'packages/proxy-core/tsconfig.json': tsconfig(['../lockfile', '../drift', '../policy', '../audit']),
    'packages/proxy-core/src/index.ts': "export { hashText } from '@mcptrust/lockfile';\nexport const load = () => import('@mcptrust/drift');\n",
    'packages/proxy-core/test/proxy.test.ts':
      "import { fileURLToPath } from 'node:url';\nconst server = fileURLToPath(import.meta.resolve('@mcptrust/tooling/servers/fixture-server.mjs'));\nexport { server };\n",
    'apps/cli/package.json': manifest(
      'mcptrust',
      { '@mcptrust/drift': W, '@mcptrust/lockfile': W, '@mcptrust/signing': W },
      { '@mcptrust/tooling': 'workspace:*' },
    ),
    'apps/cli/tsconfig.json': tsconfig(['../../packages/drift', '../../packages/lockfile', '../../packages/signing']),
    'apps/cli/src/bin.ts': "import { hashText } from '@mcptrust/lockfile';\nconsole.log(hashText('x'));\nprocess.exit(0);\n",
    'packages/signing/package.json': manifest('@mcptrust/signing', { '@mcptrust/lockfile': W }),
    'packages/signing/tsconfig.json': tsconfig(['../lockfile']),
    'packages/signing/src/index.ts': 'export const sign = 1;\n',
    'tooling/package.json': manifest('@mcptrust/tooling'),
  };
}

function writeRepo(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'mcptrust-boundaries-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    if (content === undefined) continue;
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

function repoWith(overrides: Files): string {
  return writeRepo({ ...cleanRepo(), ...overrides });
}

describe('check-boundaries.mjs', () => {
  it('exports exactly the checking API', () => {
    expect(Object.keys(boundaries).sort()).toEqual(['LIBRARY_DEPENDENCIES', 'TEST_HELPER_PACKAGE', 'checkBoundaries', 'isBundled', 'runBoundaryChecks']);
  });
});

describe('checkBoundaries', () => {
  describe('when every package follows the dependency picture', () => {
    it('returns no violation', () => {
      expect(checkBoundaries(writeRepo(cleanRepo()))).toEqual([]);
    });

    it('counts the packages and source files it read', () => {
      const report = runBoundaryChecks(writeRepo(cleanRepo()));
      expect(report).toEqual({ violations: [], packages: 8, files: 10 });
    });
  });

  describe('when a package.json breaks the dependency direction', () => {
    it.each([
      ['a sibling (drift → policy)', 'packages/drift', '@mcptrust/drift', ['../lockfile', '../policy'], { '@mcptrust/lockfile': W, '@mcptrust/policy': W }, '@mcptrust/drift must not depend on @mcptrust/policy (allowed: @mcptrust/lockfile, @mcptrust/remote)'],
      ['a leaf (lockfile → audit)', 'packages/lockfile', '@mcptrust/lockfile', ['../audit'], { '@mcptrust/audit': W }, '@mcptrust/lockfile must not depend on @mcptrust/audit (allowed: no @mcptrust package)'],
      ['signing → audit', 'packages/signing', '@mcptrust/signing', ['../lockfile', '../audit'], { '@mcptrust/lockfile': W, '@mcptrust/audit': W }, '@mcptrust/signing must not depend on @mcptrust/audit (allowed: @mcptrust/lockfile)'],
      ['proxy-core → signing', 'packages/proxy-core', '@mcptrust/proxy-core', ['../lockfile', '../signing'], { '@mcptrust/lockfile': W, '@mcptrust/signing': W }, '@mcptrust/proxy-core must not depend on @mcptrust/signing (allowed: @mcptrust/lockfile, @mcptrust/drift, @mcptrust/policy, @mcptrust/audit, @mcptrust/remote)'],
      ['an app (policy → mcptrust)', 'packages/policy', '@mcptrust/policy', ['../lockfile'], { '@mcptrust/lockfile': W, mcptrust: W }, '@mcptrust/policy depends on the app mcptrust; nothing may depend on an app'],
    ])('reports %s as a dependency violation', (_label, dir, name, references, dependencies, message) => {
      const root = repoWith({
        [`${dir}/package.json`]: manifest(name, dependencies),
        [`${dir}/tsconfig.json`]: tsconfig(references),
      });
      expect(checkBoundaries(root).filter((v) => v.rule === 'dependency')).toEqual([
        { file: `${dir}/package.json`, line: expect.any(Number), rule: 'dependency', message },
      ]);
    });

    it('points at the line of the offending dependency', () => {
      const root = repoWith({ 'packages/drift/package.json': manifest('@mcptrust/drift', { '@mcptrust/lockfile': W, '@mcptrust/audit': W }) });
      const [violation] = checkBoundaries(root).filter((v) => v.rule === 'dependency');
      // manifest() writes name, version, type, "dependencies": {, lockfile, audit
      expect(violation?.line).toBe(7);
    });

    it('requires workspace:^ for @mcptrust dependencies', () => {
      const root = repoWith({ 'packages/drift/package.json': manifest('@mcptrust/drift', { '@mcptrust/lockfile': '^0.1.0' }) });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'packages/drift/package.json',
          line: 6,
          rule: 'workspace-protocol',
          message: '@mcptrust/lockfile must use "workspace:^", found "^0.1.0"',
        },
      ]);
    });

    it('allows @mcptrust/tooling only as a devDependency', () => {
      const root = repoWith({
        'packages/signing/package.json': manifest('@mcptrust/signing', { '@mcptrust/lockfile': W, '@mcptrust/tooling': W }),
      });
      expect(checkBoundaries(root)).toEqual([
        expect.objectContaining({
          file: 'packages/signing/package.json',
          rule: 'dependency',
          message: '@mcptrust/tooling is for tests only: move it from dependencies to devDependencies',
        }),
      ]);
    });

    it('reports a dependency on an @mcptrust package that is not in the workspace', () => {
      const root = repoWith({ 'apps/cli/package.json': manifest('mcptrust', { '@mcptrust/ghost': W }) });
      expect(checkBoundaries(root).filter((v) => v.rule === 'dependency')).toEqual([
        expect.objectContaining({ message: '@mcptrust/ghost is not a package of this workspace' }),
      ]);
    });
  });

  describe('when tsconfig.json references do not mirror the dependencies', () => {
    it('reports a missing reference', () => {
      const root = repoWith({ 'packages/drift/tsconfig.json': tsconfig([]) });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'packages/drift/tsconfig.json',
          line: 3,
          rule: 'tsconfig-reference',
          message: 'references lack { "path": "../lockfile" } for the dependency @mcptrust/lockfile',
        },
      ]);
    });

    it('reports a reference to a package that is not a dependency', () => {
      const root = repoWith({ 'packages/policy/tsconfig.json': tsconfig(['../lockfile', '../audit']) });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'packages/policy/tsconfig.json',
          line: 8,
          rule: 'tsconfig-reference',
          message: 'reference ../audit (@mcptrust/audit) is not a declared dependency of @mcptrust/policy',
        },
      ]);
    });

    it('reports a reference outside the workspace and accepts comments in tsconfig.json', () => {
      const root = repoWith({
        'packages/signing/tsconfig.json': '{\n  // build order\n  "references": [{ "path": "../lockfile" }, { "path": "../../elsewhere" },],\n}\n',
      });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'packages/signing/tsconfig.json',
          line: 3,
          rule: 'tsconfig-reference',
          message: 'reference ../../elsewhere is not a workspace package',
        },
      ]);
    });
  });

  describe('when sources import across the boundary', () => {
    it('reports every kind of import of an undeclared @mcptrust package, with its line', () => {
      const source = [
        "import { x } from '@mcptrust/policy';",
        "export { y } from '@mcptrust/audit';",
        "import type { Z } from '@mcptrust/signing';",
        "const lazy = await import('@mcptrust/artifact');",
        "const old = require('@mcptrust/proxy-core');",
        "type T = typeof import('@mcptrust/policy/sub');",
        "import fs from 'node:fs';",
        "import '@mcptrust/lockfile';",
      ].join('\n');
      const root = repoWith({ 'packages/drift/src/bad.ts': source });
      expect(checkBoundaries(root).map((v) => [v.file, v.line, v.rule])).toEqual([
        ['packages/drift/src/bad.ts', 1, 'import'],
        ['packages/drift/src/bad.ts', 2, 'import'],
        ['packages/drift/src/bad.ts', 3, 'import'],
        ['packages/drift/src/bad.ts', 4, 'import'],
        ['packages/drift/src/bad.ts', 5, 'import'],
        ['packages/drift/src/bad.ts', 6, 'import'],
      ]);
      expect(checkBoundaries(root)[0]?.message).toBe(
        '@mcptrust/policy is not a declared dependency of @mcptrust/drift (and @mcptrust/drift may not depend on it; allowed: @mcptrust/lockfile, @mcptrust/remote)',
      );
    });

    it('reports module mocks of undeclared packages in tests', () => {
      const root = repoWith({
        'packages/policy/test/mock.test.ts': "import { jest } from '@jest/globals';\njest.unstable_mockModule('@mcptrust/drift', () => ({}));\n",
      });
      expect(checkBoundaries(root)).toEqual([
        expect.objectContaining({ file: 'packages/policy/test/mock.test.ts', line: 2, rule: 'import' }),
      ]);
    });

    it('lets tests import @mcptrust/tooling only when it is a devDependency', () => {
      const test = "import '@mcptrust/tooling/servers/fixture-server.mjs';\n";
      const declared = repoWith({ 'apps/cli/test/e2e.test.ts': test });
      expect(checkBoundaries(declared)).toEqual([]);
      const undeclared = repoWith({ 'packages/policy/test/e2e.test.ts': test });
      expect(checkBoundaries(undeclared)).toEqual([
        {
          file: 'packages/policy/test/e2e.test.ts',
          line: 1,
          rule: 'import',
          message: '@mcptrust/tooling is not declared; add it to devDependencies of @mcptrust/policy',
        },
      ]);
    });

    it('reports @mcptrust/tooling imported from src, even when declared', () => {
      const root = repoWith({ 'apps/cli/src/demo.ts': "export const demo = '@mcptrust/tooling';\nimport '@mcptrust/tooling/servers/demo-server.mjs';\n" });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'apps/cli/src/demo.ts',
          line: 2,
          rule: 'import',
          message: '@mcptrust/tooling is for tests only; src must not import it',
        },
      ]);
    });

    it('reports an import of an app', () => {
      const root = repoWith({ 'packages/proxy-core/src/cli.ts': "export * as cli from 'mcptrust';\n" });
      expect(checkBoundaries(root)).toEqual([
        { file: 'packages/proxy-core/src/cli.ts', line: 1, rule: 'import', message: 'imports the app mcptrust; nothing may import an app' },
      ]);
    });

    it('reports relative imports that leave the package folder', () => {
      const source = [
        "import { x } from '../../lockfile/src/index.js';",
        "import { y } from './local.js';",
        "import { z } from '../test/helpers.js';",
        // check-self-contained: allow (a path inside the synthetic repository)
        "export { w } from '../../../apps/cli/src/bin.js';",
      ].join('\n');
      const root = repoWith({ 'packages/drift/src/reach.ts': source });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'packages/drift/src/reach.ts',
          line: 1,
          rule: 'relative-import',
          message: 'relative import "../../lockfile/src/index.js" leaves packages/drift; import the package by name instead',
        },
        expect.objectContaining({ line: 4, rule: 'relative-import' }),
      ]);
    });
  });

  describe('when an app is bundled', () => {
    // The CLI of cleanRepo(), as a bundled app: libraries are build-time dependencies.
    const bundledCli = (fields: Record<string, unknown>): string =>
      JSON.stringify({ name: 'mcptrust', version: '0.1.0', type: 'module', scripts: { build: 'node build.mjs' }, mcptrust: { bundled: true }, ...fields }, null, 2) + '\n';
    const libraries = { '@mcptrust/drift': W, '@mcptrust/lockfile': W, '@mcptrust/signing': W };

    it('lets its src import libraries declared as devDependencies', () => {
      const root = repoWith({ 'apps/cli/package.json': bundledCli({ devDependencies: { ...libraries, '@mcptrust/tooling': 'workspace:*' } }) });
      expect(checkBoundaries(root)).toEqual([]);
    });

    it('reports libraries listed as dependencies, which an install would fetch again', () => {
      const root = repoWith({ 'apps/cli/package.json': bundledCli({ dependencies: { '@mcptrust/lockfile': W }, devDependencies: { '@mcptrust/drift': W, '@mcptrust/signing': W } }) });
      expect(checkBoundaries(root)).toEqual([
        {
          file: 'apps/cli/package.json',
          line: expect.any(Number),
          rule: 'bundled',
          message: 'mcptrust is bundled: @mcptrust/lockfile is inlined at build time, move it from dependencies to devDependencies',
        },
      ]);
    });

    it('reports a bundled app without a build script', () => {
      const root = repoWith({ 'apps/cli/package.json': bundledCli({ scripts: {}, devDependencies: libraries }) });
      expect(checkBoundaries(root)).toEqual([
        expect.objectContaining({ rule: 'bundled', message: 'mcptrust says it is bundled but has no "build" script to bundle it' }),
      ]);
    });

    it('reports a library that says it is bundled', () => {
      const root = repoWith({
        'packages/policy/package.json': JSON.stringify({ name: '@mcptrust/policy', scripts: { build: 'tsc' }, mcptrust: { bundled: true }, dependencies: { '@mcptrust/lockfile': W } }),
      });
      expect(checkBoundaries(root)).toEqual([
        expect.objectContaining({ file: 'packages/policy/package.json', rule: 'bundled', message: '@mcptrust/policy is not an app: only apps are bundled (libraries are published as they are built)' }),
      ]);
    });

    it('still reports src imports of devDependencies in an app that is not bundled', () => {
      const root = repoWith({ 'apps/cli/package.json': manifest('mcptrust', {}, { ...libraries, '@mcptrust/tooling': 'workspace:*' }) });
      expect(checkBoundaries(root)).toEqual([
        expect.objectContaining({ file: 'apps/cli/src/bin.ts', rule: 'import', message: 'src imports @mcptrust/lockfile, which is only a devDependency of mcptrust' }),
      ]);
    });
  });

  describe('when library src writes to the terminal or exits', () => {
    it('reports console, process.stdout/stderr and process.exit in any spelling', () => {
      const source = [
        'console.log("a");',
        'console.error("b");',
        'process.stdout.write("c");',
        "process['stderr'].write('d');",
        'process.exit(1);',
        'process.exitCode = 2;',
        'globalThis.console.info("e");',
        'const { stdout } = process;',
        "import { exit } from 'node:process';",
        '// console.log("in a comment")',
        '/* process.exit(3) */',
        'const text = "console.log(process.exit())";',
        'process.env.HOME;',
      ].join('\n');
      const root = repoWith({ 'packages/audit/src/noisy.ts': source });
      const violations = checkBoundaries(root);
      expect(violations.map((v) => [v.line, v.rule])).toEqual([
        [1, 'library-output'],
        [2, 'library-output'],
        [3, 'library-output'],
        [4, 'library-output'],
        [5, 'library-output'],
        [6, 'library-output'],
        [7, 'library-output'],
        [8, 'library-output'],
        [9, 'library-output'],
      ]);
      expect(violations[0]?.message).toBe('library code must not write to the terminal (console.log): accept an optional logger instead');
      expect(violations[4]?.message).toBe(
        'library code must not use process.exit: throw the package error and let the CLI choose the exit code',
      );
    });

    it('leaves app sources and library tests alone', () => {
      const root = repoWith({
        'apps/cli/src/print.ts': 'process.stdout.write("ok\\n");\n',
        'packages/audit/test/print.test.ts': 'console.log("debugging a test");\n',
      });
      expect(checkBoundaries(root)).toEqual([]);
    });
  });

  describe('with { only }', () => {
    it('reports violations of that package only', () => {
      const root = repoWith({
        'packages/audit/src/noisy.ts': 'console.log(1);\n',
        'packages/drift/tsconfig.json': tsconfig([]),
      });
      expect(checkBoundaries(root, { only: 'packages/audit' }).map((v) => v.file)).toEqual(['packages/audit/src/noisy.ts']);
      expect(checkBoundaries(root, { only: join(root, 'packages/drift') }).map((v) => v.file)).toEqual([
        'packages/drift/tsconfig.json',
      ]);
    });

    it('throws for a folder that is not a workspace package', () => {
      expect(() => checkBoundaries(writeRepo(cleanRepo()), { only: 'docs' })).toThrow('not a workspace package folder: docs');
    });
  });

  describe('on this repository', () => {
    it('finds no violation', () => {
      expect(checkBoundaries(REPO_ROOT)).toEqual([]);
    });

    it('knows every library package of the repository', () => {
      const report = runBoundaryChecks(REPO_ROOT);
      expect(report.packages).toBeGreaterThanOrEqual(Object.keys(LIBRARY_DEPENDENCIES).length);
    });
  });

  describe('as a command', () => {
    function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
      const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd, encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    }

    it('prints path:line: message for each violation and exits 1', () => {
      const root = repoWith({ 'packages/audit/src/noisy.ts': '\nconsole.warn(1);\n' });
      expect(run(['--root', root], root)).toEqual({
        status: 1,
        stdout: '',
        stderr:
          'packages/audit/src/noisy.ts:2: library code must not write to the terminal (console.warn): accept an optional logger instead [library-output]\n' +
          'check-boundaries: 1 violation (8 packages, 11 source files)\n',
      });
    });

    it('prints a one-line summary and exits 0 when clean, for the repo or one package', () => {
      const root = writeRepo(cleanRepo());
      expect(run(['--root', root], root)).toEqual({
        status: 0,
        stdout: 'check-boundaries: no violations (8 packages, 10 source files)\n',
        stderr: '',
      });
      expect(run(['--root', root, '.'], join(root, 'packages/drift'))).toEqual({
        status: 0,
        stdout: 'check-boundaries: no violations (1 package, 1 source file)\n',
        stderr: '',
      });
    });

    it('exits 2 for a folder that is not a workspace package', () => {
      const root = writeRepo(cleanRepo());
      expect(run(['--root', root, 'nowhere'], root).status).toBe(2);
    });
  });
});
