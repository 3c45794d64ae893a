/**
 * LOCAL STACK: listings in the Storage API stand-in — `POST /object/list/{bucket}`
 * (storage-js `list()`: one folder level, folders first, sorted and paged, as
 * Storage's `list_objects_with_delimiter`) and `GET /bucket` (`listBuckets()`),
 * each as the caller so RLS decides what appears (R01, R03).
 *
 * @module
 */
import { authenticate, readJsonObject, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS, storageJson } from "./errors.ts";
import { listBuckets, listObjects, type ListOptions } from "./store.ts";

const SORT_COLUMNS = new Set(["name", "created_at", "updated_at", "last_accessed_at"]);

/** The listing options of a `list()` body, with storage-js's defaults. */
export function readListOptions(body: Record<string, unknown>): ListOptions {
  const { prefix, limit = 100, offset = 0, search = "", sortBy } = body;
  if (prefix === undefined) {
    throw STORAGE_ERRORS.validation("body must have required property 'prefix'");
  }
  if (typeof prefix !== "string") throw STORAGE_ERRORS.validation("body/prefix must be string");
  const count = (name: string, value: unknown) => {
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw STORAGE_ERRORS.validation(`body/${name} must be integer`);
    }
    if (n < (name === "limit" ? 1 : 0)) {
      throw STORAGE_ERRORS.validation(`body/${name} must be >= ${name === "limit" ? 1 : 0}`);
    }
    return n;
  };
  const sort = (sortBy ?? {}) as { column?: unknown; order?: unknown };
  const column = sort.column ?? "name";
  if (typeof column !== "string" || !SORT_COLUMNS.has(column)) {
    throw STORAGE_ERRORS.validation(
      "body/sortBy/column must be equal to one of the allowed values",
    );
  }
  return {
    prefix,
    limit: count("limit", limit),
    offset: count("offset", offset),
    search: typeof search === "string" ? search : "",
    sortColumn: column as ListOptions["sortColumn"],
    ascending: String(sort.order ?? "asc").toLowerCase() !== "desc",
  };
}

/** `POST /object/list/{bucket}` `{prefix, limit?, offset?, sortBy?, search?}`. */
export async function handleList(
  ctx: StorageContext,
  request: Request,
  bucket: string,
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  const options = readListOptions(await readJsonObject(ctx, request));
  return storageJson(await listObjects(ctx.sql, caller, bucket, options));
}

/** `GET /bucket`: the buckets the caller can see (none for a user without a policy, R03). */
export async function handleListBuckets(ctx: StorageContext, request: Request): Promise<Response> {
  const caller = await authenticate(ctx, request);
  return storageJson(await listBuckets(ctx.sql, caller));
}
