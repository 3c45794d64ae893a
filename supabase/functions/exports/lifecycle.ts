/**
 * How an export ends, wherever it was built (a request or a job's last
 * slice): completed with its signed link, `export_completed` audited and
 * the Idempotency-Key's answer stored; or failed with a client-safe reason,
 * `export_failed` audited and the key released so the request can be made
 * again.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { ExportFormat, ExportResult } from "../_shared/contracts/exports.ts";
import { recordAudit } from "../_shared/db/audit.ts";
import { cleanUpAfterFailure, type Database, retryWhileUnavailable } from "../_shared/db/client.ts";
import {
  completeIdempotencyKey,
  type IdempotencyKeyRef,
  releaseIdempotencyKey,
} from "../_shared/db/idempotency.ts";
import type { ObjectStorage } from "../_shared/integrations/storage.ts";
import type { Measure } from "./assemble/measure.ts";
import type { Counts } from "./assemble/tally.ts";
import { markCompleted, markFailed } from "./jobs.ts";

/** The idempotency scope of `POST /exports`. */
export const EXPORTS_SCOPE = "exports";

/**
 * Signs the stored file's link, marks the export completed, audits
 * `export_completed` and stores the key's answer (201, the result), in one
 * transaction retried while the database is unreachable: the file is stored
 * and must not be left without its row.
 *
 * @example
 * const result = await completeExport(deps, caller, { id, format, path, measure, tally, ref });
 */
export async function completeExport(
  deps: { db: Database; storage: ObjectStorage; limits: { urlTtlSeconds: number } },
  caller: DbCaller,
  done: {
    id: string;
    format: ExportFormat;
    path: string;
    measure: Measure;
    tally: Counts;
    ref?: IdempotencyKeyRef;
  },
): Promise<ExportResult> {
  const { id, format, measure, tally, ref } = done;
  const signed = await deps.storage.createSignedUrl(done.path, deps.limits.urlTtlSeconds);
  const result: ExportResult = {
    id,
    format,
    status: "completed",
    experimentCount: tally.experiments,
    responseCount: tally.responses,
    byteSize: measure.bytes,
    url: signed.url,
    expiresAt: signed.expiresAt.toISOString(),
  };
  await retryWhileUnavailable(() =>
    deps.db.withUser(caller, async (tx) => {
      const completed = await markCompleted(tx, id, {
        storagePath: done.path,
        experimentCount: tally.experiments,
        responseCount: tally.responses,
        byteSize: measure.bytes,
        url: signed.url,
        expiresAt: signed.expiresAt,
      });
      if (!completed) return; // an attempt whose answer was lost committed it
      await recordAudit(tx, {
        type: "export_completed",
        data: {
          exportId: id,
          format,
          experimentCount: tally.experiments,
          responseCount: tally.responses,
          byteSize: measure.bytes,
          sha256: measure.sha256,
        },
      });
      if (ref) await completeIdempotencyKey(tx, ref, { status: 201, body: result });
    })
  );
  return result;
}

/**
 * Marks the export failed with `reason` (client-safe), audits
 * `export_failed` and frees the Idempotency-Key, in one transaction, retried
 * while the database is unreachable. If it stays unreachable for all the
 * retries, the row stays running, never completed; this never throws.
 *
 * @example
 * await failExport(db, caller, { id, format }, { reason, code: "storage_unavailable", status: 502, ref });
 */
export async function failExport(
  db: Database,
  caller: DbCaller,
  job: { id: string; format: string },
  failure: { reason: string; code: string; status: number; ref?: IdempotencyKeyRef },
): Promise<void> {
  const { reason, code, status, ref } = failure;
  try {
    await cleanUpAfterFailure(
      () =>
        db.withUser(caller, async (tx) => {
          if (!await markFailed(tx, job.id, reason)) return; // already failed by an earlier attempt
          await recordAudit(tx, {
            type: "export_failed",
            data: { exportId: job.id, format: job.format, code, status },
          });
          if (ref) await releaseIdempotencyKey(tx, ref);
        }),
      "mark export failed",
    );
  } catch (secondary) {
    console.error(
      `Cannot mark export ${job.id} failed (${
        secondary instanceof Error ? secondary.name : "unknown error"
      })`,
    );
  }
}
