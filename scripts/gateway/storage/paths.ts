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
  | { kind: "publicDownload"; bucket: string; name: string };

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

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

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
  if (!pathname.startsWith(`${STORAGE_PREFIX}/object/`)) return null;
  const raw = pathname.slice(`${STORAGE_PREFIX}/object/`.length).split("/");
  const segments = raw.map(decode);
  if (segments.some((s) => s === null)) return null;
  const parts = segments as string[];
  const [first, second, ...rest] = parts;

  if (first === "sign" && second !== undefined) {
    const name = rest.join("/");
    if (method === "POST") {
      return rest.length === 0
        ? { kind: "signMany", bucket: second }
        : { kind: "sign", bucket: second, name };
    }
    if (method === "GET" && rest.length > 0) {
      return { kind: "signedDownload", bucket: second, name };
    }
    return null;
  }
  if (
    (first === "authenticated" || first === "public") && method === "GET" && second !== undefined &&
    rest.length > 0
  ) {
    return {
      kind: first === "public" ? "publicDownload" : "authenticatedDownload",
      bucket: second,
      name: rest.join("/"),
    };
  }
  if (RESERVED.has(first) || second === undefined) return null;
  const name = parts.slice(1).join("/");
  if (method === "POST" || method === "PUT") {
    return {
      kind: "upload",
      bucket: first,
      name,
      upsert: method === "PUT" || headers.get("x-upsert") === "true",
    };
  }
  if (method === "GET") return { kind: "authenticatedDownload", bucket: first, name };
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
