/** A built package tarball and what a registry serves about it. */
export interface BuiltPackage {
    name: string;
    version: string;
    /** The package.json inside the tarball (name and version included). */
    packageJson: Record<string, unknown>;
    /** The `.tgz` bytes. */
    tarball: Buffer;
    /** `sha512-<base64>` of the tarball. */
    integrity: string;
    /** Hex sha256 of the tarball. */
    sha256: string;
}
/** Options of `buildPackage`. */
export interface BuildPackageOptions {
    name: string;
    version: string;
    /** Files of the package, path (relative, `/`-separated) → content. `package.json` is generated. */
    files: Record<string, string>;
    /** Extra package.json fields (name and version are always set from the options). */
    packageJson?: Record<string, unknown>;
}
/** Builds a package tarball in a temp dir (removed afterwards). */
export declare function buildPackage(options: BuildPackageOptions): Promise<BuiltPackage>;
/** `fixture-mcp-server@version`: a stdio MCP server depending on `fixture-dep@depRange`. */
export declare function fixtureServerPackage(version?: string, depRange?: string): Promise<BuiltPackage>;
/** `fixture-dep@version`: exports `{ ok: true, version }`; its postinstall (which must never run) writes `$MCPTRUST_TEST_MARKER`. */
export declare function fixtureDepPackage(version?: string): Promise<BuiltPackage>;
