// @ts-check
// esbuild plugins shared by the CLI's build and the Action's (which bundles the CLI too).

/**
 * jsonc-parser's `main` is a UMD build whose require() calls a bundler cannot follow;
 * its ESM build (a deep path: the package has no `exports`) bundles like any module.
 * @type {import('esbuild').Plugin}
 */
export const jsoncParserEsm = {
  name: 'jsonc-parser-esm',
  setup(b) {
    b.onResolve({ filter: /^jsonc-parser$/ }, (args) => b.resolve('jsonc-parser/lib/esm/main.js', { kind: args.kind, resolveDir: args.resolveDir }));
  },
};
