/**
 * Builds npm-style package tarballs in memory with tar@7's header encoder (gzip'd ustar),
 * including deliberately hostile ones (links, `..` paths) no packer would produce.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** One tarball entry. */
export interface TarEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  content?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

/** A gzip'd tarball of the entries, in order. */
export function buildTarball(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const body = type === 'File' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: body.length,
      type,
      ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}),
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A package tarball: `package/package.json` from `manifest` plus `files` under `package/`. */
export function packageTarball(manifest: Record<string, unknown>, files: Record<string, string> = {}, extra: TarEntry[] = []): Buffer {
  return buildTarball([
    { path: 'package/package.json', content: JSON.stringify(manifest, null, 2) },
    ...Object.entries(files).map(([p, content]) => ({ path: `package/${p}`, content, ...(p.startsWith('bin/') ? { mode: 0o755 } : {}) })),
    ...extra,
  ]);
}

/** SHA-512 SRI of bytes. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** SHA-256 hex of bytes. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
