/**
 * Opening the authorization URL in the user's browser without a shell (MCP security best
 * practices, "OAuth Authorization URL Validation": mcp-remote's CVE-2025-6514 was a URL
 * handed to a shell). Only `http(s)://` URLs are opened, passed as one argument to
 * `xdg-open` (Linux, BSD), `open` (macOS) or `explorer.exe` (Windows).
 */
import { spawn } from 'node:child_process';
import { RemoteError } from '../errors.js';

/** Opens a URL in a browser; resolves once the opener was started. */
export type BrowserOpener = (url: string) => Promise<void>;

/**
 * Refuses anything but an absolute `http://` or `https://` URL without credentials, and
 * returns its serialisation (what the browser gets).
 *
 * @param raw - the URL
 * @returns the URL as `URL.href`
 * @throws RemoteError `INSECURE_URL`
 */
export function checkBrowserUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError('INSECURE_URL', 'Refusing to open an authorization URL that is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RemoteError('INSECURE_URL', `Refusing to open an authorization URL with the scheme ${JSON.stringify(url.protocol.slice(0, 20))}: only http(s) URLs are opened`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new RemoteError('INSECURE_URL', 'Refusing to open an authorization URL that carries credentials');
  }
  return url.href;
}

/** Options of {@link systemBrowserOpener}. */
export interface SystemBrowserOpenerOptions {
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** The opener's environment (its `PATH` finds the program). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The opener program of a platform. */
function openerOf(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer.exe';
  return 'xdg-open';
}

/**
 * The default {@link BrowserOpener}: checks the URL, then spawns the platform's opener
 * with the URL as its only argument (`shell: false`), detached and ignored.
 *
 * @param options - {@link SystemBrowserOpenerOptions}
 * @returns an opener; it rejects with `INSECURE_URL` for a refused URL, or `OAUTH_FAILED`
 *   when the opener program cannot be started (the caller still has the URL to print)
 */
export function systemBrowserOpener(options: SystemBrowserOpenerOptions = {}): BrowserOpener {
  return async (raw: string) => {
    const href = checkBrowserUrl(raw);
    const program = openerOf(options.platform ?? process.platform);
    const env = options.env ?? process.env;
    return new Promise<void>((resolve, reject) => {
      let child;
      try {
        child = spawn(program, [href], { env, shell: false, stdio: 'ignore', detached: true, windowsHide: true });
      } catch (error) {
        reject(new RemoteError('OAUTH_FAILED', `Cannot start ${program} to open the browser`, { cause: error }));
        return;
      }
      child.once('error', (error) => reject(new RemoteError('OAUTH_FAILED', `Cannot start ${program} to open the browser: ${error.message}`, { cause: error })));
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  };
}
