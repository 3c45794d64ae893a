/**
 * LOCAL STACK: deleting objects in the Storage API stand-in —
 * `DELETE /object/{bucket}` `{prefixes}` (storage-js `remove()`) and
 * `DELETE /object/{bucket}/{path}`. Rows are deleted as the caller, so a bucket
 * without a DELETE policy deletes nothing (R02: NoSuchKey); the bytes of what
 * was deleted go after the commit.
 *
 * @module
 */
import { authenticate, readJsonObject, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS, storageJson } from "./errors.ts";
import { objectFilePath, removeVersion } from "./files.ts";
import { assertValidObject } from "./paths.ts";
import { deleteObjects, type StoredObject } from "./store.ts";

/** Storage caps one `remove()` at 1000 keys. */
const MAX_PREFIXES = 1000;

async function removeBytes(ctx: StorageContext, bucket: string, rows: StoredObject[]) {
  for (const row of rows) {
    await removeVersion(objectFilePath(ctx.rootDir, bucket, row.name, row.version));
  }
}

/** `DELETE /object/{bucket}` `{prefixes: string[]}` -> the deleted objects. */
export async function handleRemoveMany(
  ctx: StorageContext,
  request: Request,
  bucket: string,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  const { prefixes } = await readJsonObject(ctx, request);
  if (prefixes === undefined) {
    throw STORAGE_ERRORS.validation("body must have required property 'prefixes'");
  }
  if (!Array.isArray(prefixes) || !prefixes.every((p): p is string => typeof p === "string")) {
    throw STORAGE_ERRORS.validation("body/prefixes must be array");
  }
  if (prefixes.length < 1) {
    throw STORAGE_ERRORS.validation("body/prefixes must NOT have fewer than 1 items");
  }
  if (prefixes.length > MAX_PREFIXES) {
    throw STORAGE_ERRORS.validation(`body/prefixes must NOT have more than ${MAX_PREFIXES} items`);
  }
  const deleted = await deleteObjects(ctx.sql, caller, bucket, prefixes);
  await removeBytes(ctx, bucket, deleted);
  return storageJson(deleted.map((row) => ({
    bucket_id: bucket,
    name: row.name,
    id: row.id,
    version: row.version,
    updated_at: row.updatedAt,
    created_at: row.createdAt,
    last_accessed_at: row.lastAccessedAt,
    metadata: row.metadata,
    user_metadata: row.userMetadata,
  })));
}

/** `DELETE /object/{bucket}/{path}` -> `{message}`, or NoSuchKey when nothing was deleted. */
export async function handleRemove(
  ctx: StorageContext,
  request: Request,
  target: { bucket: string; name: string },
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  assertValidObject(target.bucket, target.name);
  const deleted = await deleteObjects(ctx.sql, caller, target.bucket, [target.name]);
  if (deleted.length === 0) throw STORAGE_ERRORS.noSuchKey();
  await removeBytes(ctx, target.bucket, deleted);
  return storageJson({ message: "Successfully deleted" });
}
