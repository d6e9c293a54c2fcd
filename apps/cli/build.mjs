// Bundles the CLI into dist/ so that `mcptrust` starts fast: one small entry file that
// answers --version on its own and loads the command tree as a separate chunk, plus a
// self-contained bundle for `mcptrust proxy` (the runner with only the proxy command),
// so a proxy loads neither the other commands nor chunks it shares with them.
// Everything but Node's built-ins is inlined, so the package has no runtime
// dependencies; THIRD_PARTY_NOTICES lists the licence of every inlined package.
import { build } from 'esbuild';
import { copyFile, readFile, rename, rm, chmod, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundledPackages, renderNotices } from './third-party-notices.mjs';
import { stringWidthShim } from './narrow-text.mjs';
import { jsoncParserEsm } from './esbuild-plugins.mjs';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
// Build into a fresh folder and swap it in at the end, so that a running test never
// sees a half-written bundle and no stale chunk survives a rebuild.
const out = new URL(`./dist.build-${process.pid}/`, import.meta.url);
const dist = new URL('./dist/', import.meta.url);
await rm(out, { recursive: true, force: true });
const here = fileURLToPath(new URL('.', import.meta.url));
// Every `import stringWidth from 'string-width'` gets the shim of narrow-text.mjs; the
// shim's own require() of 'string-width' resolves normally, from the importer's folder.
const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === 'fast-string-width' || args.kind === 'require-call' ? undefined : { path: args.resolveDir, namespace: 'fast-string-width' },
    );
    b.onLoad({ filter: /.*/, namespace: 'fast-string-width' }, (args) => ({ contents: stringWidthShim(), resolveDir: args.path, loader: 'js' }));
  },
};
const common = {
  absWorkingDir: here,
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { __MCPTRUST_VERSION__: JSON.stringify(pkg.version) },
  // Some bundled dependencies are CommonJS and call require(); give them one.
  banner: { js: "import { createRequire as __mcptrustCreateRequire } from 'node:module'; const require = __mcptrustCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};
async function bundle() {
  const metafiles = [];
  // The proxy's entry (bin.ts imports it by this name; see PROXY_ENTRY there). yargs
  // lands in its own chunk: it is loaded only when the proxy's command line needs it
  // (help, errors, unusual forms).
  const PROXY_ENTRY = 'mcptrust-proxy';
  const proxyEntry = {
    name: 'proxy-entry',
    setup(b) {
      b.onResolve({ filter: /^proxy-entry$/ }, () => ({ path: 'proxy-entry', namespace: 'proxy-entry' }));
      b.onLoad({ filter: /.*/, namespace: 'proxy-entry' }, () => ({
        contents: [
          "export { runCli, runCommand } from './src/cli.ts';",
          "export { parseProxyArgv, proxyCommand, runProxy } from './src/commands/proxy.ts';",
          "export { processIo } from './src/output.ts';",
        ].join('\n'),
        resolveDir: new URL('.', import.meta.url).pathname,
        loader: 'ts',
      }));
    },
  };
  // ajv (most of the proxy's code) is compiled only when a tools/call first needs
  // argument validation: the proxy bundle requires it from a CommonJS file of its own,
  // so its source is not even parsed at start-up. proxy-core loads it with require().
  const AJV_FILE = 'mcptrust-ajv.cjs';
  const ajv = await build({
    ...common,
    banner: {},
    format: 'cjs',
    stdin: {
      contents: [
        "const { Ajv } = require('ajv');",
        "const { Ajv2019 } = require('ajv/dist/2019.js');",
        "const { Ajv2020 } = require('ajv/dist/2020.js');",
        "const formats = require('ajv-formats');",
        // One module answers for all four names proxy-core requires.
        'module.exports = { Ajv, Ajv2019, Ajv2020, default: formats.default ?? formats };',
      ].join('\n'),
      resolveDir: new URL('../../packages/proxy-core/', import.meta.url).pathname,
      sourcefile: 'ajv-entry.cjs',
    },
    outfile: new URL(AJV_FILE, out).pathname,
  });
  const ajvOutside = {
    name: 'ajv-outside',
    setup(b) {
      b.onResolve({ filter: /^ajv(-formats)?($|\/)/ }, () => ({ path: `./${AJV_FILE}`, external: true }));
    },
  };
  metafiles.push(ajv.metafile);
  const proxy = await build({
    ...common,
    entryPoints: { [PROXY_ENTRY]: 'proxy-entry' },
    plugins: [proxyEntry, ajvOutside, fastStringWidth, jsoncParserEsm],
    outdir: out.pathname,
    splitting: true,
    chunkNames: 'proxy-[name]-[hash]',
  });
  metafiles.push(proxy.metafile);
  const cli = await build({
    ...common,
    entryPoints: { mcptrust: 'src/bin.ts' },
    plugins: [fastStringWidth, jsoncParserEsm],
    outdir: out.pathname,
    splitting: true,
    chunkNames: '[name]-[hash]',
  });
  metafiles.push(cli.metafile);
  // An import left outside the bundle would need a runtime dependency, which the
  // package does not declare: only Node's own modules may stay outside.
  for (const metafile of metafiles) {
    for (const output of Object.values(metafile.outputs)) {
      for (const imported of output.imports) {
        if (imported.external && !isNodeBuiltin(imported.path) && imported.path !== `./${AJV_FILE}`) {
          throw new Error(`build: ${imported.path} is not bundled; the published package would need it as a dependency`);
        }
      }
    }
  }
  await writeFile(new URL('./THIRD_PARTY_NOTICES', out), renderNotices(pkg.name, bundledPackages(metafiles, here)));
  await copyFile(new URL('../../LICENSE', import.meta.url), new URL('./LICENSE', out));
  await copyFile(new URL('../../tooling/servers/demo-server.mjs', import.meta.url), new URL('./demo-server.mjs', out));
  await copyFile(new URL('../../tooling/servers/demo-registry-tls/cert.pem', import.meta.url), new URL('./demo-registry-cert.pem', out));
  await copyFile(new URL('../../tooling/servers/demo-registry-tls/key.pem', import.meta.url), new URL('./demo-registry-key.pem', out));
  await chmod(new URL('./mcptrust.js', out), 0o755);
}
/** @param {string} specifier */
function isNodeBuiltin(specifier) {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}
try {
  await bundle();
} catch (error) {
  // A failed build leaves dist/ as it was and no half-built folder behind.
  await rm(out, { recursive: true, force: true });
  throw error;
}
const old = new URL(`./dist.old-${process.pid}/`, import.meta.url);
await rename(dist, old).catch(() => undefined);
await rename(out, dist);
await rm(old, { recursive: true, force: true });
