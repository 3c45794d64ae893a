/**
 * The export size cap, enforced while the file streams: Storage does not
 * enforce a bucket's `file_size_limit` on a chunked upload, so this is what
 * caps an export's size on a hosted project.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";
import { HttpError } from "../../_shared/errors.ts";

/**
 * A sink that refuses to pass more than `maxBytes` on: the write that would
 * cross the limit rejects with 413 `export_too_large` before any of its bytes
 * reach `inner`, which fails the build and so errors the upload's body.
 *
 * @example
 * await streamExport(source, spec, cappedSink(body, limits.maxBytes));
 */
export function cappedSink(inner: ByteSink, maxBytes: number): ByteSink {
  let bytes = 0;
  return {
    write(chunk) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        return Promise.reject(
          new HttpError(
            413,
            `Export too large: the file would pass the limit of ${maxBytes} bytes; narrow the filter or select fewer`,
            { code: "export_too_large", details: { byteLimit: maxBytes } },
          ),
        );
      }
      return inner.write(chunk);
    },
  };
}
