/**
 * The approval bundle (`approval.zip`): one reproducible file that carries a signed
 * lockfile, its signature, optionally the public key and the policy, a generated
 * README and a manifest with the SHA-256 of every other entry. Two exports of the
 * same inputs are byte-identical (fixed timestamps, sorted entries, fixed attributes).
 */
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { parseLockfile } from '@mcptrust/lockfile';
import type { Lockfile } from '@mcptrust/lockfile';
import { unzipSync, zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { SigningError } from './errors.js';
import { decodeUtf8, readBounded, writeAtomic } from './files.js';
import { parsePublicKey, readPublicKey } from './keys.js';
import { readLockfileText, readSignatureText, verifyLockfileText } from './lockfile-signature.js';
import type { Ed25519Verification } from './lockfile-signature.js';
import { parseSignatureFile } from './signature-file.js';

/** Entry names inside an approval bundle. */
export const BUNDLE_ENTRIES = {
  manifest: 'manifest.json',
  lockfile: 'mcp-lock.json',
  signature: 'mcp-lock.json.sig',
  publicKey: 'public.key',
  policy: 'policy.yaml',
  readme: 'README.txt',
} as const;

const ALLOWED_NAMES: ReadonlySet<string> = new Set(Object.values(BUNDLE_ENTRIES));
/** Bounds for parsing an attacker-supplied bundle. */
export const BUNDLE_LIMITS = {
  maxBundleBytes: 64 * 1024 * 1024,
  maxEntries: 16,
  maxEntryBytes: 64 * 1024 * 1024,
  /** All entries together, inflated: bounds a zip bomb whatever the ratio. */
  maxInflatedBytes: 160 * 1024 * 1024,
} as const;
/** Every entry gets this DOS timestamp (1980-01-01 00:00, built in local time so the bytes do not depend on the time zone). */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** Regular file, rw-r--r--, made on Unix. */
const FIXED_ATTRS = { os: 3, attrs: (0o100644 << 16) >>> 0, level: 9 as const, mtime: FIXED_MTIME };

/** One file listed in the manifest. */
export interface ManifestEntry {
  name: string;
  sha256: string;
  size: number;
}

/** `manifest.json`. */
export interface BundleManifest {
  bundleVersion: 1;
  files: ManifestEntry[];
}

/** Inputs of {@link exportApprovalBundle}. */
export interface ExportApprovalBundleOptions {
  lockfilePath: string;
  /** `<lockfile>.sig` by default; REQUIRED to exist: an unsigned lockfile is refused. */
  signaturePath?: string;
  /** Public key file to include (it is also checked against the signature). */
  publicKeyPath?: string;
  /** Policy file to include as `policy.yaml`. */
  policyPath?: string;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function printableName(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const invisible = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp === 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f);
    out += invisible ? `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}` : ch;
  }
  return out;
}

/**
 * The denied part of the README: what the server offers and the reviewer left out on
 * purpose (the proxy hides it and refuses calls to it). Nothing when nothing is denied,
 * so the README of a lockfile without denials is what it always was.
 */
function deniedLines(lockfile: Lockfile): string[] {
  const denied = lockfile.denied;
  if (denied === undefined) return [];
  const items = [
    ...Object.keys(denied.tools).sort().map((name) => `  - tool ${printableName(name)} [${denied.tools[name]?.riskLevel ?? '?'}]`),
    ...Object.keys(denied.prompts.definitions).sort().map((name) => `  - prompt ${printableName(name)}`),
    ...denied.resources.templates.map((t) => t.uriTemplate).sort().map((uri) => `  - resource template ${printableName(uri)}`),
    ...denied.resources.static.map((r) => r.uri).sort().map((uri) => `  - static resource ${printableName(uri)}`),
  ];
  if (items.length === 0) return [];
  return [`Denied (${items.length}; offered by the server, not approved: hidden and refused by the proxy):`, ...items, ''];
}

/** The generated README: what this bundle approves (and denies). */
export function renderBundleReadme(lockfile: Lockfile): string {
  const tools = Object.keys(lockfile.tools).sort();
  const prompts = Object.keys(lockfile.prompts.definitions).sort();
  const templates = lockfile.resources.templates.map((t) => t.uriTemplate).sort();
  const statics = lockfile.resources.static.map((r) => r.uri).sort();
  const lines = [
    'MCPTrust approval bundle',
    '',
    `Server: ${printableName(lockfile.server.name)} ${printableName(lockfile.server.version)} (protocol ${printableName(lockfile.server.protocolVersion)})`,
    `Locked: ${printableName(lockfile.meta.updatedAt)} by ${printableName(lockfile.meta.generator)}`,
    '',
    `Approved tools (${tools.length}):`,
    ...tools.map((name) => `  - ${printableName(name)} [${lockfile.tools[name]?.riskLevel ?? '?'}]`),
    '',
    `Approved prompts (${prompts.length}):`,
    ...prompts.map((name) => `  - ${printableName(name)}`),
    '',
    `Approved resource templates (${templates.length}):`,
    ...templates.map((uri) => `  - ${printableName(uri)}`),
    '',
    `Approved static resources (${statics.length}):`,
    ...statics.map((uri) => `  - ${printableName(uri)}`),
    '',
    ...deniedLines(lockfile),
    'Verify with: mcptrust bundle verify <this file> --key <trusted public key>',
    'manifest.json lists the SHA-256 of every other file; mcp-lock.json.sig signs mcp-lock.json.',
    '',
  ];
  return lines.join('\n');
}

/**
 * Builds the approval bundle bytes. The signature is verified first when a public key
 * is given, so a bundle never ships a key that does not match its signature.
 * @throws SigningError `SIGNATURE_MISSING` for an unsigned lockfile, and the errors of
 * reading and verifying
 */
export async function exportApprovalBundle(options: ExportApprovalBundleOptions): Promise<Uint8Array> {
  const signaturePath = options.signaturePath ?? `${options.lockfilePath}.sig`;
  const lockText = await readLockfileText(options.lockfilePath);
  let signatureText: string;
  try {
    signatureText = await readSignatureText(signaturePath);
  } catch (error) {
    if (error instanceof SigningError && error.code === 'SIGNATURE_MISSING') {
      throw new SigningError('SIGNATURE_MISSING', `${options.lockfilePath} is not signed: signature file ${signaturePath} does not exist (run \`mcptrust sign\` first)`, { cause: error, file: signaturePath });
    }
    throw error;
  }
  parseSignatureFile(signatureText, signaturePath);
  let lockfile: Lockfile;
  try {
    lockfile = parseLockfile(lockText, { file: options.lockfilePath }).lockfile;
  } catch (error) {
    throw new SigningError('LOCKFILE_INVALID', (error as Error).message, { cause: error, file: options.lockfilePath });
  }
  const files: Record<string, Uint8Array> = {
    [BUNDLE_ENTRIES.lockfile]: Buffer.from(lockText, 'utf8'),
    [BUNDLE_ENTRIES.signature]: Buffer.from(signatureText, 'utf8'),
    [BUNDLE_ENTRIES.readme]: Buffer.from(renderBundleReadme(lockfile), 'utf8'),
  };
  if (options.publicKeyPath !== undefined) {
    const key = await readPublicKey(options.publicKeyPath);
    verifyLockfileText(lockText, signatureText, key, { lockfile: options.lockfilePath, signature: signaturePath });
    files[BUNDLE_ENTRIES.publicKey] = await readBounded(options.publicKeyPath, { what: 'public key', maxBytes: 16 * 1024, missing: 'KEY_READ_FAILED', failed: 'KEY_READ_FAILED' });
  }
  if (options.policyPath !== undefined) {
    files[BUNDLE_ENTRIES.policy] = await readBounded(options.policyPath, { what: 'policy file', maxBytes: BUNDLE_LIMITS.maxEntryBytes, missing: 'LOCKFILE_INVALID', failed: 'LOCKFILE_INVALID' });
  }
  const names = Object.keys(files).sort();
  const manifest: BundleManifest = {
    bundleVersion: 1,
    files: names.map((name) => {
      const data = files[name] as Uint8Array;
      return { name, sha256: hex(sha256(data)), size: data.length };
    }),
  };
  files[BUNDLE_ENTRIES.manifest] = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort()) zippable[name] = [files[name] as Uint8Array, FIXED_ATTRS];
  return zipSync(zippable, FIXED_ATTRS);
}

const invalid = (message: string, cause?: unknown): SigningError => new SigningError('BUNDLE_INVALID', message, cause === undefined ? {} : { cause });

/** Reads the entry count from the end-of-central-directory record before anything is inflated. */
function centralDirectoryCount(bytes: Uint8Array, source: string): number {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      return (bytes[i + 10] as number) | ((bytes[i + 11] as number) << 8);
    }
  }
  throw invalid(`${source} is not a zip file (no end of central directory)`);
}

/** One central directory record, as far as the checks below need it. */
interface DirectoryEntry {
  name: string;
  /** Unix file type bits (S_IFMT) when the entry was made on Unix, else 0. */
  unixType: number;
  inflatedSize: number;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/**
 * Walks the central directory (before anything is inflated) for what the unzip
 * library does not report: the file type (a symbolic link or a directory is no
 * bundle entry), names listed twice, and the declared inflated sizes added up.
 */
function readCentralDirectory(bytes: Uint8Array, source: string): DirectoryEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw invalid(`${source} is not a zip file (no end of central directory)`);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries: DirectoryEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw invalid(`${source} is not a valid zip file: its central directory is truncated`);
    const nameLength = view.getUint16(at + 28, true);
    if (at + 46 + nameLength > bytes.length) throw invalid(`${source} is not a valid zip file: its central directory is truncated`);
    const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
    const madeOnUnix = view.getUint8(at + 5) === 3;
    entries.push({ name, unixType: madeOnUnix ? (view.getUint32(at + 38, true) >>> 16) & S_IFMT : 0, inflatedSize: view.getUint32(at + 24, true) });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

function checkDirectory(entries: readonly DirectoryEntry[], source: string): void {
  const names = new Set<string>();
  let total = 0;
  for (const entry of entries) {
    const shown = JSON.stringify(entry.name);
    if (entry.unixType === S_IFLNK) throw invalid(`${source} holds entry ${shown}: a symbolic link, not a file`);
    if (entry.unixType !== 0 && entry.unixType !== S_IFREG) throw invalid(`${source} holds entry ${shown}: not a regular file`);
    if (names.has(entry.name)) throw invalid(`${source} holds the entry name ${shown} twice`);
    names.add(entry.name);
    total += entry.inflatedSize;
    if (total > BUNDLE_LIMITS.maxInflatedBytes) throw invalid(`${source} would inflate to more than ${BUNDLE_LIMITS.maxInflatedBytes} bytes`);
  }
}

/** Why a name is unsafe, or undefined. Names are attacker-controlled: compared, never used as paths. */
function unsafeName(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\') || name.includes('\0') || name === '..' || name === '.' || name.includes(':')) return 'path components are not allowed';
  if (!ALLOWED_NAMES.has(name)) return 'not an approval bundle entry';
  return undefined;
}

/** Options of {@link verifyApprovalBundle}. */
export interface VerifyApprovalBundleOptions {
  /** The trusted public key file. Without it the key inside the bundle is used (integrity only, not authenticity). */
  publicKeyPath?: string;
  /** Name of the bundle for messages. */
  source?: string;
}

/** A verified approval bundle. */
export interface ApprovalBundleVerification {
  manifest: BundleManifest;
  signature: Ed25519Verification;
  /** Which key verified the signature: the caller's (`option`) or the bundle's own (`bundle`). */
  keySource: 'option' | 'bundle';
  /** The lockfile text from the bundle. */
  lockfileText: string;
}

/**
 * Checks an approval bundle: bounded, traversal-safe unzip, every manifest hash
 * (timing-safe), no unlisted entry, then the lockfile signature.
 * @throws SigningError `BUNDLE_INVALID` (malformed), `BUNDLE_TAMPERED` and
 * `SIGNATURE_INVALID` (findings), `KEY_*`, `SIGNATURE_FILE_INVALID`
 */
export async function verifyApprovalBundle(bytes: Uint8Array, options: VerifyApprovalBundleOptions = {}): Promise<ApprovalBundleVerification> {
  const source = options.source ?? 'approval bundle';
  if (bytes.length > BUNDLE_LIMITS.maxBundleBytes) throw invalid(`${source} is too large (${bytes.length} bytes)`);
  const count = centralDirectoryCount(bytes, source);
  if (count > BUNDLE_LIMITS.maxEntries) throw invalid(`${source} has ${count} entries (at most ${BUNDLE_LIMITS.maxEntries})`);
  checkDirectory(readCentralDirectory(bytes, source), source);
  let entries: Record<string, Uint8Array>;
  let seen = 0;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        seen++;
        if (seen > BUNDLE_LIMITS.maxEntries) throw invalid(`${source} has more than ${BUNDLE_LIMITS.maxEntries} entries`);
        const why = unsafeName(file.name);
        if (why !== undefined) throw invalid(`${source} holds entry ${JSON.stringify(file.name)}: ${why}`);
        if (file.originalSize > BUNDLE_LIMITS.maxEntryBytes || file.size > BUNDLE_LIMITS.maxEntryBytes) {
          throw invalid(`${source} entry ${file.name} is too large`);
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw invalid(`${source} is not a valid zip file: ${(error as Error).message}`, error);
  }
  if (Object.keys(entries).length !== seen) throw invalid(`${source} holds duplicate entry names`);
  const manifestBytes = entries[BUNDLE_ENTRIES.manifest];
  if (manifestBytes === undefined) throw invalid(`${source} has no ${BUNDLE_ENTRIES.manifest}`);
  let manifest: BundleManifest;
  try {
    const parsed = JSON.parse(decodeUtf8(manifestBytes, source, 'manifest of', 'BUNDLE_INVALID')) as unknown;
    const files = (parsed as { files?: unknown }).files;
    if ((parsed as { bundleVersion?: unknown }).bundleVersion !== 1 || !Array.isArray(files)) throw new Error('expected {"bundleVersion": 1, "files": [...]}');
    for (const f of files) {
      const entry = f as Partial<ManifestEntry>;
      if (typeof entry.name !== 'string' || typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) throw new Error('every file needs "name" and a hex "sha256"');
    }
    manifest = parsed as BundleManifest;
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw invalid(`${source}: ${BUNDLE_ENTRIES.manifest} is invalid: ${(error as Error).message}`, error);
  }
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    if (listed.has(entry.name)) throw invalid(`${source}: ${BUNDLE_ENTRIES.manifest} lists ${entry.name} twice`);
    listed.add(entry.name);
    const data = entries[entry.name];
    if (data === undefined) throw new SigningError('BUNDLE_TAMPERED', `${source}: ${entry.name} is listed in the manifest but missing`);
    const found = Buffer.from(sha256(data));
    const expected = Buffer.from(entry.sha256, 'hex');
    if (!timingSafeEqual(found, expected)) {
      throw new SigningError('BUNDLE_TAMPERED', `${source}: ${entry.name} does not match its manifest hash (expected ${entry.sha256}, found ${hex(found)})`);
    }
  }
  for (const name of Object.keys(entries)) {
    if (name !== BUNDLE_ENTRIES.manifest && !listed.has(name)) throw new SigningError('BUNDLE_TAMPERED', `${source}: ${name} is not listed in the manifest`);
  }
  const lockBytes = entries[BUNDLE_ENTRIES.lockfile];
  const sigBytes = entries[BUNDLE_ENTRIES.signature];
  if (lockBytes === undefined) throw invalid(`${source} has no ${BUNDLE_ENTRIES.lockfile}`);
  if (sigBytes === undefined) throw invalid(`${source} has no ${BUNDLE_ENTRIES.signature}`);
  let publicKey: Uint8Array;
  let keySource: 'option' | 'bundle';
  if (options.publicKeyPath !== undefined) {
    publicKey = await readPublicKey(options.publicKeyPath);
    keySource = 'option';
  } else {
    const keyBytes = entries[BUNDLE_ENTRIES.publicKey];
    if (keyBytes === undefined) throw invalid(`${source} holds no ${BUNDLE_ENTRIES.publicKey}: pass the trusted public key`);
    publicKey = parsePublicKey(decodeUtf8(keyBytes, `${source}:${BUNDLE_ENTRIES.publicKey}`, 'public key', 'KEY_INVALID'), `${source}:${BUNDLE_ENTRIES.publicKey}`);
    keySource = 'bundle';
  }
  const lockfileText = decodeUtf8(lockBytes, `${source}:${BUNDLE_ENTRIES.lockfile}`, 'lockfile', 'LOCKFILE_INVALID');
  const signatureText = decodeUtf8(sigBytes, `${source}:${BUNDLE_ENTRIES.signature}`, 'signature file', 'SIGNATURE_FILE_INVALID');
  const signature = verifyLockfileText(lockfileText, signatureText, publicKey, {
    lockfile: `${source}:${BUNDLE_ENTRIES.lockfile}`,
    signature: `${source}:${BUNDLE_ENTRIES.signature}`,
  });
  return { manifest, signature, keySource, lockfileText };
}

/** Writes bundle bytes atomically (mode 0644, replacing an existing file). */
export async function writeApprovalBundle(path: string, bytes: Uint8Array): Promise<void> {
  await writeAtomic(path, bytes, { mode: 0o644, overwrite: true, what: 'approval bundle' });
}
