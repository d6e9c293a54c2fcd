/**
 * @packageDocumentation
 * @mcptrust/proxy-core
 */
export {};
