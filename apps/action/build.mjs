// Builds the action's dist/, which is committed: the runner runs an action from the files
// at the ref it names and installs nothing. Two files of code:
//   dist/index.js     the action (src/main.ts with @actions/core), what action.yml runs
//   dist/mcptrust.js  the mcptrust CLI as one file, which the action runs for lock, check
//                     and policy: the verdict is the CLI's, from the same source
// plus LICENSE and THIRD_PARTY_NOTICES for the code they inline. The output depends only
// on the sources and the lockfile-pinned dependencies (no paths, dates or hashes of this
// machine), so CI can rebuild it and fail when the committed copy is stale.
import { build } from 'esbuild';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundledPackages, renderNotices } from '../cli/third-party-notices.mjs';
import { jsoncParserEsm } from '../cli/esbuild-plugins.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const cliDir = fileURLToPath(new URL('../cli/', import.meta.url));
const cliPkg = JSON.parse(await readFile(new URL('../cli/package.json', import.meta.url), 'utf8'));
const out = new URL(`./dist.build-${process.pid}/`, import.meta.url);
const dist = new URL('./dist/', import.meta.url);

const common = {
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  legalComments: 'none',
  // Whitespace and syntax only: names stay, so a stack trace still says where it was.
  minifyWhitespace: true,
  minifySyntax: true,
  // Some bundled dependencies are CommonJS and call require(); give them one.
  banner: { js: "import { createRequire as __mcptrustCreateRequire } from 'node:module'; const require = __mcptrustCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

async function bundle() {
  const action = await build({
    ...common,
    absWorkingDir: here,
    entryPoints: ['src/main.ts'],
    outfile: new URL('./index.js', out).pathname,
  });
  // The CLI's command tree in one file (the CLI's own build splits it into chunks for
  // start-up time, which does not matter here; one file keeps the committed copy small).
  const cli = await build({
    ...common,
    absWorkingDir: cliDir,
    plugins: [jsoncParserEsm],
    stdin: {
      contents: "import { main } from './src/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      resolveDir: cliDir,
      sourcefile: 'mcptrust-action-cli.ts',
      loader: 'ts',
    },
    define: { __MCPTRUST_VERSION__: JSON.stringify(cliPkg.version) },
    outfile: new URL('./mcptrust.js', out).pathname,
  });
  for (const metafile of [action.metafile, cli.metafile]) {
    for (const output of Object.values(metafile.outputs)) {
      for (const imported of output.imports) {
        if (imported.external && !imported.path.startsWith('node:') && !builtinModules.includes(imported.path)) {
          throw new Error(`build: ${imported.path} is not bundled; the runner installs nothing`);
        }
      }
    }
  }
  const packages = [...bundledPackages([action.metafile], here), ...bundledPackages([cli.metafile], cliDir)];
  const unique = [...new Map(packages.map((p) => [`${p.name}@${p.version}`, p])).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  await writeFile(new URL('./THIRD_PARTY_NOTICES', out), renderNotices('MCPTrust GitHub Action', unique));
  await copyFile(new URL('../../LICENSE', import.meta.url), new URL('./LICENSE', out));
}

try {
  await bundle();
} catch (error) {
  await rm(out, { recursive: true, force: true });
  throw error;
}
const old = new URL(`./dist.old-${process.pid}/`, import.meta.url);
await rename(dist, old).catch(() => undefined);
await rename(out, dist);
await rm(old, { recursive: true, force: true });
