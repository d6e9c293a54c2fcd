/**
 * @packageDocumentation
 * @mcptrust/signing
 */
export {};
