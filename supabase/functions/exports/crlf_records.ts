/**
 * COPY's CSV with the export's record ends: Postgres ends every CSV record
 * with LF (COPY has no option for CRLF), while the export's CSV (csv.ts,
 * RFC 4180) ends records with CRLF and keeps a line break inside a quoted
 * cell as it is. This writer passes COPY's bytes on with a CR put before
 * every LF that is outside quotes, and counts the records on the way.
 *
 * COPY quotes any cell holding a quote, comma, CR or LF and doubles its
 * quotes, so an LF outside quotes always ends a record, and counting quotes
 * (a doubled one closes and reopens) tells inside from outside. The input
 * may be split anywhere: the state carries over from chunk to chunk.
 *
 * @module
 */
import type { ByteSink } from "./sink.ts";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A {@link ByteSink} for COPY's CSV that writes CRLF record ends to `sink`. */
export interface CrlfRecordWriter extends ByteSink {
  /** Passes on what is buffered; call after the last write. */
  flush(): Promise<void>;
  /** Records (lines outside quotes) written so far. */
  readonly records: number;
}

/** Bytes gathered before they are passed on. */
const BUFFER_SIZE = 256 * 1024;

/**
 * Converts COPY's LF record ends to CRLF, through one reused buffer.
 *
 * @example
 * const out = crlfRecords(file);
 * for await (const chunk of copyOut(query)) await out.write(chunk);
 * await out.flush();
 * out.records; // rows COPY sent
 */
export function crlfRecords(sink: ByteSink, options: { size?: number } = {}): CrlfRecordWriter {
  const buffer = new Uint8Array(Math.max(options.size ?? BUFFER_SIZE, 2));
  let used = 0;
  let quoted = false;
  let records = 0;

  async function flush() {
    if (used === 0) return;
    const filled = buffer.subarray(0, used);
    used = 0;
    await sink.write(filled);
  }

  function append(bytes: Uint8Array) {
    buffer.set(bytes, used);
    used += bytes.byteLength;
  }

  /** Converts `piece`, which fits the buffer twice over (every byte could become two). */
  function convert(piece: Uint8Array) {
    let start = 0;
    let at = 0;
    let lineEnd = -2;
    while (at < piece.byteLength) {
      if (quoted) {
        const close = piece.indexOf(QUOTE, at);
        if (close === -1) break;
        quoted = false;
        at = close + 1;
        continue;
      }
      if (lineEnd < at) lineEnd = piece.indexOf(LF, at);
      const open = piece.indexOf(QUOTE, at);
      if (lineEnd !== -1 && (open === -1 || lineEnd < open)) {
        append(piece.subarray(start, lineEnd));
        buffer[used++] = CR;
        buffer[used++] = LF;
        records += 1;
        start = at = lineEnd + 1;
        continue;
      }
      if (open === -1) break;
      quoted = true;
      at = open + 1;
    }
    append(piece.subarray(start));
  }

  return {
    async write(chunk) {
      const most = buffer.byteLength >> 1;
      for (let from = 0; from < chunk.byteLength; from += most) {
        const piece = chunk.subarray(from, from + most);
        if (used + piece.byteLength * 2 > buffer.byteLength) await flush();
        convert(piece);
      }
    },
    flush,
    get records() {
      return records;
    },
  };
}
