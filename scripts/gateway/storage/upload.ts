/**
 * LOCAL STACK: `POST|PUT /storage/v1/object/{bucket}/{path}` for the Storage
 * API stand-in, in Storage's order (src/storage/uploader.ts): bucket, a trial
 * write as the caller (RLS, duplicates) before the body is read, MIME type,
 * size; then the bytes are staged on disk and the row is written as the
 * caller in one transaction that also moves the bytes into place.
 *
 * @module
 */
import { authenticate, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS } from "./errors.ts";
import { readMultipartFile } from "./multipart.ts";
import { objectFilePath, publishStaged, removeQuietly, stageUpload } from "./files.ts";
import { assertValidObject } from "./paths.ts";
import { findBucket, type NewObject, testWrite, writeObject } from "./store.ts";

/** The file part of an upload. */
export interface IncomingFile {
  body: ReadableStream<Uint8Array>;
  mimeType: string;
  cacheControl: string;
}

/**
 * Storage's `validateMimeType`: `type/subtype` must equal an allowed entry or
 * match `type/*`. Parameters are not stripped (as in Storage), so
 * `text/csv; charset=utf-8` does not match `text/csv`.
 */
export function assertAllowedMimeType(mimeType: string, allowed: string[]): void {
  const [type, subtype] = mimeType.split("/");
  if (subtype === undefined) throw STORAGE_ERRORS.invalidMimeType(mimeType);
  for (const entry of allowed) {
    const [allowedType, allowedSubtype] = entry.split("/");
    if (allowedType === type && (allowedSubtype === "*" || allowedSubtype === subtype)) return;
  }
  throw STORAGE_ERRORS.invalidMimeType(mimeType);
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/**
 * The uploaded file: the raw body with its content-type and cache-control
 * headers, or the first file of a multipart form (what storage-js sends for a
 * Blob or FormData) with its `cacheControl`/`contentType` fields.
 */
export async function readIncomingFile(request: Request, limit: number): Promise<IncomingFile> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > limit) throw STORAGE_ERRORS.entityTooLarge();
    return {
      body: request.body ?? emptyStream(),
      mimeType: contentType || "application/octet-stream",
      cacheControl: request.headers.get("cache-control") ?? "no-cache",
    };
  }
  if (!request.body) throw STORAGE_ERRORS.noContent();
  const upload = await readMultipartFile(request.body, contentType);
  if (!upload) throw STORAGE_ERRORS.noContent();
  const cacheTime = upload.fields.get("cacheControl");
  return {
    body: upload.body,
    mimeType: upload.fields.get("contentType") || upload.contentType || "application/octet-stream",
    cacheControl: cacheTime ? `max-age=${cacheTime}` : "no-cache",
  };
}

/**
 * Handles an upload; answers `{ Id, Key }` like Storage.
 *
 * @example
 * await handleUpload(ctx, request, { bucket: "exports", name: `${uid}/a.csv`, upsert: false });
 */
export async function handleUpload(
  ctx: StorageContext,
  request: Request,
  target: { bucket: string; name: string; upsert: boolean },
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const bucket = await findBucket(ctx.sql, target.bucket);
  const id = crypto.randomUUID();
  const row: NewObject = {
    id,
    bucket: bucket.id,
    name: target.name,
    upsert: target.upsert,
    metadata: pendingMetadata(),
  };
  await testWrite(ctx.sql, caller, row);

  const limit = Math.min(bucket.fileSizeLimit ?? Infinity, ctx.fileSizeLimit);
  const incoming = await readIncomingFile(request, limit);
  if (bucket.allowedMimeTypes && bucket.allowedMimeTypes.length > 0) {
    try {
      assertAllowedMimeType(incoming.mimeType, bucket.allowedMimeTypes);
    } catch (error) {
      await incoming.body.cancel().catch(() => {});
      throw error;
    }
  }
  const staged = await stageUpload(ctx.rootDir, incoming.body, limit);
  const finalPath = objectFilePath(ctx.rootDir, bucket.id, target.name);
  let published = false;
  try {
    const objectId = await writeObject(ctx.sql, caller, {
      ...row,
      metadata: {
        eTag: staged.eTag,
        size: staged.size,
        mimetype: incoming.mimeType,
        cacheControl: incoming.cacheControl,
        lastModified: new Date().toISOString(),
        contentLength: staged.size,
        httpStatusCode: 200,
      },
    }, async () => {
      await publishStaged(staged, finalPath);
      published = true;
    });
    return Response.json({ Id: objectId, Key: `${bucket.id}/${target.name}` });
  } catch (error) {
    // Only a failed commit gets here after publishing: a new object's bytes go
    // with its row. (Bytes an upsert replaced cannot be brought back.)
    if (published && !target.upsert) await removeQuietly(finalPath);
    throw error;
  } finally {
    await removeQuietly(staged.path);
  }
}

function pendingMetadata() {
  return {
    eTag: "",
    size: 0,
    mimetype: "",
    cacheControl: "",
    lastModified: "",
    contentLength: 0,
    httpStatusCode: 200,
  };
}
