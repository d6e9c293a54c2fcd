/**
 * Secrets of OAuth flags (a client secret, a private key) come from an environment
 * variable or a file, never from the command line: argv shows in `ps` and in host
 * configurations. The value is never printed; errors name the flag and the variable or
 * file only.
 */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './exit-codes.js';

/** Environment variable names as shells write them. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A secret file larger than this is not a secret (a key is a few KB). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** One non-empty string value of a flag, or undefined when absent (yargs gives an array for a repeated flag). */
export function singleFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${flag}: give it once`);
  const text = String(value).trim();
  if (text === '') throw new UsageError(`--${flag}: expected a value`);
  return text;
}

/**
 * The secret named by `--<envFlag> NAME` (an environment variable) or `--<fileFlag> PATH`
 * (a file, trailing newline removed); at most one of the two.
 *
 * @param argv - parsed flags
 * @param env - the environment to read
 * @param flags - the two flag names, e.g. `client-secret-env` and `client-secret-file`
 * @returns the secret, or undefined when neither flag is given
 * @throws UsageError (exit 2) for an unset or empty variable, an unreadable, empty or oversized file, both flags
 */
export async function secretFromFlags(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, flags: { envFlag: string; fileFlag: string }): Promise<string | undefined> {
  const name = singleFlag(flags.envFlag, argv[flags.envFlag]);
  const file = singleFlag(flags.fileFlag, argv[flags.fileFlag]);
  if (name !== undefined && file !== undefined) throw new UsageError(`--${flags.envFlag} and --${flags.fileFlag}: give one of them`);
  if (name !== undefined) {
    if (!ENV_NAME.test(name)) throw new UsageError(`--${flags.envFlag}: expected the NAME of an environment variable holding the secret (the secret itself never goes on the command line)`);
    const value = env[name];
    if (value === undefined || value === '') throw new UsageError(`--${flags.envFlag}: the environment variable ${name} is not set or is empty`);
    return value;
  }
  if (file !== undefined) return readSecretFile(flags.fileFlag, file);
  return undefined;
}

/**
 * Reads a secret file (a client secret, a PEM key): at most 64 KiB, not empty; one
 * trailing newline removed.
 *
 * @throws UsageError naming the flag and the file
 */
export async function readSecretFile(flag: string, path: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`--${flag}: ${path} is not a file`);
    if (info.size > MAX_SECRET_FILE_BYTES) throw new UsageError(`--${flag}: ${path} is larger than 64 KiB; expected a secret or a PEM key`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`--${flag}: cannot read ${path} (${code})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.trim() === '') throw new UsageError(`--${flag}: ${path} is empty`);
  return value;
}
