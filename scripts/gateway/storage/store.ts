/**
 * LOCAL STACK: the Storage API stand-in's SQL. Reads that Storage does as its
 * superuser (bucket settings, signed downloads) use the pool's own role;
 * everything done for a caller runs in a transaction that first sets the
 * caller's role and claims the way Storage does
 * (src/internal/database/postgres/scope.ts; supabase-facts.md §6), so the
 * policies on storage.objects decide.
 *
 * @module
 */
import postgres from "postgres";
import { fromDatabaseError, STORAGE_ERRORS } from "./errors.ts";
import type { Claims } from "./tokens.ts";

/** A transaction handle. */
export type Tx = postgres.TransactionSql;

/** The roles a token may act as; any other `role` claim is refused. */
const CALLER_ROLES = new Set(["anon", "authenticated", "service_role"]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A verified caller. */
export interface Caller {
  role: string;
  claims: Claims;
  /** `sub`, or "" for API keys. */
  sub: string;
}

/** The bucket settings uploads are checked against. */
export interface Bucket {
  id: string;
  public: boolean;
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
}

/** `storage.objects.metadata` as Storage writes it. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

/** A row to write; `id` is also the new version (the name of the bytes' file). */
export interface NewObject {
  id: string;
  bucket: string;
  name: string;
  metadata: ObjectMetadata;
  upsert: boolean;
  /** The owner recorded for a signed upload (the signer), instead of the caller's `sub`. */
  owner?: string;
}

/** Turns verified claims into a caller, refusing roles a token may not take. */
export function callerFromClaims(claims: Claims): Caller {
  const role = typeof claims.role === "string" ? claims.role : "anon";
  if (!CALLER_ROLES.has(role)) throw STORAGE_ERRORS.accessDenied(`role "${role}" is not allowed`);
  return { role, claims, sub: typeof claims.sub === "string" ? claims.sub : "" };
}

/**
 * Runs `fn` in one transaction as the caller: role, `request.jwt.claims` and the
 * legacy per-claim settings, all transaction-local. Database errors come out as
 * Storage errors (42501 -> AccessDenied, 23505 -> Duplicate).
 */
export async function asCaller<T>(
  sql: postgres.Sql,
  caller: Caller,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    return await sql.begin(async (tx) => {
      await actAs(tx, caller);
      return await fn(tx);
    }) as T;
  } catch (error) {
    throw fromDatabaseError(error);
  }
}

async function actAs(tx: Tx, caller: Caller): Promise<void> {
  await tx`select set_config('role', ${caller.role}, true),
                  set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
                  set_config('request.jwt.claim.sub', ${caller.sub}, true),
                  set_config('request.jwt.claim.role', ${caller.role}, true)`;
}

/** A bucket's upload settings, read as the pool role (as Storage's superuser does); NoSuchBucket if absent. */
export async function findBucket(sql: postgres.Sql, id: string): Promise<Bucket> {
  let rows: {
    id: string;
    public: boolean | null;
    file_size_limit: string | null;
    allowed_mime_types: string[] | null;
  }[];
  try {
    rows =
      await sql`select id, public, file_size_limit::text, allowed_mime_types from storage.buckets where id = ${id}`;
  } catch (error) {
    throw fromDatabaseError(error);
  }
  const [row] = rows;
  if (!row) throw STORAGE_ERRORS.noSuchBucket();
  return {
    id: row.id,
    public: row.public === true,
    fileSizeLimit: row.file_size_limit === null ? null : Number(row.file_size_limit),
    allowedMimeTypes: row.allowed_mime_types,
  };
}

function ownerColumns(sub: string): { owner: string | null; owner_id: string | null } {
  return { owner: UUID.test(sub) ? sub : null, owner_id: sub || null };
}

async function writeRow(tx: Tx, caller: Caller, object: NewObject): Promise<void> {
  const { owner, owner_id } = ownerColumns(object.owner ?? caller.sub);
  const metadata = tx.json({ ...object.metadata });
  if (object.upsert) {
    await tx`insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, version)
             values (${object.id}, ${object.bucket}, ${object.name}, ${owner}, ${owner_id}, ${metadata}, ${object.id})
             on conflict (bucket_id, name) do update
               set owner = excluded.owner, owner_id = excluded.owner_id, metadata = excluded.metadata,
                   version = excluded.version, last_accessed_at = now()`;
  } else {
    await tx`insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, version)
             values (${object.id}, ${object.bucket}, ${object.name}, ${owner}, ${owner_id}, ${metadata}, ${object.id})`;
  }
}

/** Thrown to roll back a trial transaction. */
class Rollback extends Error {}

/**
 * Storage's `canUpload`: tries the insert (or upsert) as the caller and rolls
 * it back, so a refused upload fails before its body is read.
 */
export async function testWrite(
  sql: postgres.Sql,
  caller: Caller,
  object: NewObject,
): Promise<void> {
  try {
    await sql.begin(async (tx) => {
      await actAs(tx, caller);
      await writeRow(tx, caller, object);
      throw new Rollback("Trial write rolled back");
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw fromDatabaseError(error);
  }
}

/**
 * Writes the object row as the caller and, still inside that transaction, runs
 * `publish` (which puts the bytes in place). The row commits only if both
 * succeed. Returns the object's id (an upsert keeps the existing id) and the
 * version it replaced, whose bytes the caller removes after the commit.
 */
export async function writeObject(
  sql: postgres.Sql,
  caller: Caller,
  object: NewObject,
  publish: () => Promise<void>,
): Promise<{ id: string; replacedVersion: string | null }> {
  // Reading rows back is Storage's own business, not the caller's: a bucket
  // may grant insert without select.
  const [before] = await sql<{ version: string | null; id: string }[]>`
    select version, id::text from storage.objects where bucket_id = ${object.bucket} and name = ${object.name}`
    .catch((error) => {
      throw fromDatabaseError(error);
    });
  const id = await asCaller(sql, caller, async (tx) => {
    await writeRow(tx, caller, object);
    await tx`set local role none`;
    const [row] = await tx<
      { id: string }[]
    >`select id from storage.objects where bucket_id = ${object.bucket} and name = ${object.name}`;
    await publish();
    return row.id;
  });
  return { id, replacedVersion: before ? before.version ?? before.id : null };
}

/** An object row as Storage reads it. */
export interface StoredObject {
  id: string;
  name: string;
  /** The file holding the bytes (`version`, or the id for rows written without one). */
  version: string;
  metadata: Partial<ObjectMetadata> | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  lastAccessedAt: Date | null;
  userMetadata: unknown;
}

type ObjectRow = {
  id: string;
  name: string;
  version: string | null;
  metadata: Partial<ObjectMetadata> | null;
  created_at: Date | null;
  updated_at: Date | null;
  last_accessed_at: Date | null;
  user_metadata: unknown;
};

function toStored(row: ObjectRow): StoredObject {
  return {
    id: row.id,
    name: row.name,
    version: row.version ?? row.id,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastAccessedAt: row.last_accessed_at,
    userMetadata: row.user_metadata,
  };
}

async function selectObject(
  tx: postgres.Sql | Tx,
  bucket: string,
  name: string,
): Promise<StoredObject | null> {
  const [row] = await tx<ObjectRow[]>`
    select id, name, version, metadata, created_at, updated_at, last_accessed_at, user_metadata
      from storage.objects where bucket_id = ${bucket} and name = ${name}`;
  return row ? toStored(row) : null;
}

/** The object as the caller sees it under RLS; NoSuchKey when invisible or absent. */
export async function findVisibleObject(
  sql: postgres.Sql,
  caller: Caller,
  bucket: string,
  name: string,
): Promise<StoredObject> {
  const found = await asCaller(sql, caller, (tx) => selectObject(tx, bucket, name));
  if (!found) throw STORAGE_ERRORS.noSuchKey();
  return found;
}

/** The names among `names` the caller can see. */
export function visibleNames(
  sql: postgres.Sql,
  caller: Caller,
  bucket: string,
  names: string[],
): Promise<Set<string>> {
  return asCaller(sql, caller, async (tx) => {
    const rows = await tx<
      { name: string }[]
    >`select name from storage.objects where bucket_id = ${bucket} and name = any(${
      tx.array(names)
    }::text[])`;
    return new Set(rows.map((r) => r.name));
  });
}

/** The object read as the pool role (signed and public downloads); NoSuchKey when absent. */
export async function findObject(
  sql: postgres.Sql,
  bucket: string,
  name: string,
): Promise<StoredObject> {
  let found: StoredObject | null;
  try {
    found = await selectObject(sql, bucket, name);
  } catch (error) {
    throw fromDatabaseError(error);
  }
  if (!found) throw STORAGE_ERRORS.noSuchKey();
  return found;
}

/** One entry of `POST /object/list`: a folder (`id: null`) or an object. */
export interface ListEntry {
  name: string;
  id: string | null;
  updated_at: Date | null;
  created_at: Date | null;
  last_accessed_at: Date | null;
  metadata: Partial<ObjectMetadata> | null;
}

/** Options of a listing, as storage-js sends them. */
export interface ListOptions {
  prefix: string;
  limit: number;
  offset: number;
  search: string;
  sortColumn: "name" | "created_at" | "updated_at" | "last_accessed_at";
  ascending: boolean;
}

/**
 * Storage's `list_objects_with_delimiter` in TypeScript: the direct children
 * of `prefix` the caller can see — folders first collapsed to one entry each,
 * then objects — sorted and paged.
 */
export function listObjects(
  sql: postgres.Sql,
  caller: Caller,
  bucket: string,
  options: ListOptions,
): Promise<ListEntry[]> {
  const prefix = options.prefix === "" || options.prefix.endsWith("/")
    ? options.prefix
    : `${options.prefix}/`;
  return asCaller(sql, caller, async (tx) => {
    const rows = await tx<ObjectRow[]>`
      select id, name, version, metadata, created_at, updated_at, last_accessed_at, user_metadata
        from storage.objects
       where bucket_id = ${bucket} and starts_with(name, ${prefix})`;
    const folders = new Map<string, ListEntry>();
    const files: ListEntry[] = [];
    for (const row of rows) {
      const rest = row.name.slice(prefix.length);
      const slash = rest.indexOf("/");
      const entryName = slash === -1 ? rest : rest.slice(0, slash);
      if (!entryName.startsWith(options.search)) continue;
      if (slash !== -1) {
        if (!folders.has(entryName)) {
          folders.set(entryName, {
            name: entryName,
            id: null,
            updated_at: null,
            created_at: null,
            last_accessed_at: null,
            metadata: null,
          });
        }
        continue;
      }
      files.push({
        name: entryName,
        id: row.id,
        updated_at: row.updated_at,
        created_at: row.created_at,
        last_accessed_at: row.last_accessed_at,
        metadata: row.metadata,
      });
    }
    const key = options.sortColumn;
    const direction = options.ascending ? 1 : -1;
    const compare = (a: ListEntry, b: ListEntry) => {
      const x = key === "name" ? a.name : a[key]?.getTime() ?? 0;
      const y = key === "name" ? b.name : b[key]?.getTime() ?? 0;
      return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0) * direction;
    };
    const sortedFolders = [...folders.values()].sort((a, b) =>
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) * direction
    );
    return [...sortedFolders, ...files.sort(compare)].slice(
      options.offset,
      options.offset + options.limit,
    );
  });
}

/**
 * Deletes the named objects the caller may delete (RLS on delete decides) and
 * returns the deleted rows; names the caller cannot see or delete are skipped,
 * as Storage does.
 */
export function deleteObjects(
  sql: postgres.Sql,
  caller: Caller,
  bucket: string,
  names: string[],
): Promise<StoredObject[]> {
  return asCaller(sql, caller, async (tx) => {
    // Storage's own switch for its delete guard (platform.sql storage.protect_delete).
    await tx`select set_config('storage.allow_delete_query', 'true', true)`;
    const rows = await tx<ObjectRow[]>`
      delete from storage.objects
       where bucket_id = ${bucket} and name = any(${tx.array(names)}::text[])
      returning id, name, version, metadata, created_at, updated_at, last_accessed_at, user_metadata`;
    return rows.map(toStored);
  });
}

/** A bucket as `GET /bucket` lists it. */
export interface BucketRow {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  type: string;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: Date;
  updated_at: Date;
}

/** The buckets the caller can see under RLS on storage.buckets. */
export function listBuckets(sql: postgres.Sql, caller: Caller): Promise<BucketRow[]> {
  return asCaller(sql, caller, async (tx) => {
    const rows = await tx<
      (Omit<BucketRow, "file_size_limit"> & { file_size_limit: string | null })[]
    >`
      select id, name, coalesce(owner::text, owner_id, '') as owner, public, type::text as type,
             file_size_limit::text, allowed_mime_types, created_at, updated_at
        from storage.buckets order by name`;
    return rows.map((row) => ({
      ...row,
      file_size_limit: row.file_size_limit === null ? null : Number(row.file_size_limit),
    }));
  });
}
