/**
 * Reading an object from Storage as a byte stream, as the caller (their
 * token, so the bucket's policies decide) or as the service role (a job
 * working for its owner). The body is never buffered: a CSV of any size
 * the bucket allows is read as it arrives.
 *
 * @module
 */
import { HttpError } from "../errors.ts";

/** Where and as whom to read. */
export interface ObjectSourceOptions {
  /** SUPABASE_URL (the API gateway). */
  supabaseUrl: string;
  /** SUPABASE_ANON_KEY, sent as `apikey`. */
  apiKey: string;
  /** The caller's access token, or the service role key. */
  token: string;
  bucket: string;
  fetch?: typeof fetch;
}

/**
 * Opens `path` of the bucket.
 *
 * @throws {HttpError} 404 `object_not_found` (missing or not the caller's),
 *   502 `storage_unavailable`.
 *
 * @example
 * const body = await openObject({ supabaseUrl, apiKey: anonKey, token, bucket: "datasets" }, `${uid}/prompts.csv`);
 */
export async function openObject(
  options: ObjectSourceOptions,
  path: string,
): Promise<ReadableStream<Uint8Array>> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const url = `${options.supabaseUrl}/storage/v1/object/authenticated/${options.bucket}/${encoded}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${options.token}`, apikey: options.apiKey },
    });
  } catch (cause) {
    throw new HttpError(502, "Storage unavailable: cannot read the file", {
      code: "storage_unavailable",
      cause,
    });
  }
  if (response.ok && response.body) return response.body;
  await response.body?.cancel();
  if (response.status === 400 || response.status === 404) {
    throw new HttpError(404, `File not found in the ${options.bucket} bucket: ${path}`, {
      code: "object_not_found",
    });
  }
  throw new HttpError(502, "Storage unavailable: cannot read the file", {
    code: "storage_unavailable",
  });
}
