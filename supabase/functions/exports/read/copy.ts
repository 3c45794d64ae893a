/**
 * Reading `COPY … TO STDOUT` through postgres.js (3.4.9) inside a
 * transaction: its bytes ({@link copyOut}) and, for a binary COPY, its rows
 * ({@link copyRows}), each field the bytes Postgres sent, so no string is
 * made per row. Two postgres.js behaviours need care:
 *
 * - it pauses its socket whenever the COPY stream's buffer is full and
 *   resumes it only from the stream's `read()`; when the buffer is full as
 *   CopyDone arrives, the stream ends with the socket still paused and the
 *   transaction's next statement waits forever, so {@link copyOut} resumes
 *   the socket once the stream has ended;
 * - a COPY abandoned midway keeps the connection in COPY mode (every
 *   statement refused, the rollback too), and postgres.js cannot cancel it,
 *   so an early stop reads on, discarding, until the server has ended it.
 *
 * During COPY TO the server sends one CopyData message per row, and
 * postgres.js hands each message on as one chunk: the readers rely on that
 * and fail the export on a chunk that breaks it rather than misread it.
 *
 * @module
 */
import type { Readable } from "node:stream";
import type { Pages } from "./rows.ts";

/** A query that can be streamed as COPY out: postgres.js's `PendingQuery`. */
export interface CopyQuery {
  readable(): Promise<Readable>;
}

/**
 * The bytes of a `COPY … TO STDOUT`, chunk by chunk (each chunk is lent: it
 * may be reused once the next one is asked for). After the last chunk, or
 * when the caller stops early, the connection is ready for its next
 * statement.
 *
 * @example
 * for await (const chunk of copyOut(tx`copy (select 1) to stdout with (format csv)`)) {
 *   await sink.write(chunk);
 * }
 */
export async function* copyOut(query: CopyQuery): AsyncGenerator<Uint8Array> {
  const stream = await query.readable();
  const chunks = stream.iterator({ destroyOnReturn: false });
  let ended = false;
  try {
    for await (const chunk of chunks) yield chunk as Uint8Array;
    ended = true;
  } finally {
    if (!ended) await drain(stream);
    // `_read` is the stream's own pull, which resumes the socket (see the module doc). A connection
    // that is already gone has no socket to resume: its own error, not a TypeError, is the answer.
    try {
      stream._read(0);
    } catch {
      // closed: nothing to resume
    }
  }
}

/** Discards what is still on its way, until the COPY's end or its error. */
async function drain(stream: Readable): Promise<void> {
  try {
    for await (const _ of stream.iterator({ destroyOnReturn: false })) {
      // discarded
    }
  } catch {
    // The COPY failed as well; the caller is already handling its own error.
  }
}

/** A row: each field's bytes, null for NULL. The bytes are lent until the next page is asked for. */
export type CopyRow = (Uint8Array | null)[];

/** "PGCOPY\n\377\r\n\0", then the flags and header extension length (int32 each). */
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_SIZE = SIGNATURE.length + 8;

function broken(why: string): Error {
  return new Error(`Cannot read COPY's binary rows: ${why}`);
}

/**
 * Each chunk of a binary COPY as one page holding its row.
 *
 * @example
 * for await (const [row] of copyRows(copyOut(tx.unsafe("copy (select 'a') to stdout with (format binary)")))) {
 *   new TextDecoder().decode(row[0]!); // "a"
 * }
 */
export async function* copyRows(chunks: AsyncIterable<Uint8Array>): Pages<CopyRow> {
  let first = true;
  let ended = false;
  for await (const chunk of chunks) {
    if (ended) throw broken("data after the trailer");
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    if (first) {
      first = false;
      if (chunk.byteLength < HEADER_SIZE || SIGNATURE.some((b, i) => chunk[i] !== b)) {
        throw broken("no file header");
      }
      at = HEADER_SIZE + view.getUint32(SIGNATURE.length + 4);
    }
    if (at + 2 > chunk.byteLength) throw broken("a CopyData message is not one whole row");
    const fields = view.getInt16(at);
    at += 2;
    if (fields === -1) {
      ended = true;
      continue;
    }
    const row: CopyRow = new Array(fields);
    for (let i = 0; i < fields; i++) {
      if (at + 4 > chunk.byteLength) throw broken("a CopyData message is not one whole row");
      const length = view.getInt32(at);
      at += 4;
      if (length === -1) {
        row[i] = null;
        continue;
      }
      if (at + length > chunk.byteLength) throw broken("a CopyData message is not one whole row");
      row[i] = chunk.subarray(at, at + length);
      at += length;
    }
    if (at !== chunk.byteLength) throw broken("a CopyData message is not one whole row");
    yield [row];
  }
  if (!ended && !first) throw broken("no trailer");
}
