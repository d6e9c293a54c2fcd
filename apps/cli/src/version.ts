declare const __MCPTRUST_VERSION__: string | undefined;

/** The CLI's version, injected by the bundler (falls back to `0.0.0-dev` when run from source). */
export const VERSION: string = typeof __MCPTRUST_VERSION__ === 'string' ? __MCPTRUST_VERSION__ : '0.0.0-dev';
