/**
 * The audit record line: a fixed envelope (`v`, `seq`, `ts`, `chain`, `type`, `prev`)
 * followed by the payload, one JSON object per line. A record's hash is the SHA-256 of
 * the exact bytes of its line without the `\n`; nothing is ever re-serialized to check it.
 */
import { createHash } from 'node:crypto';
import { AuditError } from '../errors.js';

/** The record format version written in `v`. */
export const RECORD_VERSION = 2;

/** The envelope keys, in the order the writer puts them. Payloads may not use them. */
export const ENVELOPE_KEYS: readonly string[] = ['v', 'seq', 'ts', 'chain', 'type', 'prev'];

/** Record types the log itself writes; callers may not append them. */
export const STRUCTURAL_TYPES: ReadonlySet<string> = new Set(['chain.start', 'chain.end', 'chain.rotate', 'checkpoint']);

const GENESIS_DOMAIN = 'mcptrust-audit-v2\0';
const CHECKPOINT_DOMAIN = 'mcptrust-audit-checkpoint-v1\n';
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The envelope every record starts with. */
export interface Envelope {
  v: number;
  seq: number;
  ts: string;
  chain: string;
  type: string;
  prev: string;
}

/** A record line that parsed: its envelope, its whole object and its hash. */
export interface ParsedRecord {
  envelope: Envelope;
  body: Record<string, unknown>;
  hash: string;
}

/** SHA-256 in lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The `prev` of a chain's first record: binds the chain id, so no record can start two chains. */
export function genesisHash(chain: string): string {
  return sha256Hex(`${GENESIS_DOMAIN}${chain}`);
}

/** The bytes a checkpoint (or a head file) signs: the chain, and seq and hash of the record it covers. */
export function checkpointMessage(chain: string, seq: number, head: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${CHECKPOINT_DOMAIN}${chain}\n${seq}\n${head}`, 'utf8'));
}

/** Whether a value is a lowercase 64-hex-digit hash. */
export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/** Whether a value is a lowercase UUID (a chain id). */
export function isChainId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Whether a value is a non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function envelopeText(e: Envelope): string {
  return `{"v":${e.v},"seq":${e.seq},"ts":${JSON.stringify(e.ts)},"chain":${JSON.stringify(e.chain)},"type":${JSON.stringify(e.type)},"prev":${JSON.stringify(e.prev)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Serializes one record (without its `\n`): the envelope in fixed order, then the
 * payload's keys in their own order. `undefined` values are left out.
 * @throws AuditError `INVALID_EVENT` when the payload is not a plain object, uses an
 *   envelope key, or holds a value JSON cannot represent (BigInt, cycles)
 */
export function serializeRecord(envelope: Envelope, payload: Record<string, unknown>, where: string): string {
  if (!isPlainObject(payload)) throw new AuditError('INVALID_EVENT', `${where}: the payload of a "${envelope.type}" record must be a plain object`);
  for (const key in payload) {
    if (ENVELOPE_KEYS.includes(key)) {
      throw new AuditError('INVALID_EVENT', `${where}: payload key "${key}" of a "${envelope.type}" record collides with the record envelope (${ENVELOPE_KEYS.join(', ')})`);
    }
  }
  // One JSON.stringify of the whole payload gives the same members in the same order as
  // one per key (undefined values left out either way). A payload with its own toJSON, or
  // one that cannot be written, takes the per-key path, which names the key at fault.
  if (!Object.prototype.hasOwnProperty.call(payload, 'toJSON')) {
    let body: string | undefined;
    try {
      body = JSON.stringify(payload);
    } catch {
      body = undefined;
    }
    if (body !== undefined) return `${envelopeText(envelope)}${body.length > 2 ? `,${body.slice(1, -1)}` : ''}}`;
  }
  let text = envelopeText(envelope);
  for (const [key, value] of Object.entries(payload)) {
    if (ENVELOPE_KEYS.includes(key)) {
      throw new AuditError('INVALID_EVENT', `${where}: payload key "${key}" of a "${envelope.type}" record collides with the record envelope (${ENVELOPE_KEYS.join(', ')})`);
    }
    if (value === undefined) continue;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new AuditError('INVALID_EVENT', `${where}: payload key "${key}" of a "${envelope.type}" record cannot be written as JSON: ${(error as Error).message}`, { cause: error });
    }
    if (json === undefined) continue;
    text += `,${JSON.stringify(key)}:${json}`;
  }
  return `${text}}`;
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses one line (its bytes, without the `\n`) as a record: UTF-8, a JSON object, a
 * version-2 envelope of the right types, written in the writer's fixed order.
 * @returns the record, or the reason it is not one
 */
export function parseRecord(line: Uint8Array): ParsedRecord | { reason: string } {
  let text: string;
  try {
    text = DECODER.decode(line);
  } catch {
    return { reason: 'the line is not valid UTF-8' };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { reason: text.trim() === '' ? 'the line is empty' : 'the line is not valid JSON' };
  }
  if (!isPlainObject(body)) return { reason: 'the line is not a JSON object' };
  const { v, seq, ts, chain, type, prev } = body;
  if (v !== RECORD_VERSION) return { reason: `unsupported record version ${JSON.stringify(v) ?? 'undefined'} (expected ${RECORD_VERSION})` };
  if (!isCount(seq)) return { reason: '"seq" is not a non-negative integer' };
  if (typeof ts !== 'string' || !ISO_UTC.test(ts) || Number.isNaN(Date.parse(ts))) return { reason: '"ts" is not an ISO 8601 UTC time' };
  if (!isChainId(chain)) return { reason: '"chain" is not a chain id (UUID)' };
  if (typeof type !== 'string' || type === '') return { reason: '"type" is not a non-empty string' };
  if (!isHash(prev)) return { reason: '"prev" is not a SHA-256 hash (64 lowercase hex digits)' };
  const envelope: Envelope = { v, seq, ts, chain, type, prev };
  const prefix = envelopeText(envelope);
  // The envelope must open the line exactly as the writer wrote it: a duplicate key or
  // another order would let a reader and this verifier see different values.
  if (!(text === `${prefix}}` || text.startsWith(`${prefix},`))) return { reason: 'the record envelope is not in the fixed order v, seq, ts, chain, type, prev' };
  return { envelope, body, hash: sha256Hex(line) };
}
