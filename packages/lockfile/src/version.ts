/** Version of this package (kept equal to package.json by a test). */
export const PACKAGE_VERSION = '0.1.0';

/** The lockfile format this package writes. */
export const LOCKFILE_VERSION = '3.0';

/** `meta.generator` written when the caller names no generator. */
export const DEFAULT_GENERATOR = `mcptrust ${PACKAGE_VERSION}`;
