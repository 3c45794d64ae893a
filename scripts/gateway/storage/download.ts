/**
 * LOCAL STACK: signing and reading objects in the Storage API stand-in —
 * `POST /object/sign/{bucket}[/{path}]`, `GET /object/sign/...?token=`,
 * `GET /object/[authenticated/]{bucket}/{path}` and `GET /object/public/...`.
 * Bodies are streamed from disk, never buffered.
 *
 * @module
 */
import { authenticate, readExpiresIn, readJsonObject, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS } from "./errors.ts";
import { objectFilePath, openObjectFile } from "./files.ts";
import { assertValidObject } from "./paths.ts";
import {
  findBucket,
  findObject,
  findVisibleObject,
  type StoredObject,
  visibleNames,
} from "./store.ts";
import { signDownloadToken, verifyDownloadToken } from "./tokens.ts";

/** A bucket and object name, already URL-decoded. */
export interface ObjectTarget {
  bucket: string;
  name: string;
}

/**
 * `Content-Disposition` for the `download` query parameter, as Storage's
 * renderer writes it: bare `attachment` for an empty value, else with the
 * encoded file name.
 */
export function contentDisposition(download: string | null): string | null {
  if (download === null) return null;
  if (download === "") return "attachment;";
  const encoded = encodeURIComponent(download);
  return `attachment; filename=${encoded}; filename*=UTF-8''${encoded};`;
}

async function serveObject(
  ctx: StorageContext,
  target: ObjectTarget,
  object: StoredObject,
  download: string | null,
): Promise<Response> {
  const file = await openObjectFile(objectFilePath(ctx.rootDir, target.bucket, target.name));
  const metadata = object.metadata ?? {};
  const headers = new Headers({
    "content-type": metadata.mimetype || "application/octet-stream",
    "content-length": String(file.size),
    "cache-control": metadata.cacheControl || "no-cache",
  });
  if (metadata.eTag) headers.set("etag", metadata.eTag);
  const modified = metadata.lastModified ? new Date(metadata.lastModified) : file.mtime;
  if (modified && !Number.isNaN(modified.getTime())) {
    headers.set("last-modified", modified.toUTCString());
  }
  const disposition = contentDisposition(download);
  if (disposition) headers.set("content-disposition", disposition);
  return new Response(file.stream, { status: 200, headers });
}

/** `POST /object/sign/{bucket}/{path}` `{expiresIn}` -> `{signedURL}` for an object the caller can see. */
export async function handleSign(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const expiresIn = readExpiresIn(await readJsonObject(request));
  await findVisibleObject(ctx.sql, caller, target.bucket, target.name);
  const url = `${target.bucket}/${target.name}`;
  const token = await signDownloadToken(url, expiresIn, ctx.signingSecret);
  return Response.json({ signedURL: `/object/sign/${url}?token=${token}` });
}

/** `POST /object/sign/{bucket}` `{expiresIn, paths}` -> one `{error, path, signedURL}` per path. */
export async function handleSignMany(
  ctx: StorageContext,
  request: Request,
  bucket: string,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  const body = await readJsonObject(request);
  const expiresIn = readExpiresIn(body);
  const paths = body.paths;
  if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === "string")) {
    throw STORAGE_ERRORS.validation("body/paths must be array of strings");
  }
  const visible = paths.length === 0
    ? new Set<string>()
    : await visibleNames(ctx.sql, caller, bucket, paths);
  const results = await Promise.all(paths.map(async (path) => {
    if (!visible.has(path)) {
      return {
        error: "Either the object does not exist or you do not have access to it",
        path,
        signedURL: null,
      };
    }
    const url = `${bucket}/${path}`;
    const token = await signDownloadToken(url, expiresIn, ctx.signingSecret);
    return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
  }));
  return Response.json(results);
}

/** `GET /object/sign/{bucket}/{path}?token=` — no caller; the token is the permission. */
export async function handleSignedDownload(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  assertValidObject(target.bucket, target.name);
  const query = new URL(request.url).searchParams;
  const token = query.get("token");
  if (token === null) {
    throw STORAGE_ERRORS.validation("querystring must have required property 'token'");
  }
  await verifyDownloadToken(token, `${target.bucket}/${target.name}`, ctx.signingSecret);
  const object = await findObject(ctx.sql, target.bucket, target.name);
  return serveObject(ctx, target, object, query.get("download"));
}

/** `GET /object/authenticated/{bucket}/{path}` (and `/object/{bucket}/{path}`): the object if RLS lets the caller see it. */
export async function handleAuthenticatedDownload(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const object = await findVisibleObject(ctx.sql, caller, target.bucket, target.name);
  return serveObject(ctx, target, object, new URL(request.url).searchParams.get("download"));
}

/** `GET /object/public/{bucket}/{path}`: any object of a public bucket, no caller needed. */
export async function handlePublicDownload(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  assertValidObject(target.bucket, target.name);
  const bucket = await findBucket(ctx.sql, target.bucket);
  if (!bucket.public) throw STORAGE_ERRORS.noSuchBucket();
  const object = await findObject(ctx.sql, target.bucket, target.name);
  return serveObject(ctx, target, object, new URL(request.url).searchParams.get("download"));
}
