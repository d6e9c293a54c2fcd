/**
 * @packageDocumentation
 * @mcptrust/artifact
 */
export {};
