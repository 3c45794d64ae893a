/**
 * Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds,
 * then random bits. Ids minted one after another sort one after another, so
 * a B-tree index on them grows at its right edge: inserts touch the same
 * few hot pages however large the table is, where random (v4) ids scatter
 * each insert over the whole index (buffer misses and full-page WAL images
 * that grow with the table). Used for correlation ids; the database mints
 * the same kind with `private.uuid_v7()`.
 *
 * @module
 */

/**
 * A new version-7 UUID for time `now` (milliseconds since the epoch).
 *
 * @example
 * uuidV7(); // "0193a4c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d"
 */
export function uuidV7(now: number = Date.now()): string {
  if (!Number.isSafeInteger(now) || now < 0 || now >= 2 ** 48) {
    throw new RangeError(
      `Cannot mint a UUIDv7: the time must be 0 to 2^48 - 1 milliseconds, got ${now}`,
    );
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let time = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
