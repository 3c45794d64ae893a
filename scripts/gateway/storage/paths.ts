/**
 * LOCAL STACK: routing for the Storage API stand-in — which of the supported
 * `/storage/v1/object/...` routes a request is, and whether its bucket name and
 * object key are ones Storage accepts (src/storage/limits.ts `isValidKey`,
 * `isValidBucketName`), which also keeps every key inside the data directory.
 *
 * @module
 */
import { STORAGE_ERRORS } from "./errors.ts";

/** A recognised route, with the URL-decoded bucket and object name. */
export type StorageRoute =
  | { kind: "upload"; bucket: string; name: string; upsert: boolean }
  | { kind: "sign"; bucket: string; name: string }
  | { kind: "signMany"; bucket: string }
  | { kind: "signedDownload"; bucket: string; name: string }
  | { kind: "authenticatedDownload"; bucket: string; name: string }
  | { kind: "publicDownload"; bucket: string; name: string }
  | { kind: "info"; bucket: string; name: string }
  | { kind: "publicInfo"; bucket: string; name: string }
  | { kind: "list"; bucket: string }
  | { kind: "remove"; bucket: string; name: string }
  | { kind: "removeMany"; bucket: string }
  | { kind: "signUpload"; bucket: string; name: string; upsert: boolean }
  | { kind: "signedUpload"; bucket: string; name: string }
  | { kind: "listBuckets" }
  | { kind: "resumable"; id: string | null };

/** The path prefix the gateway forwards unchanged. */
export const STORAGE_PREFIX = "/storage/v1";

/** First segments after `/object` that are Storage's own routes, never bucket names. */
const RESERVED = new Set([
  "sign",
  "upload",
  "public",
  "authenticated",
  "info",
  "list",
  "move",
  "copy",
  "render",
]);

// Storage's isValidKey / isValidBucketName character sets (ASCII \w, no u flag).
const VALID_KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
const VALID_BUCKET = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;

const RESUMABLE = `${STORAGE_PREFIX}/upload/resumable`;

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** `{bucket}/{path...}` of segments, or null when either part is missing. */
function objectOf(parts: string[]): { bucket: string; name: string } | null {
  const [bucket, ...rest] = parts;
  return bucket !== undefined && rest.length > 0 ? { bucket, name: rest.join("/") } : null;
}

const READS = new Set(["GET", "HEAD"]);

/**
 * Matches a request to a supported route, or null (the caller answers 404).
 * Segments are URL-decoded; validation happens in {@link assertValidObject}.
 *
 * @example
 * matchStorageRoute("POST", "/storage/v1/object/exports/u/a.csv", new Headers());
 * // { kind: "upload", bucket: "exports", name: "u/a.csv", upsert: false }
 */
export function matchStorageRoute(
  method: string,
  pathname: string,
  headers: Headers,
): StorageRoute | null {
  if (pathname === RESUMABLE || pathname === `${RESUMABLE}/`) {
    return method === "POST" || method === "OPTIONS" ? { kind: "resumable", id: null } : null;
  }
  if (pathname.startsWith(`${RESUMABLE}/`)) {
    const id = pathname.slice(RESUMABLE.length + 1);
    return id && !id.includes("/") ? { kind: "resumable", id } : null;
  }
  if (pathname === `${STORAGE_PREFIX}/bucket` || pathname === `${STORAGE_PREFIX}/bucket/`) {
    return method === "GET" ? { kind: "listBuckets" } : null;
  }
  if (!pathname.startsWith(`${STORAGE_PREFIX}/object/`)) return null;
  const segments = pathname.slice(`${STORAGE_PREFIX}/object/`.length).split("/").map(decode);
  if (segments.some((s) => s === null)) return null;
  const [first, ...after] = segments as string[];
  const upsert = headers.get("x-upsert") === "true";

  switch (first) {
    case "sign": {
      if (method === "POST" && after.length === 1) return { kind: "signMany", bucket: after[0] };
      const target = objectOf(after);
      if (!target) return null;
      if (method === "POST") return { kind: "sign", ...target };
      return READS.has(method) ? { kind: "signedDownload", ...target } : null;
    }
    case "upload": {
      const target = after[0] === "sign" ? objectOf(after.slice(1)) : null;
      if (!target) return null;
      if (method === "POST") return { kind: "signUpload", ...target, upsert };
      return method === "PUT" ? { kind: "signedUpload", ...target } : null;
    }
    case "authenticated":
    case "public": {
      const target = objectOf(after);
      if (!target || !READS.has(method)) return null;
      return { kind: first === "public" ? "publicDownload" : "authenticatedDownload", ...target };
    }
    case "info": {
      const scope = after[0] === "public" || after[0] === "authenticated" ? after[0] : null;
      const target = objectOf(scope ? after.slice(1) : after);
      if (!target || method !== "GET") return null;
      return { kind: scope === "public" ? "publicInfo" : "info", ...target };
    }
    case "list":
      return method === "POST" && after.length === 1 && after[0] !== ""
        ? { kind: "list", bucket: after[0] }
        : null;
  }
  if (RESERVED.has(first)) return null;
  if (after.length === 0 || (after.length === 1 && after[0] === "")) {
    return method === "DELETE" ? { kind: "removeMany", bucket: first } : null;
  }
  const name = after.join("/");
  if (method === "POST" || method === "PUT") {
    return { kind: "upload", bucket: first, name, upsert: method === "PUT" || upsert };
  }
  if (READS.has(method)) return { kind: "authenticatedDownload", bucket: first, name };
  if (method === "DELETE") return { kind: "remove", bucket: first, name };
  return null;
}

/**
 * Throws Storage's InvalidBucketName / InvalidKey unless both are acceptable.
 * Beyond Storage's character rules, `.`/`..`/empty segments are refused so a
 * key can never leave its bucket's directory.
 */
export function assertValidObject(bucket: string, name: string): void {
  if (!bucket || !VALID_BUCKET.test(bucket) || bucket === "." || bucket === "..") {
    throw STORAGE_ERRORS.invalidBucketName();
  }
  const segments = name.split("/");
  if (!name || !VALID_KEY.test(name) || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw STORAGE_ERRORS.invalidKey(name);
  }
}
