/**
 * @packageDocumentation
 * @mcptrust/policy
 */
export {};
