/**
 * Reading a host config file for editing: its real path, exact bytes, their hash and
 * mode, and the parsed document.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { HostsError } from './errors.js';
import { parseConfig } from './formats/index.js';
import type { ConfigLocation } from './types.js';

/** A config file as read for editing. */
export interface ConfigFile {
  /** Where the file is and what it is. */
  location: ConfigLocation;
  /** The file's path with every symbolic link resolved (the file that is edited). */
  realPath: string;
  /** The exact bytes read. */
  bytes: Buffer;
  /** The bytes as UTF-8 text (a leading byte-order mark is kept). */
  text: string;
  /** SHA-256 of `bytes`, lowercase hex. */
  sha256: string;
  /** Permission bits of the file (`0o600`, `0o644`…). */
  mode: number;
  /** The parsed document. */
  document: unknown;
}

/**
 * SHA-256 of some bytes, lowercase hex.
 *
 * @param bytes - the bytes
 */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Decodes UTF-8 strictly, keeping a leading byte-order mark in the text.
 *
 * @param bytes - the bytes
 * @returns the text, or undefined when the bytes are not UTF-8
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses a config file, following symbolic links to the real file.
 *
 * @param location - the file to read
 * @throws HostsError `CONFIG_NOT_FOUND` when it does not exist, cannot be read or is not a
 * regular file; `CONFIG_PARSE` when it is not UTF-8 or does not parse (naming line and column)
 */
export async function readConfigFile(location: ConfigLocation): Promise<ConfigFile> {
  const file = location.path;
  let realPath: string;
  let bytes: Buffer;
  let mode: number;
  try {
    realPath = await realpath(file);
    const info = await stat(realPath);
    if (!info.isFile()) throw new HostsError('CONFIG_NOT_FOUND', `${file} is not a regular file`, { file });
    mode = info.mode & 0o777;
    bytes = await readFile(realPath);
  } catch (error) {
    if (error instanceof HostsError) throw error;
    const code = errnoCode(error);
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new HostsError('CONFIG_NOT_FOUND', `${file} ${why}`, { file, cause: error });
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new HostsError('CONFIG_PARSE', `${file}:1:1: not UTF-8 text`, { file });
  const document = parseConfig(text, location.format, file);
  return { location, realPath, bytes, text, sha256: sha256Hex(bytes), mode, document };
}
