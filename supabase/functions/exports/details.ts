/**
 * Reading an export back: its row as the caller sees it, with a fresh
 * signed URL once it is completed.
 *
 * @module
 */
import type { ExportDetails, ExportResult } from "../_shared/contracts/exports.ts";
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
  deps: ExportDeps,
  caller: Caller,
  id: string,
): Promise<ExportDetails> {
  const context = { claims: caller.claims, correlationId: caller.correlationId };
  const row = await deps.db.withUser(context, (tx) => findExport(tx, id));
  if (!row) throw new HttpError(404, "Export not found", { code: "export_not_found" });
  if (row.status !== "completed" || !row.storagePath) return detailsOf(row, null);
  const signed = await deps.storage.createSignedUrl(row.storagePath, deps.limits.urlTtlSeconds);
  await deps.db.withUser(context, (tx) => saveSignedUrl(tx, id, signed));
  return detailsOf(row, signed);
}

function detailsOf(row: ExportRow, signed: { url: string; expiresAt: Date } | null): ExportDetails {
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
