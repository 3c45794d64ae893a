/**
 * Supabase Storage's resumable uploads (tus 1.0.0, as
 * supabase.com/docs/guides/storage/uploads/resumable-uploads documents them),
 * for a file that grows across several invocations of a function: the
 * upload is created with `Upload-Defer-Length: 1` (the creation-defer-length
 * extension: the file's size is known only once it is built), each
 * invocation appends with `PATCH` at the offset the server holds (`HEAD`
 * tells it after a crash), the last `PATCH` declares the length, and only
 * then does the object exist. `DELETE` abandons an upload, so a failed or
 * cancelled build leaves no object behind.
 *
 * @module
 */
import { HttpError } from "../errors.ts";

const TUS = { "tus-resumable": "1.0.0" } as const;

/** A bucket's resumable uploads, as one key sees them. */
export interface ResumableUploads {
  /** Starts an upload of `path` whose length is not known yet; returns its URL. */
  start(path: string, contentType: string): Promise<string>;
  /** The bytes the server holds, or null once the upload is gone (completed, abandoned or expired). */
  offset(url: string): Promise<number | null>;
  /**
   * Appends `bytes` at `offset` (which must be the server's); with `final`,
   * declares the length as `offset + bytes.byteLength`, which stores the
   * object. Resolves with the new offset.
   */
  append(
    url: string,
    offset: number,
    bytes: Uint8Array,
    options?: { final?: boolean },
  ): Promise<number>;
  /** Abandons the upload; one that is already gone is fine. */
  abandon(url: string): Promise<void>;
}

/** Options for {@link resumableUploads}. */
export interface ResumableUploadOptions {
  /** SUPABASE_URL (the API gateway). */
  supabaseUrl: string;
  bucket: string;
  /** Sent as `apikey` and as the bearer token (the service-role key for a worker). */
  key: string;
  fetch?: typeof fetch;
}

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** True when Storage refused for size (the status, or the statusCode in its body). */
async function isTooLarge(response: Response): Promise<boolean> {
  if (response.status === 413) return true;
  const text = await response.text().catch(() => "");
  return /"statusCode"\s*:\s*"?413/.test(text);
}

async function failure(step: string, response: Response): Promise<HttpError> {
  if (await isTooLarge(response)) {
    return new HttpError(413, "Export too large: the file exceeds the storage size limit", {
      code: "export_too_large",
    });
  }
  return new HttpError(502, `Storage unavailable: cannot ${step}`, {
    code: "storage_unavailable",
    cause: new Error(`tus ${step}: HTTP ${response.status}`),
  });
}

/**
 * The resumable uploads of one bucket.
 *
 * @example
 * const uploads = resumableUploads({ supabaseUrl, bucket: "exports", key: serviceRoleKey });
 * const url = await uploads.start(`${userId}/${exportId}.csv`, "text/csv");
 * let offset = await uploads.append(url, 0, firstBytes);
 * offset = await uploads.append(url, offset, lastBytes, { final: true }); // the object exists now
 */
export function resumableUploads(options: ResumableUploadOptions): ResumableUploads {
  const endpoint = `${options.supabaseUrl.replace(/\/$/, "")}/storage/v1/upload/resumable`;
  const doFetch = options.fetch ?? fetch;
  const auth = { authorization: `Bearer ${options.key}`, apikey: options.key };

  return {
    async start(path, contentType) {
      const metadata = [
        `bucketName ${base64(options.bucket)}`,
        `objectName ${base64(path)}`,
        `contentType ${base64(contentType)}`,
      ].join(",");
      const response = await doFetch(endpoint, {
        method: "POST",
        headers: { ...TUS, ...auth, "upload-defer-length": "1", "upload-metadata": metadata },
      });
      const location = response.headers.get("location");
      if (response.status !== 201 || !location) throw await failure("start the upload", response);
      await response.body?.cancel();
      return new URL(location, endpoint).href;
    },
    async offset(url) {
      const response = await doFetch(url, { method: "HEAD", headers: { ...TUS, ...auth } });
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) return null;
      const offset = response.headers.get("upload-offset");
      if (!response.ok || offset === null) {
        throw await failure("read the upload's offset", response);
      }
      return Number(offset);
    },
    async append(url, offset, bytes, { final = false } = {}) {
      const response = await doFetch(url, {
        method: "PATCH",
        headers: {
          ...TUS,
          ...auth,
          "content-type": "application/offset+octet-stream",
          "upload-offset": String(offset),
          ...(final ? { "upload-length": String(offset + bytes.byteLength) } : {}),
        },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      const next = response.headers.get("upload-offset");
      if (response.status !== 204 || next === null) {
        throw await failure("append to the upload", response);
      }
      await response.body?.cancel();
      return Number(next);
    },
    async abandon(url) {
      const response = await doFetch(url, { method: "DELETE", headers: { ...TUS, ...auth } });
      await response.body?.cancel();
      if (response.ok || response.status === 404 || response.status === 410) return;
      throw await failure("abandon the upload", response);
    },
  };
}
