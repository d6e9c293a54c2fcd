/**
 * @packageDocumentation
 * @mcptrust/lockfile
 */
export {};
