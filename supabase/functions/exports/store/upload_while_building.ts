/**
 * An upload that runs while its file is being built: the build writes into
 * the upload's streamed body (upload_body.ts), so the file's bytes reach
 * Storage as they are made instead of after the whole file is done, and no
 * temporary file is needed. Failure rules: Storage must never keep a file
 * whose build failed, and an upload that fails must stop the build.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";
import { uploadBody } from "./upload_body.ts";

/**
 * Runs `build` writing into the body of `upload`, started first; resolves
 * with what `build` returned once both have succeeded. The body ends only
 * after `build` has resolved; on any failure it errors, and the upload has
 * settled before this rejects (with the first failure: the build's, or the
 * upload's when the upload failed first).
 *
 * @example
 * const built = await uploadWhileBuilding(
 *   (body) => streamExport(source, spec, body),
 *   (body) => storage.upload(path, body, "text/csv"),
 * );
 */
export async function uploadWhileBuilding<T>(
  build: (body: ByteSink) => Promise<T>,
  upload: (body: ReadableStream<Uint8Array>) => Promise<void>,
): Promise<T> {
  const body = uploadBody();
  let stopped = false;
  const uploaded = upload(body.readable).then(
    () => undefined,
    (error: unknown) => {
      // The build's next write rejects with the upload's own error.
      if (!stopped) body.abort(error);
      return { error };
    },
  );
  let result: T;
  try {
    result = await build(body);
  } catch (error) {
    stopped = true;
    body.abort(error);
    await uploaded;
    throw error;
  }
  stopped = true;
  body.close();
  const failed = await uploaded;
  if (failed) throw failed.error;
  return result;
}
