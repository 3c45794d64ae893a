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

/** A row to write. */
export interface NewObject {
  id: string;
  bucket: string;
  name: string;
  metadata: ObjectMetadata;
  upsert: boolean;
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

function ownerColumns(caller: Caller): { owner: string | null; owner_id: string | null } {
  return { owner: UUID.test(caller.sub) ? caller.sub : null, owner_id: caller.sub || null };
}

async function writeRow(tx: Tx, caller: Caller, object: NewObject): Promise<void> {
  const { owner, owner_id } = ownerColumns(caller);
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
 * succeed. Returns the object's id (an upsert keeps the existing id).
 */
export function writeObject(
  sql: postgres.Sql,
  caller: Caller,
  object: NewObject,
  publish: () => Promise<void>,
): Promise<string> {
  return asCaller(sql, caller, async (tx) => {
    await writeRow(tx, caller, object);
    // Reading the id back is Storage's own business, not the caller's: a
    // bucket may grant insert without select.
    await tx`set local role none`;
    const [row] = await tx<
      { id: string }[]
    >`select id from storage.objects where bucket_id = ${object.bucket} and name = ${object.name}`;
    await publish();
    return row.id;
  });
}

/** An object row's metadata. */
export interface StoredObject {
  id: string;
  metadata: Partial<ObjectMetadata> | null;
  updatedAt: Date | null;
}

async function selectObject(
  tx: postgres.Sql | Tx,
  bucket: string,
  name: string,
): Promise<StoredObject | null> {
  const [row] = await tx<
    { id: string; metadata: Partial<ObjectMetadata> | null; updated_at: Date | null }[]
  >`
    select id, metadata, updated_at from storage.objects where bucket_id = ${bucket} and name = ${name}`;
  return row ? { id: row.id, metadata: row.metadata, updatedAt: row.updated_at } : null;
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
