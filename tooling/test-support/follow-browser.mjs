#!/usr/bin/env node
// Shared test support (plain ESM; types in the .d.mts beside it). Loopback only.
/**
 * A stand-in browser for login tests: `BROWSER="node /abs/path/follow-browser.mjs"` (see
 * {@link followBrowserCommand}). Run as a program, it takes the URL as its last argument,
 * GETs it without following redirects, follows `Location` only to `127.0.0.1` or
 * `localhost` (at most 5 hops), and stops at the loopback callback (a path ending in
 * `/callback`), which it GETs like a browser landing there. It never dials anything but
 * loopback, exits 0 within a few seconds whatever happens, and with
 * `FOLLOW_BROWSER_LOG=<file>` appends one JSON line per run:
 * `{ argc, target, hops: [{ url, params, status }], callback?: { url, params, status }, error? }`
 * (`argc` the number of arguments, `target` the last one), where `url` is origin and path
 * and `params` the query parameter names (no values: codes and state stay out of the log).
 *
 * Imported, it exports the script's path and the `BROWSER` value that runs it.
 */
import { appendFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The absolute path of this script. */
export const followBrowserPath = fileURLToPath(import.meta.url);

/** Single-quotes a word for the `BROWSER` splitter when it needs it. */
function quote(word) {
  return /^[A-Za-z0-9_@%+=,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The `BROWSER` value that runs this script with the current Node.js.
 * @returns {string}
 */
export function followBrowserCommand() {
  return `${quote(process.execPath)} ${quote(followBrowserPath)}`;
}

const MAX_HOPS = 5;
const TIMEOUT_MS = 5_000;

function isLoopback(url) {
  return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost");
}

function describe(url) {
  return { url: `${url.origin}${url.pathname}`, params: [...url.searchParams.keys()] };
}

async function follow(start, record) {
  let url = new URL(start);
  const deadline = AbortSignal.timeout(TIMEOUT_MS);
  for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
    if (!isLoopback(url)) throw new Error(`refusing to visit a non-loopback address (${url.protocol}//${url.host})`);
    const callback = url.pathname.endsWith("/callback");
    const answer = await fetch(url, { redirect: "manual", signal: deadline });
    await answer.arrayBuffer().catch(() => undefined);
    const seen = { ...describe(url), status: answer.status };
    if (callback) {
      record.callback = seen;
      return;
    }
    record.hops.push(seen);
    const location = answer.headers.get("location");
    if (answer.status < 300 || answer.status >= 400 || location === null) return;
    url = new URL(location, url);
  }
  throw new Error(`more than ${MAX_HOPS} redirects`);
}

async function main() {
  const argv = process.argv.slice(2);
  const record = { argc: argv.length, hops: [] };
  try {
    if (argv.length === 0) throw new Error("no URL given");
    record.target = describe(new URL(argv[argv.length - 1]));
    await follow(argv[argv.length - 1], record);
  } catch (error) {
    record.error = String(error?.message ?? error);
  }
  const log = process.env.FOLLOW_BROWSER_LOG;
  if (log !== undefined && log !== "") {
    try {
      appendFileSync(log, `${JSON.stringify(record)}\n`);
    } catch {
      // A test reads the log; nothing to do when it cannot be written.
    }
  }
}

function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(followBrowserPath);
  } catch {
    return false;
  }
}

if (isMain()) {
  const guard = setTimeout(() => process.exit(0), TIMEOUT_MS + 1_000);
  guard.unref();
  await main();
  process.exitCode = 0;
}
