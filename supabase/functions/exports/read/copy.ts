/**
 * Reading `COPY … TO STDOUT` through postgres.js (3.4.9) inside a
 * transaction, safely:
 *
 * - postgres.js pauses its socket whenever the COPY stream's buffer is full
 *   and resumes it only from the stream's `read()`. When the buffer is full
 *   as CopyDone arrives, the stream ends with the socket still paused, so the
 *   server's CommandComplete and ReadyForQuery are never read and the next
 *   statement on that connection (the transaction's commit) waits forever.
 *   Reading the stream to its end does not help; resuming the socket once it
 *   has ended does, so {@link copyOut} does that.
 * - a COPY abandoned midway keeps the connection in COPY mode (postgres.js
 *   refuses every statement, the rollback too), so an early stop reads on,
 *   discarding, until the server has ended it (postgres.js cannot cancel a
 *   COPY once its stream has been handed out: the query counts as done).
 *
 * @module
 */
import type { Readable } from "node:stream";

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
    // `_read` is the stream's own pull, which resumes the socket (see the module doc).
    stream._read(0);
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
