// Bundles the CLI into dist/ so that `mcptrust` starts fast: one small entry file that
// answers --version on its own and loads the command tree as a separate chunk.
import { build } from 'esbuild';
import { copyFile, readFile, rename, rm, chmod } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
// Build into a fresh folder and swap it in at the end, so that a running test never
// sees a half-written bundle and no stale chunk survives a rebuild.
const out = new URL(`./dist.build-${process.pid}/`, import.meta.url);
const dist = new URL('./dist/', import.meta.url);
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: { mcptrust: 'src/bin.ts' },
  outdir: out.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  chunkNames: '[name]-[hash]',
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { __MCPTRUST_VERSION__: JSON.stringify(pkg.version) },
  // Some bundled dependencies are CommonJS and call require(); give them one.
  banner: { js: "import { createRequire as __mcptrustCreateRequire } from 'node:module'; const require = __mcptrustCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await copyFile(new URL('../../tooling/servers/demo-server.mjs', import.meta.url), new URL('./demo-server.mjs', out));
await chmod(new URL('./mcptrust.js', out), 0o755);
const old = new URL(`./dist.old-${process.pid}/`, import.meta.url);
await rename(dist, old).catch(() => undefined);
await rename(out, dist);
await rm(old, { recursive: true, force: true });
