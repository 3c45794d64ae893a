/**
 * Bytes on their way somewhere, a chunk at a time: the {@link ByteSink} they
 * are written to, and the one writer that gathers small writes into a reused
 * buffer, so many small writes cost one large one and leave no garbage.
 *
 * @module
 */

/**
 * Receives bytes in order. The chunk is lent: once `write` has resolved, the
 * writer may overwrite it, so a sink that keeps bytes keeps a copy.
 */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Writes text as UTF-8.
 *
 * @example
 * await writeText(sink, "experiment_id,created_at\r\n");
 */
export function writeText(sink: ByteSink, text: string): Promise<void> {
  return text === "" ? Promise.resolve() : sink.write(encoder.encode(text));
}

/** Text and bytes written into one reused buffer, passed on to a {@link ByteSink} whenever it fills. */
export interface BufferedWriter {
  /** Appends `text` as UTF-8 (bytes as they are); resolves once the buffer has room again. */
  write(text: string | Uint8Array): Promise<void>;
  /** Reads once from `reader` straight into the buffer (no copy); resolves true at the stream's end. */
  readFrom(reader: ReadableStreamBYOBReader): Promise<boolean>;
  /** Passes on what is buffered; call after the last write. */
  flush(): Promise<void>;
}

/** Bytes a {@link bufferedWriter} gathers before passing them on, unless told otherwise. */
const BUFFER_SIZE = 256 * 1024;

/**
 * Gathers writes in one buffer and passes it on to `sink` whenever the next
 * write would not fit (a write larger than the buffer goes on by itself), so
 * the sink sees few large writes and the buffer is reused for every one.
 *
 * @example
 * const out = bufferedWriter(sink);
 * for (const row of page) await out.write(row.text);
 * await out.flush();
 */
export function bufferedWriter(sink: ByteSink, options: { size?: number } = {}): BufferedWriter {
  let buffer = new Uint8Array(options.size ?? BUFFER_SIZE);
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
    async readFrom(reader) {
      if (used === buffer.byteLength) await flush();
      const { value, done } = await reader.read(buffer.subarray(used));
      // A BYOB read hands the buffer back in a new ArrayBuffer (the old one is detached).
      if (value) [buffer, used] = [new Uint8Array(value.buffer), used + value.byteLength];
      return done;
    },
    flush,
  };
}
