// npm-pick-manifest publishes no types; registry.ts narrows the one function it uses.
declare module 'npm-pick-manifest' {
  const pickManifest: (packument: unknown, wanted: string, opts?: Record<string, unknown>) => unknown;
  export default pickManifest;
}
