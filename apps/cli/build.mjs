// Bundles the CLI into dist/ so that `mcptrust` starts fast: one small entry file that
// answers --version on its own and loads the command tree as a separate chunk.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, chmod } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
await rm(new URL('./dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { mcptrust: 'src/bin.ts' },
  outdir: 'dist',
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
await mkdir(new URL('./dist/', import.meta.url), { recursive: true });
await copyFile(new URL('../../tooling/servers/demo-server.mjs', import.meta.url), new URL('./dist/demo-server.mjs', import.meta.url));
await chmod(new URL('./dist/mcptrust.js', import.meta.url), 0o755);
