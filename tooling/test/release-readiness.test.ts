import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  actionFiles,
  checkAcrossPackages,
  checkManifest,
  checkPackedPackage,
  checkReleaseWorkflow,
  checkRepository,
  checkUsesPins,
  coveredByFiles,
  ENGINES_NODE,
  publishedPackages,
  runExpressions,
  workspacePackages,
} from '../scripts/release-checks.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/release-checks.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

function checkout(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mcptrust-release-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const SHA = 'a'.repeat(40);
const library = (): Record<string, any> => ({
  name: '@mcptrust/example',
  version: '0.1.0',
  description: 'an example library',
  license: 'Apache-2.0',
  type: 'module',
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
  types: './dist/index.d.ts',
  files: ['dist'],
  engines: { node: ENGINES_NODE },
  publishConfig: { access: 'public', provenance: true },
  repository: { type: 'git', url: 'git+https://github.com/mcptrust/mcptrust-ts.git', directory: 'packages/example' },
});
const cli = (): Record<string, any> => {
  const { types: _types, ...rest } = library();
  return { ...rest, name: 'mcptrust', bin: { mcptrust: './dist/mcptrust.js' }, exports: { './package.json': './package.json' }, repository: { ...rest.repository, directory: 'apps/cli' } };
};
const RELEASE_OK = [
  'permissions:',
  '  contents: read',
  'jobs:',
  '  publish:',
  '    permissions:',
  '      id-token: write',
  '    steps:',
  '      - run: git diff --exit-code -- apps/action/dist',
  '      - run: npx -y pnpm@10.34.8 changeset publish',
  '        env:',
  "          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}",
  "          NPM_CONFIG_PROVENANCE: 'true'",
  '',
].join('\n');

describe('this repository', () => {
  it('has every release check pass', () => {
    expect(checkRepository(REPO_ROOT)).toEqual([]);
  });

  it('publishes the CLI and the nine libraries, never the action, the examples or the tooling', () => {
    const names = publishedPackages(REPO_ROOT).map((p) => p.manifest.name);
    expect(names).toEqual(expect.arrayContaining(['mcptrust', '@mcptrust/lockfile', '@mcptrust/proxy-core', '@mcptrust/remote', '@mcptrust/hosts']));
    expect(names).toHaveLength(10);
    expect(names).not.toContain('@mcptrust/action');
    expect(names).not.toContain('@mcptrust/tooling');
    expect(names).not.toContain('@mcptrust/examples');
  });

  it('checks every workflow, release.yml among them', () => {
    const files = actionFiles(REPO_ROOT).map((f) => f.slice(REPO_ROOT.length).replace(/^[\\/]/, '').split('\\').join('/'));
    expect(files).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']));
  });

  it('runs the same check from the command line (exit 0) and lists what is published', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const list = spawnSync(process.execPath, [SCRIPT, '--list'], { encoding: 'utf8' });
    expect(list.stdout).toMatch(/^mcptrust@\d+\.\d+\.\d+\tapps\/cli$/m);
  });
});

describe('checkManifest', () => {
  it('accepts a complete library and a complete CLI', () => {
    expect(checkManifest(library(), 'packages/example')).toEqual([]);
    expect(checkManifest(cli(), 'apps/cli')).toEqual([]);
  });

  it.each<[string, (m: Record<string, any>) => void, RegExp]>([
    ['no name', (m) => delete m.name, /name: missing/],
    ['an invalid name', (m) => (m.name = 'Has Spaces'), /name: /],
    ['no version', (m) => delete m.version, /version: /],
    ['another licence', (m) => (m.license = 'MIT'), /license: must be "Apache-2.0"/],
    ['no repository', (m) => delete m.repository, /repository: missing/],
    ['a repository without directory', (m) => delete m.repository.directory, /repository\.directory: must be "packages\/example"/],
    ['a repository naming another folder', (m) => (m.repository.directory = 'packages/other'), /repository\.directory/],
    ['a repository URL that is not git+https', (m) => (m.repository.url = 'https://example.com/x'), /repository\.url/],
    ['no engines', (m) => delete m.engines, /engines\.node/],
    ['other engines', (m) => (m.engines.node = '>=18'), /engines\.node/],
    ['no files', (m) => delete m.files, /files: missing/],
    ['empty files', (m) => (m.files = []), /files: missing/],
    ['no exports', (m) => delete m.exports, /exports: missing/],
    ['exports without types', (m) => delete m.exports['.'].types, /exports\["\."\]: missing, or without a "types"/],
    ['types after another condition', (m) => (m.exports['.'] = { default: './dist/index.js', types: './dist/index.d.ts' }), /"types" must be its first condition/],
    ['no top-level types', (m) => delete m.types, /types: missing/],
    ['top-level types unlike exports', (m) => (m.types = './dist/other.d.ts'), /types: differs/],
    ['no provenance', (m) => delete m.publishConfig.provenance, /publishConfig\.provenance/],
    ['restricted access', (m) => (m.publishConfig.access = 'restricted'), /publishConfig\.access/],
    ['an export outside files', (m) => (m.exports['./x'] = { types: './lib/x.d.ts', default: './lib/x.js' }), /exports\["\.\/x"\]\["types"\]: "\.\/lib\/x\.d\.ts" is not inside "files"/],
    ['types outside files', (m) => (m.files = ['dist/*.js']), /"\.\/dist\/index\.d\.ts" is not inside "files"/],
    ['a target without ./', (m) => (m.exports['.'].default = 'dist/index.js'), /must start with \.\//],
  ])('refuses a library with %s', (_label, breakIt, message) => {
    const m = library();
    breakIt(m);
    expect(checkManifest(m, 'packages/example')).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses a CLI whose bin is not published or that has no exports', () => {
    const outside = cli();
    outside.bin.mcptrust = './bin/mcptrust.js';
    expect(checkManifest(outside, 'apps/cli')).toEqual([expect.stringMatching(/bin\["mcptrust"\]: "\.\/bin\/mcptrust\.js" is not inside "files"/)]);
    const noExports = cli();
    delete noExports.exports;
    expect(checkManifest(noExports, 'apps/cli')).toEqual([expect.stringMatching(/exports: missing/)]);
  });
});

describe('coveredByFiles', () => {
  it.each<[string, string[], boolean]>([
    ['./dist/index.js', ['dist'], true],
    ['./dist/deep/index.js', ['dist/'], true],
    ['./dist/index.js', ['./dist'], true],
    ['./dist/index.js', ['src'], false],
    ['./distribution/index.js', ['dist'], false],
    ['./dist/index.js', ['dist/*.js'], true],
    ['./dist/index.d.ts', ['dist/*.js'], false],
    ['./dist/a/b.js', ['dist/**/*.js'], true],
    ['./dist/index.js', ['dist', '!dist/index.js'], false],
    ['./package.json', [], true],
    ['./servers/*', ['servers'], true],
    ['../outside.js', ['..'], false],
  ])('%s with files %j: %s', (target, files, expected) => {
    expect(coveredByFiles(target, files)).toBe(expected);
  });
});

describe('checkAcrossPackages', () => {
  it('refuses a published package depending on a private one, and two repository URLs', () => {
    const a = library();
    a.dependencies = { '@mcptrust/tooling': 'workspace:*' };
    const b = library();
    b.repository.url = 'git+https://github.com/someone/else.git';
    const problems = checkAcrossPackages([
      { dir: 'packages/a', manifest: a },
      { dir: 'packages/b', manifest: b },
      { dir: 'tooling', manifest: { name: '@mcptrust/tooling', private: true } },
    ]);
    expect(problems).toEqual([expect.stringMatching(/repository\.url differs/), expect.stringMatching(/packages\/a\/package\.json: dependencies: "@mcptrust\/tooling" is private/)]);
  });
});

describe('checkUsesPins', () => {
  it('accepts SHA pins with a version comment, local actions and Docker digests', () => {
    const text = [
      `      - uses: actions/checkout@${SHA} # v4.2.2`,
      `        uses: "github/codeql-action/init@${SHA}" # v3.28.0 (init)`,
      '      - uses: ./.github/actions/setup',
      `      - uses: docker://alpine@sha256:${'b'.repeat(64)}`,
      '      # uses: a/b@v1 in a comment is not a step',
    ].join('\n');
    expect(checkUsesPins(text)).toEqual([]);
  });

  it.each([
    ['a tag', '      - uses: actions/checkout@v4', /full 40-hex commit SHA/],
    ['a branch', '      - uses: actions/checkout@main # v4.2.2', /full 40-hex commit SHA/],
    ['a short SHA', '      - uses: actions/checkout@11bd719 # v4.2.2', /full 40-hex commit SHA/],
    ['no ref', '      - uses: actions/checkout', /full 40-hex commit SHA/],
    ['a SHA without comment', `      - uses: actions/checkout@${SHA}`, /"# vX\.Y\.Z" comment/],
    ['a SHA with a vague comment', `      - uses: actions/checkout@${SHA} # v4`, /"# vX\.Y\.Z" comment/],
    ['a Docker tag', '      - uses: docker://alpine:3.20', /@sha256 digest/],
    ['a flow mapping', '      - { uses: actions/checkout@v4 }', /cannot read/],
  ])('refuses %s', (_label, line, message) => {
    expect(checkUsesPins(`jobs:\n${line}\n`)).toEqual([{ line: 2, message: expect.stringMatching(message) }]);
  });
});

describe('runExpressions', () => {
  it('finds expressions in inline and block run: scripts, not in env: or with:', () => {
    const text = [
      'steps:',
      '  - run: echo ${{ github.event.issue.title }}',
      '  - name: block',
      '    run: |',
      '      echo one',
      '',
      '      echo "${{ inputs.version }}"',
      '    env:',
      '      TITLE: ${{ github.event.issue.title }}',
      '  - uses: x/y@z',
      '    with:',
      '      ref: ${{ github.head_ref }}',
    ].join('\n');
    expect(runExpressions(text)).toEqual([
      { line: 2, expression: 'github.event.issue.title' },
      { line: 7, expression: 'inputs.version' },
    ]);
  });
});

describe('checkReleaseWorkflow', () => {
  it('accepts a workflow with id-token, provenance, the dist comparison and values through env', () => {
    expect(checkReleaseWorkflow(RELEASE_OK)).toEqual([]);
  });

  it.each<[string, (t: string) => string, RegExp]>([
    ['no id-token: write', (t) => t.replace('id-token: write', 'id-token: none'), /id-token: write/],
    ['no provenance', (t) => t.replace("NPM_CONFIG_PROVENANCE: 'true'", "NPM_CONFIG_PROVENANCE: 'false'"), /provenance/],
    ['no comparison of the action dist', (t) => t.replace('git diff --exit-code -- apps/action/dist', 'true'), /apps\/action\/dist/],
    ['no top-level permissions', (t) => t.replace('permissions:\n  contents: read\n', ''), /no top-level "permissions:"/],
    ['write at the top level', (t) => t.replace('  contents: read', '  contents: write'), /grants write/],
    ['an event field in a script', (t) => t.replace('changeset publish', 'changeset publish "${{ github.event.head_commit.message }}"'), /release\.yml:9: .*untrusted input/],
    ['an input in a block script', (t) => `${t}      - run: |\n          echo ok\n          echo \${{ inputs.tag }}\n`, /release\.yml:15: "\$\{\{ inputs\.tag \}\}" .*untrusted input/],
    ['a secret in a script', (t) => t.replace('changeset publish', 'changeset publish --token ${{ secrets.NPM_TOKEN }}'), /interpolated into a run: script; pass it through env:/],
  ])('refuses %s', (_label, breakIt, message) => {
    expect(checkReleaseWorkflow(breakIt(RELEASE_OK))).toEqual([expect.stringMatching(message)]);
  });
});

describe('checkRepository on a checkout', () => {
  const good = (): Record<string, string> => ({
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n  - tooling\nonlyBuiltDependencies:\n  - esbuild\n',
    'packages/example/package.json': JSON.stringify(library()),
    'tooling/package.json': JSON.stringify({ name: '@mcptrust/tooling', private: true }),
    '.github/workflows/release.yml': RELEASE_OK,
    '.github/actions/setup/action.yml': `runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@${SHA} # v4.1.0\n`,
  });

  it('passes a ready checkout and fails each kind of breakage (exit 1 from the command line)', () => {
    expect(checkRepository(checkout(good()))).toEqual([]);
    expect(workspacePackages(checkout(good())).map((p) => p.dir)).toEqual(['packages/example', 'tooling']);
    const broken = good();
    broken['packages/example/package.json'] = JSON.stringify({ ...library(), license: 'MIT' });
    broken['.github/actions/setup/action.yml'] = 'runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: echo ${{ inputs.name }}\n';
    broken['.github/workflows/ci.yml'] = 'jobs:\n  t:\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n';
    const root = checkout(broken);
    expect(checkRepository(root)).toEqual([
      expect.stringMatching(/^packages\/example\/package\.json: license/),
      expect.stringMatching(/^\.github\/actions\/setup\/action\.yml:4: actions\/setup-node@v4: must be pinned/),
      expect.stringMatching(/^\.github\/actions\/setup\/action\.yml:5: .*untrusted input/),
      expect.stringMatching(/^\.github\/workflows\/ci\.yml:4: .*untrusted input/),
    ]);
    const run = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('packages/example/package.json: license: must be "Apache-2.0"');
    expect(spawnSync(process.execPath, [SCRIPT, '--nope'], { encoding: 'utf8' }).status).toBe(2);
  });

  it('fails without a release workflow', () => {
    const files = good();
    delete files['.github/workflows/release.yml'];
    expect(checkRepository(checkout(files))).toEqual(['.github/workflows/release.yml: missing']);
  });
});

describe('checkPackedPackage', () => {
  it('accepts a complete tarball and refuses leftover workspace: specifiers and missing entry files', () => {
    const manifest = { ...library(), dependencies: { '@mcptrust/lockfile': '^0.1.0' } };
    const ok = checkout({ 'package.json': JSON.stringify(manifest), 'dist/index.js': '', 'dist/index.d.ts': '' });
    expect(checkPackedPackage(ok)).toEqual([]);
    const bad = checkout({ 'package.json': JSON.stringify({ ...manifest, dependencies: { '@mcptrust/lockfile': 'workspace:^' } }), 'dist/index.js': '' });
    expect(checkPackedPackage(bad)).toEqual([
      '@mcptrust/example@0.1.0: dependencies.@mcptrust/lockfile is still "workspace:^"',
      '@mcptrust/example@0.1.0: exports["."]["types"] "./dist/index.d.ts" is not in the tarball',
      '@mcptrust/example@0.1.0: types "./dist/index.d.ts" is not in the tarball',
    ]);
  });
});

describe('the release workflow in this repository', () => {
  it('publishes from the job that has id-token: write, with the pinned pnpm', () => {
    const text = readFileSync(join(REPO_ROOT, '.github/workflows/release.yml'), 'utf8');
    expect(text).toMatch(/npx -y pnpm@10\.34\.8 changeset publish/);
    expect(text).toMatch(/changesets\/action@[0-9a-f]{40} # v\d+\.\d+\.\d+/);
  });
});
