/**
 * The ZIP container's bytes (PKWARE APPNOTE 6.3.10), written by hand so an
 * archive can be built across invocations from a few saved numbers: each
 * entry is a local header (sizes in a data descriptor after the data, bit 3,
 * as they are known only at the end), its deflated data, the descriptor;
 * the central directory and its end record close the archive. Sizes and
 * offsets fit in 32 bits: an export is capped far below 4 GiB.
 *
 * The deflated data is segmented ({@link deflateSegment}): every segment is
 * compressed by a fresh deflater and ends with a sync flush (byte-aligned,
 * no final block), and the entry ends with an empty final block. A
 * segment's bytes depend only on its own text, so the deflate state never
 * has to cross an invocation and any run writes the same bytes.
 *
 * @module
 */
import { constants, deflateRaw } from "node:zlib";

/** One entry of the archive as the central directory records it. */
export interface ZipEntryRecord {
  name: string;
  crc: number;
  /** Uncompressed bytes. */
  size: number;
  compressed: number;
  /** Where its local header starts. */
  offset: number;
}

/** Deflate level of every entry: zlib's default balance of size and speed. */
export const DEFLATE_LEVEL = 6;

/** An empty final block with fixed codes (BFINAL=1, BTYPE=01, end-of-block): ends an entry's data. */
export const DEFLATE_END: Uint8Array = Uint8Array.of(0x03, 0x00);

const VERSION = 20; // 2.0: deflate, data descriptor
const FLAGS = 0x0008; // sizes and CRC in the data descriptor
const DEFLATED = 8;

/** MS-DOS time and date of `when` in UTC (2-second resolution). */
function dosTime(when: Date): { time: number; date: number } {
  return {
    time: (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (when.getUTCSeconds() >> 1),
    date: ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) |
      when.getUTCDate(),
  };
}

function record(size: number, fill: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

const encoder = new TextEncoder();

/**
 * The local file header of entry `name`.
 *
 * @example
 * await sink.write(localHeader("experiments.csv", createdAt));
 */
export function localHeader(name: string, mtime: Date): Uint8Array {
  const encoded = encoder.encode(name);
  const { time, date } = dosTime(mtime);
  const header = record(30 + encoded.byteLength, (v) => {
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, VERSION, true);
    v.setUint16(6, FLAGS, true);
    v.setUint16(8, DEFLATED, true);
    v.setUint16(10, time, true);
    v.setUint16(12, date, true);
    v.setUint16(26, encoded.byteLength, true);
  });
  header.set(encoded, 30);
  return header;
}

/**
 * The data descriptor that follows an entry's data.
 *
 * @example
 * await sink.write(dataDescriptor({ crc, size, compressed }));
 */
export function dataDescriptor(
  entry: Pick<ZipEntryRecord, "crc" | "size" | "compressed">,
): Uint8Array {
  return record(16, (v) => {
    v.setUint32(0, 0x08074b50, true);
    v.setUint32(4, entry.crc >>> 0, true);
    v.setUint32(8, entry.compressed, true);
    v.setUint32(12, entry.size, true);
  });
}

/**
 * The central directory of `entries` starting at `offset`, and its end record.
 *
 * @example
 * await sink.write(centralDirectory(entries, bytesWrittenSoFar, createdAt));
 */
export function centralDirectory(
  entries: readonly ZipEntryRecord[],
  offset: number,
  mtime: Date,
): Uint8Array {
  const { time, date } = dosTime(mtime);
  const headers = entries.map((entry) => {
    const encoded = encoder.encode(entry.name);
    const header = record(46 + encoded.byteLength, (v) => {
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, VERSION, true);
      v.setUint16(6, VERSION, true);
      v.setUint16(8, FLAGS, true);
      v.setUint16(10, DEFLATED, true);
      v.setUint16(12, time, true);
      v.setUint16(14, date, true);
      v.setUint32(16, entry.crc >>> 0, true);
      v.setUint32(20, entry.compressed, true);
      v.setUint32(24, entry.size, true);
      v.setUint16(28, encoded.byteLength, true);
      v.setUint32(42, entry.offset, true);
    });
    header.set(encoded, 46);
    return header;
  });
  const size = headers.reduce((n, header) => n + header.byteLength, 0);
  const out = new Uint8Array(size + 22);
  let at = 0;
  for (const header of headers) {
    out.set(header, at);
    at += header.byteLength;
  }
  const end = new DataView(out.buffer, size);
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return out;
}

/**
 * One segment of an entry's deflated data: `text` compressed by a fresh
 * deflater, ending in a sync flush. Runs in zlib's thread pool.
 *
 * @example
 * const data = await deflateSegment(new TextEncoder().encode("a,b\r\n"));
 */
export function deflateSegment(text: Uint8Array, level = DEFLATE_LEVEL): Promise<Uint8Array> {
  if (text.byteLength === 0) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    deflateRaw(text, { level, finishFlush: constants.Z_SYNC_FLUSH }, (error, out) => {
      if (error) reject(error);
      else resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    });
  });
}
