/**
 * Supabase Storage as the functions use it: upload an object and hand out a
 * signed download URL, through `@supabase/supabase-js` with the CALLER's own
 * access token, so the bucket's RLS policies decide exactly as they would for
 * the user's own client. The same code talks to hosted Supabase and to the
 * local stand-in at `SUPABASE_URL/storage/v1`.
 *
 * @module
 */
import { createClient } from "@supabase/supabase-js";
import { HttpError } from "../errors.ts";
import { streamingFetch } from "./streaming_fetch.ts";

/** A signed download link. */
export interface SignedUrl {
  /** Absolute URL; works without any header until `expiresAt`. */
  url: string;
  expiresAt: Date;
}

/** One bucket, as one caller sees it. Injectable so tests can make a step fail. */
export interface ObjectStorage {
  /**
   * Stores `body` at `path` (never overwriting).
   *
   * @throws {HttpError} 502 `storage_unavailable`, or 413 `export_too_large` past the bucket's size limit.
   */
  upload(
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    contentType: string,
  ): Promise<void>;
  /**
   * A download URL for `path`, valid for `expiresInSeconds`.
   *
   * @throws {HttpError} 502 `storage_unavailable`.
   */
  createSignedUrl(path: string, expiresInSeconds: number): Promise<SignedUrl>;
  /**
   * Removes the object at `path`, if there is one (a key that may delete:
   * users have no delete policy on the exports bucket, the service role does).
   *
   * @throws {HttpError} 502 `storage_unavailable`.
   */
  remove(path: string): Promise<void>;
}

/** Builds the storage of one caller from their raw access token. */
export type ObjectStorageFactory = (accessToken: string) => ObjectStorage;

/** Options for {@link userStorageFactory}. */
export interface UserStorageOptions {
  /** SUPABASE_URL (the API gateway). */
  supabaseUrl: string;
  /** SUPABASE_ANON_KEY, sent as `apikey`. */
  anonKey: string;
  bucket: string;
  /** A fetch to use instead of the default (the global one, with streamed uploads sent by streaming_fetch.ts). */
  fetch?: typeof fetch;
}

/**
 * A factory of per-caller storages backed by supabase-js.
 *
 * @example
 * ```ts
 * const storageFor = userStorageFactory({ supabaseUrl, anonKey, bucket: "exports" });
 * const storage = storageFor(bearerToken(c.req.header("authorization")));
 * await storage.upload(`${userId}/${id}.csv`, file.readable, "text/csv");
 * const { url } = await storage.createSignedUrl(`${userId}/${id}.csv`, 3600);
 * ```
 */
export function userStorageFactory(options: UserStorageOptions): ObjectStorageFactory {
  return function storageFor(accessToken) {
    const client = createClient(options.supabaseUrl, options.anonKey, {
      global: {
        headers: { Authorization: `Bearer ${accessToken}` },
        fetch: options.fetch ?? streamingFetch(),
      },
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
    const bucket = client.storage.from(options.bucket);
    return {
      async upload(path, body, contentType) {
        const { error } = await bucket.upload(path, body, { contentType, upsert: false });
        if (error) throw storageFailure("upload", error);
      },
      async createSignedUrl(path, expiresInSeconds) {
        const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
        const { data, error } = await bucket.createSignedUrl(path, expiresInSeconds);
        if (error) throw storageFailure("sign", error);
        return { url: data.signedUrl, expiresAt };
      },
      async remove(path) {
        const { error } = await bucket.remove([path]);
        if (error) throw storageFailure("remove", error);
      },
    };
  };
}

/** True when Storage refused an object for its size (older servers say so in the body's statusCode only). */
function isTooLarge(error: unknown): boolean {
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  return status === 413 || statusCode === "413";
}

/** True when Storage answered that it cannot serve for now (503, or 544 for its database's timeout). */
function isUnavailable(error: unknown): boolean {
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  return status === 503 || status === 544 || statusCode === "503" || statusCode === "544";
}

/** Maps a storage failure to the function's answer; the cause is kept for logs only. */
function storageFailure(step: "upload" | "sign" | "remove", cause: unknown): HttpError {
  if (step === "upload" && isTooLarge(cause)) {
    return new HttpError(413, "Export too large: the file exceeds the storage size limit", {
      code: "export_too_large",
      cause,
    });
  }
  const what = step === "upload"
    ? "store the file"
    : step === "sign"
    ? "create a download link"
    : "remove the file";
  // Storage's own database is away (a failover): say "try again", as for ours.
  if (isUnavailable(cause)) {
    return new HttpError(503, `Storage unavailable: cannot ${what} now; try again shortly`, {
      code: "service_unavailable",
      cause,
    });
  }
  return new HttpError(502, `Storage unavailable: cannot ${what}`, {
    code: "storage_unavailable",
    cause,
  });
}
