import { randomFillSync } from 'node:crypto';

/** Bytes of one proxy ID: 128 bits from the CSPRNG. */
const ID_BYTES = 16;
/** IDs drawn per `randomFillSync` call. */
const IDS_PER_FILL = 256;

/**
 * Returns a source of proxy IDs: 16 fresh CSPRNG bytes each, as 22 base64url characters
 * (letters, digits, `-`, `_`), so an ID is written into JSON as is, without escaping.
 * Bytes come from a pool refilled by `crypto.randomFillSync` (as `crypto.randomUUID`
 * does) and no byte is used twice.
 */
export function createRandomIdSource(): () => string {
  const pool = Buffer.allocUnsafe(ID_BYTES * IDS_PER_FILL);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const id = pool.toString('base64url', offset, offset + ID_BYTES);
    offset += ID_BYTES;
    return id;
  };
}
