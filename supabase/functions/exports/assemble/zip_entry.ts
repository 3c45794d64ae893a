/**
 * A ZIP entry for fflate's streaming `Zip` container, deflated natively
 * (node:zlib, off the JavaScript thread) with its CRC-32 computed natively
 * too: fflate's own `ZipDeflate` does both in JavaScript, which made the ZIP
 * export CPU-bound in the function.
 *
 * @module
 */
import type { ZipInputFile } from "fflate";
import { crc32, createDeflateRaw } from "node:zlib";

/** One entry being written: push its bytes in order, then `end()`. */
export interface DeflateEntry {
  /** What to `zip.add(...)`. */
  file: ZipInputFile;
  /** Compresses one chunk; resolves once zlib has taken it. */
  push(chunk: Uint8Array): Promise<void>;
  /** Flushes the compressed stream and closes the entry. */
  end(): Promise<void>;
}

/**
 * zlib's output chunk size: above zlib's 16 KiB default for fewer chunks to
 * pass on, small enough that buffers waiting to be collected stay cheap.
 */
const CHUNK_SIZE = 64 * 1024;

/** The deflate level as ZIP records it (APPNOTE 4.4.4 bits 1-2; fflate shifts it into place). */
function levelFlag(level: number): number {
  if (level === 1) return 3;
  if (level < 6) return 2;
  if (level === 9) return 1;
  return 0;
}

/**
 * A deflated entry named `name`.
 *
 * @example
 * const entry = deflateEntry("data.csv", { level: 6, mtime });
 * zip.add(entry.file);
 * await entry.push(bytes);
 * await entry.end();
 */
export function deflateEntry(
  name: string,
  options: { level: number; mtime: Date },
): DeflateEntry {
  const deflate = createDeflateRaw({ level: options.level, chunkSize: CHUNK_SIZE });
  let failure: unknown;
  const file: ZipInputFile = {
    filename: name,
    size: 0,
    crc: 0,
    compression: 8,
    flag: levelFlag(options.level),
    mtime: options.mtime,
    terminate() {
      deflate.destroy();
    },
  };
  deflate.on("data", (chunk: Uint8Array) => file.ondata?.(null, new Uint8Array(chunk), false));
  deflate.on("error", (error: unknown) => (failure ??= error));
  const ended = new Promise<void>((resolve, reject) => {
    deflate.on("end", () => {
      file.ondata?.(null, new Uint8Array(0), true);
      resolve();
    });
    deflate.on("error", reject);
  });
  ended.catch(() => {});

  return {
    file,
    push(chunk) {
      if (failure) return Promise.reject(failure);
      if (chunk.byteLength === 0) return Promise.resolve();
      file.size += chunk.byteLength;
      file.crc = crc32(chunk, file.crc);
      return new Promise((resolve, reject) => {
        deflate.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    end() {
      deflate.end();
      return ended;
    },
  };
}
