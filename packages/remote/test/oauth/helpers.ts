/**
 * Test helpers of the OAuth tests: a temporary token store, and a "browser" that follows
 * the authorization URL to the loopback redirect the way a user's browser would.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import { installDialGuard, type DialGuard } from '@mcptrust/tooling/test-support/dial-guard.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTokenStore, type TokenStore } from '../../src/oauth/token-store.js';

/** What the test browser saw. */
export interface BrowserVisit {
  authorizationUrl: URL;
  /** Where the authorization server redirected (the loopback callback), when it did. */
  redirectedTo?: URL;
  /** The status and page of the callback. */
  callbackStatus?: number;
  callbackPage?: string;
}

/**
 * A browser opener that fetches the authorization URL (no redirect following), then the
 * `Location` it answers (the callback), and records both.
 */
export function testBrowser(): { open: (url: string) => Promise<void>; visits: BrowserVisit[] } {
  const visits: BrowserVisit[] = [];
  return {
    visits,
    async open(url: string): Promise<void> {
      const visit: BrowserVisit = { authorizationUrl: new URL(url) };
      visits.push(visit);
      const answer = await fetch(url, { redirect: 'manual' });
      await answer.body?.cancel();
      const location = answer.headers.get('location');
      if (location === null) return;
      visit.redirectedTo = new URL(location);
      const callback = await fetch(location);
      visit.callbackStatus = callback.status;
      visit.callbackPage = await callback.text();
    },
  };
}

/** What {@link oauthTestHooks} keeps up to date: the file's dial guard and this test's token store. */
export interface OAuthTestEnvironment {
  guard: DialGuard;
  store: TokenStore;
}

/**
 * Registers the hooks every OAuth test file needs: the dial guard for the whole file (no
 * refused dial may be left at its end: blocked targets are never dialled) and a token
 * store in a fresh temporary directory for each test, removed after it.
 */
export function oauthTestHooks(): OAuthTestEnvironment {
  const env = {} as OAuthTestEnvironment;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(() => {
    env.guard = installDialGuard();
  });
  afterAll(() => {
    env.guard.restore();
    expect(env.guard.refused).toEqual([]);
  });
  beforeEach(async () => {
    const temp = await tempStore();
    env.store = temp.store;
    cleanup = temp.cleanup;
  });
  afterEach(async () => {
    await cleanup?.();
  });
  return env;
}

/** A token store in a fresh temporary directory (`<tmp>/config/mcptrust`). */
export async function tempStore(): Promise<{ store: TokenStore; root: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'mcptrust-oauth-'));
  return {
    root,
    store: openTokenStore({ dir: join(root, 'config', 'mcptrust') }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Lines typed by a "user" for `redirectInput`: pushed by the test, read by the login. */
export interface PasteQueue {
  input: AsyncIterable<string>;
  push(line: string): void;
  /** Ends the input (stdin closed). */
  end(): void;
  /** Whether the login called `return()` on the iterator (stopped reading). */
  returned(): boolean;
}

/** A {@link PasteQueue}. */
export function pasteQueue(): PasteQueue {
  const lines: string[] = [];
  let ended = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const iterator: AsyncIterator<string> = {
    async next(): Promise<IteratorResult<string>> {
      while (lines.length === 0 && !ended && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      const line = lines.shift();
      return line === undefined ? { done: true, value: undefined } : { done: false, value: line };
    },
    async return(): Promise<IteratorResult<string>> {
      stopped = true;
      wake?.();
      return { done: true, value: undefined };
    },
  };
  return {
    input: { [Symbol.asyncIterator]: () => iterator },
    push(line) {
      lines.push(line);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    returned: () => stopped,
  };
}
