/**
 * Where export bytes go, a chunk at a time: a sink that measures what passes
 * (byte count and SHA-256, computed incrementally) and a text writer with one
 * reused buffer, so an export of any size is built with bounded memory.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Receives bytes in order. The chunk is lent: once `write` has resolved, the
 * writer may overwrite it, so a sink that keeps bytes keeps a copy.
 */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

/** Size and SHA-256 (hex) of what was written. */
export interface Measure {
  bytes: number;
  sha256: string;
}

/** A {@link ByteSink} that also knows the size and hash of everything written so far. */
export interface MeasuringSink extends ByteSink {
  /** Ends the hash; call once, after the last write. */
  measure(): Measure;
}

const encoder = new TextEncoder();

/**
 * Forwards every chunk to `inner` (if any) while counting and hashing it.
 *
 * @example
 * const sink = measuringSink();
 * await writeText(sink, "abc");
 * sink.measure(); // { bytes: 3, sha256: "ba7816bf…" }
 */
export function measuringSink(inner?: ByteSink): MeasuringSink {
  const hash = createHash("sha256");
  let bytes = 0;
  return {
    async write(chunk) {
      if (chunk.byteLength === 0) return;
      hash.update(chunk);
      bytes += chunk.byteLength;
      await inner?.write(chunk);
    },
    measure() {
      return { bytes, sha256: hash.digest("hex") };
    },
  };
}

/**
 * Writes text as UTF-8.
 *
 * @example
 * await writeText(sink, "experiment_id,created_at\r\n");
 */
export function writeText(sink: ByteSink, text: string): Promise<void> {
  return text === "" ? Promise.resolve() : sink.write(encoder.encode(text));
}

/** Text written into one reused buffer, passed on to a {@link ByteSink} whenever it fills. */
export interface TextWriter {
  /** Appends `text` as UTF-8 (bytes as they are); resolves once the buffer has room again. */
  write(text: string | Uint8Array): Promise<void>;
  /** Passes on what is buffered; call after the last write. */
  flush(): Promise<void>;
}

/** Bytes a {@link textWriter} gathers before passing them on. */
const TEXT_BUFFER_SIZE = 256 * 1024;

/**
 * Writes many small texts through one reused buffer: no string or byte array
 * per page that the garbage collector has to catch up with (large strings go
 * straight to V8's old space and fresh byte arrays count as external memory,
 * each freed only by a full collection, so a page-sized allocation per page
 * made the export's memory grow with its speed rather than its page).
 *
 * @example
 * const out = textWriter(sink);
 * for (const row of page) await out.write(row.text);
 * await out.flush();
 */
export function textWriter(sink: ByteSink, options: { size?: number } = {}): TextWriter {
  const buffer = new Uint8Array(options.size ?? TEXT_BUFFER_SIZE);
  let used = 0;

  async function flush() {
    if (used === 0) return;
    const filled = buffer.subarray(0, used);
    used = 0;
    await sink.write(filled);
  }

  async function writeBytes(bytes: Uint8Array) {
    if (used + bytes.byteLength > buffer.byteLength) await flush();
    if (bytes.byteLength > buffer.byteLength) return await sink.write(bytes);
    buffer.set(bytes, used);
    used += bytes.byteLength;
  }

  return {
    async write(text) {
      if (typeof text !== "string") return await writeBytes(text);
      // UTF-8 takes at most three bytes per UTF-16 code unit.
      if (used + text.length * 3 > buffer.byteLength) await flush();
      if (text.length * 3 > buffer.byteLength) return await writeText(sink, text);
      used += encoder.encodeInto(text, buffer.subarray(used)).written;
    },
    flush,
  };
}
