// Bundles the CLI into dist/ so that `mcptrust` starts fast: one small entry file that
// answers --version on its own and loads the command tree as a separate chunk, plus a
// self-contained bundle for `mcptrust proxy` (the runner with only the proxy command),
// so a proxy loads neither the other commands nor chunks it shares with them.
import { build } from 'esbuild';
import { copyFile, readFile, rename, rm, chmod } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
// Build into a fresh folder and swap it in at the end, so that a running test never
// sees a half-written bundle and no stale chunk survives a rebuild.
const out = new URL(`./dist.build-${process.pid}/`, import.meta.url);
const dist = new URL('./dist/', import.meta.url);
await rm(out, { recursive: true, force: true });
const common = {
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
  await build({
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
  await build({
    ...common,
    entryPoints: { [PROXY_ENTRY]: 'proxy-entry' },
    plugins: [proxyEntry, ajvOutside],
    outdir: out.pathname,
    splitting: true,
    chunkNames: 'proxy-[name]-[hash]',
  });
  await build({
    ...common,
    entryPoints: { mcptrust: 'src/bin.ts' },
    outdir: out.pathname,
    splitting: true,
    chunkNames: '[name]-[hash]',
  });
  await copyFile(new URL('../../tooling/servers/demo-server.mjs', import.meta.url), new URL('./demo-server.mjs', out));
  await chmod(new URL('./mcptrust.js', out), 0o755);
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
