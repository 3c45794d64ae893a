/**
 * LOCAL STACK: how the Storage API stand-in answers with an object's bytes —
 * the headers Storage sends (`accept-ranges`, `x-robots-tag`, `etag`,
 * `last-modified`, cache-control or, for a signed URL, `expires`), `Range` as
 * 206 with `content-range`, `If-None-Match` as 304, and HEAD without a body
 * (storage-real-vs-standin.md D01-D06, A01-A06, A10).
 *
 * @module
 */
import { objectFilePath, openObjectFile } from "./files.ts";
import type { StoredObject } from "./store.ts";

/** How the object was reached, which decides its caching headers. */
export interface ServeOptions {
  rootDir: string;
  bucket: string;
  /** The `download` query parameter, if any. */
  download: string | null;
  /** A signed URL's expiry: sent as `expires` instead of `cache-control`. */
  expiresAt?: Date;
}

/**
 * `Content-Disposition` for the `download` query parameter, as Storage's
 * renderer writes it: bare `attachment;` for an empty value, else with the
 * encoded file name (D02, D03).
 */
export function contentDisposition(download: string | null): string | null {
  if (download === null) return null;
  if (download === "") return "attachment;";
  const encoded = encodeURIComponent(download);
  return `attachment; filename=${encoded}; filename*=UTF-8''${encoded}`;
}

/**
 * The byte range a `Range` header asks for within `size` bytes: null for no
 * (or a multi-range or non-byte) header, "unsatisfiable" when it starts past the end.
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/** The headers Storage sends with an object (and with its 304). */
function objectHeaders(object: StoredObject, options: ServeOptions, mtime: Date | null): Headers {
  const metadata = object.metadata ?? {};
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-type": metadata.mimetype || "application/octet-stream",
    "x-robots-tag": "none",
  });
  if (metadata.eTag) headers.set("etag", metadata.eTag);
  const modified = metadata.lastModified ? new Date(metadata.lastModified) : mtime;
  if (modified && !Number.isNaN(modified.getTime())) {
    headers.set("last-modified", modified.toUTCString());
  }
  if (options.expiresAt) headers.set("expires", options.expiresAt.toUTCString());
  else headers.set("cache-control", metadata.cacheControl || "no-cache");
  const disposition = contentDisposition(options.download);
  if (disposition) headers.set("content-disposition", disposition);
  return headers;
}

/**
 * Answers `request` (GET or HEAD) with the object's bytes, streamed from disk.
 *
 * @example
 * return await serveObject(request, object, { rootDir, bucket: "exports", download: null });
 */
export async function serveObject(
  request: Request,
  object: StoredObject,
  options: ServeOptions,
): Promise<Response> {
  const file = await openObjectFile(
    objectFilePath(options.rootDir, options.bucket, object.name, object.version),
  );
  const headers = objectHeaders(object, options, file.mtime);
  const etag = object.metadata?.eTag;
  if (etag && request.headers.get("if-none-match") === etag) {
    file.close();
    headers.set("content-length", "0");
    return new Response(null, { status: 304, headers });
  }
  const range = parseRange(request.headers.get("range"), file.size);
  if (range === "unsatisfiable") {
    file.close();
    headers.set("content-range", `bytes */${file.size}`);
    return new Response(null, { status: 416, headers });
  }
  const length = range ? range.end - range.start + 1 : file.size;
  headers.set("content-length", String(length));
  if (range) headers.set("content-range", `bytes ${range.start}-${range.end}/${file.size}`);
  const status = range ? 206 : 200;
  if (request.method === "HEAD") {
    file.close();
    return new Response(null, { status, headers });
  }
  return new Response(file.stream(range ?? undefined), { status, headers });
}
