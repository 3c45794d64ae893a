/**
 * COPY's CSV with the export's record ends: Postgres ends every CSV record
 * with LF (COPY has no option for CRLF), while the export's CSV (csv.ts,
 * RFC 4180) ends records with CRLF and keeps a line break inside a quoted
 * cell as it is.
 *
 * The protocol makes this cheap: during COPY TO the server sends one
 * CopyData message per row ("messages sent from the backend will always
 * correspond to single data rows", PostgreSQL protocol, COPY Operations),
 * and postgres.js hands each message on as one chunk. So every chunk is one
 * record whose last byte is its LF, and no scan for quotes is needed: the
 * LF becomes CRLF. A chunk that does not end in LF breaks that contract and
 * fails the export rather than writing a wrong file.
 *
 * @module
 */
import type { ByteSink } from "./measure.ts";

const LF = 0x0a;
const CR = 0x0d;

/** A {@link ByteSink} for COPY's CSV, one row per write, that writes CRLF record ends to `sink`. */
export interface CrlfRecordWriter extends ByteSink {
  /** Passes on what is buffered; call after the last write. */
  flush(): Promise<void>;
  /** Records written so far. */
  readonly records: number;
}

/** Bytes gathered before they are passed on. */
const BUFFER_SIZE = 256 * 1024;

/**
 * Converts COPY's LF record ends to CRLF, through one reused buffer.
 *
 * @example
 * const out = crlfRecords(file);
 * for await (const row of copyOut(query)) await out.write(row);
 * await out.flush();
 * out.records; // rows COPY sent
 */
export function crlfRecords(sink: ByteSink, options: { size?: number } = {}): CrlfRecordWriter {
  const buffer = new Uint8Array(options.size ?? BUFFER_SIZE);
  let used = 0;
  let records = 0;

  async function flush() {
    if (used === 0) return;
    const filled = buffer.subarray(0, used);
    used = 0;
    await sink.write(filled);
  }

  return {
    async write(row) {
      const length = row.byteLength;
      if (length === 0) return;
      if (row[length - 1] !== LF) {
        throw new Error("Cannot convert COPY's CSV: a CopyData message is not one whole row");
      }
      records += 1;
      if (used + length + 1 > buffer.byteLength) await flush();
      if (length + 1 > buffer.byteLength) {
        await sink.write(row.subarray(0, length - 1));
        await sink.write(new Uint8Array([CR, LF]));
        return;
      }
      buffer.set(row, used);
      used += length - 1;
      buffer[used++] = CR;
      buffer[used++] = LF;
    },
    flush,
    get records() {
      return records;
    },
  };
}
