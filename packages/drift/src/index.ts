/**
 * @packageDocumentation
 * @mcptrust/drift
 */
export {};
