/**
 * The `experiment_exports` row of an export, moved through its status
 * machine (pending -> running -> completed | failed, enforced by a trigger)
 * inside the caller's RLS transactions.
 *
 * @module
 */
import type postgres from "postgres";
import type { Tx } from "../_shared/db/client.ts";
import type { ExportFormat, ExportStatus } from "../_shared/contracts/exports.ts";

/** An export row as the function reads it. */
export interface ExportRow {
  id: string;
  format: ExportFormat;
  status: ExportStatus;
  experimentCount: number | null;
  responseCount: number | null;
  byteSize: number | null;
  storagePath: string | null;
  fileUrl: string | null;
  urlExpiresAt: Date | null;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** What a completed export records. */
export interface CompletedExport {
  storagePath: string;
  experimentCount: number;
  responseCount: number;
  byteSize: number;
  url: string;
  expiresAt: Date;
}

/** The bucket exports are stored in. */
export const EXPORTS_BUCKET = "exports";

/** The MIME type of each format (the bucket allows exactly these). */
export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
};

/**
 * The object name of an export in its bucket: `<user id>/<export id>.<format>`.
 *
 * @example
 * storagePathOf(userId, exportId, "zip"); // "5f0c…/9a1b….zip"
 */
export function storagePathOf(userId: string, exportId: string, format: ExportFormat): string {
  return `${userId}/${exportId}.${format}`;
}

/**
 * Inserts a pending export for the caller.
 *
 * @example
 * const { id, createdAt, asOf } = await insertExport(tx, { format: "csv", request: { filter } });
 * // asOf: its creation time to the microsecond, the selection's fixed upper bound
 */
export async function insertExport(
  tx: Tx,
  job: { format: ExportFormat; request: Record<string, unknown> },
): Promise<{ id: string; createdAt: Date; asOf: string }> {
  const [row] = await tx<{ id: string; createdAt: Date; asOf: string }[]>`
    insert into public.experiment_exports (file_format, request, status)
    values (${job.format}, ${tx.json(job.request as postgres.JSONValue)}, 'pending')
    returning id, created_at as "createdAt",
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "asOf"`;
  return row;
}

/**
 * Moves a pending export to running.
 *
 * @example
 * await markRunning(tx, exportId);
 */
export async function markRunning(tx: Tx, id: string): Promise<void> {
  await tx`update public.experiment_exports set status = 'running' where id = ${id}`;
}

/**
 * Records the stored file and moves a running export to completed. Returns
 * false when it was no longer running (an earlier attempt completed it).
 *
 * @example
 * await markCompleted(tx, exportId, { storagePath, experimentCount, responseCount, byteSize, url, expiresAt });
 */
export async function markCompleted(tx: Tx, id: string, done: CompletedExport): Promise<boolean> {
  const rows = await tx`
    update public.experiment_exports
       set status = 'completed', storage_path = ${done.storagePath},
           experiment_count = ${done.experimentCount}, response_count = ${done.responseCount},
           byte_size = ${done.byteSize}, file_url = ${done.url}, url_expires_at = ${done.expiresAt},
           completed_at = now()
     where id = ${id} and status = 'running'
    returning id`;
  return rows.length === 1;
}

/**
 * Moves an unfinished export to failed with a short, client-safe reason.
 * Returns false when the export had already finished.
 *
 * @example
 * await markFailed(tx, exportId, "Storage unavailable: cannot store the file");
 */
export async function markFailed(tx: Tx, id: string, error: string): Promise<boolean> {
  const rows = await tx`
    update public.experiment_exports set status = 'failed', error = ${error}
     where id = ${id} and status in ('pending', 'running')
    returning id`;
  return rows.length === 1;
}

/**
 * The caller's export, or null when it does not exist or is someone else's.
 *
 * @example
 * const row = await findExport(tx, id);
 */
export async function findExport(tx: Tx, id: string): Promise<ExportRow | null> {
  const [row] = await tx<ExportRow[]>`
    select id, file_format as format, status, experiment_count as "experimentCount",
           response_count as "responseCount", byte_size::float8 as "byteSize",
           storage_path as "storagePath", file_url as "fileUrl", url_expires_at as "urlExpiresAt",
           error, created_at as "createdAt", completed_at as "completedAt"
      from public.experiment_exports
     where id = ${id}`;
  return row ?? null;
}

/**
 * Remembers the latest signed URL handed out for a completed export.
 *
 * @example
 * await saveSignedUrl(tx, id, { url, expiresAt });
 */
export async function saveSignedUrl(
  tx: Tx,
  id: string,
  signed: { url: string; expiresAt: Date },
): Promise<void> {
  await tx`
    update public.experiment_exports set file_url = ${signed.url}, url_expires_at = ${signed.expiresAt}
     where id = ${id}`;
}
