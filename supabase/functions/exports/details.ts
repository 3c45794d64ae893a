/**
 * Reading an export back: its row and its job as the caller sees them,
 * with a fresh signed URL once it is completed.
 *
 * @module
 */
import type { ExportDetails, ExportJob, ExportResult } from "../_shared/contracts/exports.ts";
import { type JobView, readJob } from "../_shared/jobs/queue.ts";
import { HttpError } from "../_shared/errors.ts";
import type { Caller } from "../_shared/caller.ts";
import type { ExportDeps } from "./deps.ts";
import { type ExportRow, findExport, saveSignedUrl } from "./jobs.ts";

/**
 * The caller's export; a completed one with a fresh signed URL (remembered
 * on the row). Unknown or someone else's -> 404 `export_not_found`.
 *
 * @example
 * const details = await describeExport(deps, caller, id);
 */
export async function describeExport(
  deps: Pick<ExportDeps, "db" | "storage" | "limits">,
  caller: Caller,
  id: string,
): Promise<ExportDetails> {
  const context = { claims: caller.claims, correlationId: caller.correlationId };
  const { row, job } = await deps.db.withUser(context, async (tx) => ({
    row: await findExport(tx, id),
    job: await readJob(tx, id),
  }));
  if (!row) throw new HttpError(404, "Export not found", { code: "export_not_found" });
  if (row.status !== "completed" || !row.storagePath) return detailsOf(row, job, null);
  const signed = await deps.storage.createSignedUrl(row.storagePath, deps.limits.urlTtlSeconds);
  await deps.db.withUser(context, (tx) => saveSignedUrl(tx, id, signed));
  return detailsOf(row, job, signed);
}

function jobOf(job: JobView | null): ExportJob | null {
  if (!job) return null;
  return {
    status: job.status,
    progress: { done: job.progress.done, total: job.progress.total },
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    error: job.error,
    cancelRequested: job.cancelRequested,
  };
}

function detailsOf(
  row: ExportRow,
  job: JobView | null,
  signed: { url: string; expiresAt: Date } | null,
): ExportDetails {
  return {
    id: row.id,
    format: row.format,
    status: row.status,
    experimentCount: row.experimentCount,
    responseCount: row.responseCount,
    byteSize: row.byteSize,
    url: signed?.url ?? null,
    expiresAt: signed?.expiresAt.toISOString() ?? null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    job: jobOf(job),
  };
}

/**
 * The `POST` answer for a completed export's details (an Idempotency-Key replay).
 *
 * @example
 * const result = resultOf(await describeExport(deps, caller, id));
 */
export function resultOf(details: ExportDetails): ExportResult {
  if (details.status !== "completed" || details.url === null || details.expiresAt === null) {
    throw new Error(`Cannot replay export: export ${details.id} is ${details.status}`);
  }
  return {
    id: details.id,
    format: details.format,
    status: "completed",
    experimentCount: details.experimentCount ?? 0,
    responseCount: details.responseCount ?? 0,
    byteSize: details.byteSize ?? 0,
    url: details.url,
    expiresAt: details.expiresAt,
  };
}
