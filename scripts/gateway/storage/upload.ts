/**
 * LOCAL STACK: uploads in the Storage API stand-in, in Storage's order
 * (src/storage/uploader.ts): bucket, a trial write as the caller (RLS,
 * duplicates) before the body is read, MIME type, size; then the bytes are
 * staged on disk and the row is written as the caller in one transaction that
 * also moves the bytes into place. `POST|PUT /object/{bucket}/{path}` is here;
 * signed and resumable uploads reuse {@link acceptUpload}.
 *
 * @module
 */
import { limitBody } from "../body.ts";
import { authenticate, type StorageContext, uploadLimits } from "./context.ts";
import { STORAGE_ERRORS, storageJson } from "./errors.ts";
import { readMultipartFile } from "./multipart.ts";
import {
  objectFilePath,
  publishStaged,
  removeQuietly,
  removeVersion,
  type StagedFile,
  stageUpload,
} from "./files.ts";
import { assertValidObject } from "./paths.ts";
import {
  type Bucket,
  type Caller,
  findBucket,
  type NewObject,
  testWrite,
  writeObject,
} from "./store.ts";

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

/** Where an upload goes and who it is for. */
export interface UploadTarget {
  bucket: string;
  name: string;
  upsert: boolean;
  /** The owner a signed upload records (its signer). */
  owner?: string;
}

/** An upload that passed Storage's checks and may now receive its bytes. */
export interface AcceptedUpload {
  bucket: Bucket;
  /** Bytes allowed: the bucket's limit within the global one. */
  limit: number;
  /** Checks the file's MIME type against the bucket. */
  checkMimeType(mimeType: string): void;
  /** Writes the row and moves the staged bytes into place; answers `{Key, Id}`. */
  commit(staged: StagedFile, file: { mimeType: string; cacheControl: string }): Promise<Response>;
}

/**
 * Storage's checks before any byte is read, in its order: key, bucket, a
 * trial write as the caller (RLS, duplicates).
 */
export async function acceptUpload(
  ctx: StorageContext,
  caller: Caller,
  target: UploadTarget,
): Promise<AcceptedUpload> {
  assertValidObject(target.bucket, target.name);
  const bucket = await findBucket(ctx.sql, target.bucket);
  const version = crypto.randomUUID();
  const row: NewObject = {
    id: version,
    bucket: bucket.id,
    name: target.name,
    upsert: target.upsert,
    owner: target.owner,
    metadata: pendingMetadata(),
  };
  await testWrite(ctx.sql, caller, row);
  return {
    bucket,
    limit: Math.min(bucket.fileSizeLimit ?? Infinity, ctx.fileSizeLimit),
    checkMimeType(mimeType) {
      if (bucket.allowedMimeTypes && bucket.allowedMimeTypes.length > 0) {
        assertAllowedMimeType(mimeType, bucket.allowedMimeTypes);
      }
    },
    async commit(staged, file) {
      const finalPath = objectFilePath(ctx.rootDir, bucket.id, target.name, version);
      let published = false;
      try {
        const written = await writeObject(ctx.sql, caller, {
          ...row,
          metadata: {
            eTag: staged.eTag,
            size: staged.size,
            mimetype: file.mimeType,
            cacheControl: file.cacheControl,
            lastModified: new Date().toISOString(),
            contentLength: staged.size,
            httpStatusCode: 200,
          },
        }, async () => {
          await publishStaged(staged, finalPath);
          published = true;
        });
        if (written.replacedVersion && written.replacedVersion !== version) {
          await removeVersion(
            objectFilePath(ctx.rootDir, bucket.id, target.name, written.replacedVersion),
          );
        }
        return storageJson({ Key: `${bucket.id}/${target.name}`, Id: written.id });
      } catch (error) {
        // Only a failed commit gets here after publishing: the new version goes with its row.
        if (published) await removeVersion(finalPath);
        throw error;
      } finally {
        await removeQuietly(staged.path);
      }
    },
  };
}

/**
 * Receives a request's file for an accepted upload: MIME type, size, then the
 * bytes staged on disk and committed.
 */
export async function receiveUpload(
  ctx: StorageContext,
  request: Request,
  accepted: AcceptedUpload,
): Promise<Response> {
  const incoming = await readIncomingFile(request, accepted.limit);
  try {
    accepted.checkMimeType(incoming.mimeType);
  } catch (error) {
    await incoming.body.cancel().catch(() => {});
    throw error;
  }
  const body = limitBody(incoming.body, uploadLimits(ctx, accepted.limit));
  const staged = await stageUpload(ctx.rootDir, body, accepted.limit);
  return await accepted.commit(staged, incoming);
}

/**
 * `POST|PUT /object/{bucket}/{path}`; answers `{ Key, Id }` like Storage.
 *
 * @example
 * await handleUpload(ctx, request, { bucket: "exports", name: `${uid}/a.csv`, upsert: false });
 */
export async function handleUpload(
  ctx: StorageContext,
  request: Request,
  target: UploadTarget,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  return await receiveUpload(ctx, request, await acceptUpload(ctx, caller, target));
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
