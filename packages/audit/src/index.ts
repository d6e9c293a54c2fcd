/**
 * @packageDocumentation
 * @mcptrust/audit
 */
export {};
