/**
 * The size and SHA-256 of what passes through a sink, computed as it passes:
 * the export row and the ZIP's manifest record them without rereading a file.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ByteSink } from "../../_shared/byte_writer.ts";

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
