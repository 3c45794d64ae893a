/**
 * LOCAL STACK: signing and reading objects in the Storage API stand-in —
 * `POST /object/sign/{bucket}[/{path}]`, `GET /object/sign/...?token=`,
 * `GET|HEAD /object/[authenticated/]{bucket}/{path}`, `GET|HEAD /object/public/...`
 * and `GET /object/info/...`. Bodies are streamed from disk (serve.ts).
 *
 * @module
 */
import { authenticate, readExpiresIn, readJsonObject, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS, storageJson } from "./errors.ts";
import { serveObject } from "./serve.ts";
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

function download(request: Request): string | null {
  return new URL(request.url).searchParams.get("download");
}

/** `POST /object/sign/{bucket}/{path}` `{expiresIn}` -> `{signedURL}` for an object the caller can see. */
export async function handleSign(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const expiresIn = readExpiresIn(await readJsonObject(ctx, request));
  await findVisibleObject(ctx.sql, caller, target.bucket, target.name);
  const url = `${target.bucket}/${target.name}`;
  const token = await signDownloadToken(url, expiresIn, ctx.signingSecret);
  return storageJson({ signedURL: `/object/sign/${url}?token=${token}` });
}

/** `POST /object/sign/{bucket}` `{expiresIn, paths}` -> one `{error, path, signedURL}` per path. */
export async function handleSignMany(
  ctx: StorageContext,
  request: Request,
  bucket: string,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  const body = await readJsonObject(ctx, request);
  const expiresIn = readExpiresIn(body);
  const paths = body.paths;
  if (paths === undefined) {
    throw STORAGE_ERRORS.validation("body must have required property 'paths'");
  }
  if (!Array.isArray(paths)) throw STORAGE_ERRORS.validation("body/paths must be array");
  if (!paths.every((p): p is string => typeof p === "string")) {
    throw STORAGE_ERRORS.validation("body/paths/0 must be string");
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
  return storageJson(results);
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
  const claims = await verifyDownloadToken(
    token,
    `${target.bucket}/${target.name}`,
    ctx.signingSecret,
  );
  const object = await findObject(ctx.sql, target.bucket, target.name);
  return serveObject(request, object, {
    rootDir: ctx.rootDir,
    bucket: target.bucket,
    download: query.get("download"),
    expiresAt: new Date(claims.exp! * 1000),
  });
}

/** `GET|HEAD /object/authenticated/{bucket}/{path}` (and `/object/{bucket}/{path}`): the object if RLS lets the caller see it. */
export async function handleAuthenticatedDownload(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const object = await findVisibleObject(ctx.sql, caller, target.bucket, target.name);
  return serveObject(request, object, {
    rootDir: ctx.rootDir,
    bucket: target.bucket,
    download: download(request),
  });
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
  return serveObject(request, object, {
    rootDir: ctx.rootDir,
    bucket: target.bucket,
    download: download(request),
  });
}

/**
 * `GET /object/info/[authenticated/]{bucket}/{path}` (storage-js `info()`):
 * the object's row as Storage describes it, if RLS lets the caller see it (A09).
 */
export async function handleInfo(
  ctx: StorageContext,
  request: Request,
  target: ObjectTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const object = await findVisibleObject(ctx.sql, caller, target.bucket, target.name);
  return infoResponse(target.bucket, object);
}

/** `GET /object/info/public/{bucket}/{path}`: the same for any object of a public bucket. */
export async function handlePublicInfo(
  ctx: StorageContext,
  _request: Request,
  target: ObjectTarget,
): Promise<Response> {
  assertValidObject(target.bucket, target.name);
  const bucket = await findBucket(ctx.sql, target.bucket);
  if (!bucket.public) throw STORAGE_ERRORS.noSuchBucket();
  return infoResponse(target.bucket, await findObject(ctx.sql, target.bucket, target.name));
}

function infoResponse(bucket: string, object: StoredObject): Response {
  const metadata = object.metadata ?? {};
  const headers = new Headers();
  if (metadata.eTag) headers.set("etag", metadata.eTag);
  if (metadata.lastModified) {
    headers.set("last-modified", new Date(metadata.lastModified).toUTCString());
  }
  headers.set("cache-control", metadata.cacheControl || "no-cache");
  return storageJson(
    {
      id: object.id,
      name: object.name,
      version: object.version,
      bucket_id: bucket,
      size: metadata.size ?? null,
      content_type: metadata.mimetype ?? null,
      cache_control: metadata.cacheControl ?? null,
      etag: metadata.eTag ?? null,
      metadata: object.userMetadata ?? {},
      last_modified: metadata.lastModified ?? object.updatedAt,
      created_at: object.createdAt,
    },
    200,
    headers,
  );
}
