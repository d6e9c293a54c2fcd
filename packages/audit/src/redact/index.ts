/** Redaction of secrets and hostile text before anything reaches a log or a receipt. */
export { redactArgv } from './argv.js';
export type { RedactedArgv } from './argv.js';
export { redactUri } from './uri.js';
export type { RedactUriOptions } from './uri.js';
export { sanitizeText, envNames } from './text.js';
