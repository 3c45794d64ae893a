/**
 * The life of one export, in short transactions as the caller:
 *
 * 1. claim the Idempotency-Key, check that every selected id is the caller's
 *    (else 404 and nothing written), check the size limit (else 413), insert
 *    the export row (pending) and audit `export_started`; commit;
 * 2. mark it running;
 * 3. start the upload with the caller's JWT, its body a stream;
 * 4. in one repeatable-read, read-only snapshot, read the selection
 *    (read/source.ts) and assemble the file (assemble/build.ts) straight
 *    into that body (store/), at the upload's pace; commit; only then end
 *    the body and wait for Storage's answer; sign a URL;
 * 5. mark it completed, audit `export_completed`, store the answer for the key.
 *
 * Any failure after step 1 marks the row failed (never completed), audits
 * `export_failed`, releases the key, and is rethrown for the error boundary.
 * A build that fails errors the upload's body instead of ending it, and the
 * upload has settled before the row is marked failed, so Storage never keeps
 * a partial file; an upload that fails first stops the build at its next
 * write, with the upload's error.
 *
 * @module
 */
import { recordAudit } from "../_shared/db/audit.ts";
import { completeExport, EXPORTS_SCOPE, failExport } from "./lifecycle.ts";
import type { CreateExportRequest, ExportResult } from "../_shared/contracts/exports.ts";
import type { IdempotencyOutcome } from "../_shared/contracts/idempotency.ts";
import { HttpError, isHttpError } from "../_shared/errors.ts";
import {
  claimIdempotencyKey,
  type IdempotencyKeyRef,
  requestHash,
} from "../_shared/db/idempotency.ts";
import { streamExport } from "./assemble/build.ts";
import type { Caller } from "../_shared/caller.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport, resultOf } from "./details.ts";
import { CONTENT_TYPES, insertExport, markRunning, storagePathOf } from "./jobs.ts";
import { countInvisible, countSelection, selectionOf } from "./read/selection.ts";
import { pagedSelectionSource, prepareSnapshot } from "./read/source.ts";
import { cappedSink } from "./store/size_cap.ts";
import { uploadWhileBuilding } from "./store/upload_while_building.ts";

/** A new export, or the answer stored for a repeated Idempotency-Key. */
export type CreateOutcome = IdempotencyOutcome<ExportResult, ExportResult>;

/**
 * Runs one export to completion.
 *
 * @example
 * const outcome = await createExport(deps, caller, { format: "zip" }, { idempotencyKey });
 * if (outcome.kind === "new") outcome.result.url; // signed download link
 */
export async function createExport(
  deps: ExportDeps,
  caller: Caller,
  request: CreateExportRequest,
  options: { idempotencyKey?: string } = {},
): Promise<CreateOutcome> {
  const { db, storage, limits } = deps;
  const context = { claims: caller.claims, correlationId: caller.correlationId };
  const selection = selectionOf(request);
  const ref: IdempotencyKeyRef | undefined = options.idempotencyKey
    ? { scope: EXPORTS_SCOPE, key: options.idempotencyKey }
    : undefined;
  const hash = ref ? await requestHash(request) : "";
  const stored = {
    ...(request.selectedIds ? { selectedIds: request.selectedIds } : {}),
    ...(request.filter ? { filter: request.filter } : {}),
  };

  const started = await db.withUser(context, async (tx) => {
    if (ref) {
      const claim = await claimIdempotencyKey(tx, ref, hash);
      if (claim.kind === "replay") return { kind: "replay" as const, claim };
    }
    if (selection.ids) {
      const invisible = await countInvisible(tx, selection.ids);
      if (invisible > 0) {
        throw new HttpError(
          404,
          `Experiments not found: ${invisible} of the selected experiments do not exist or are not yours`,
          { code: "experiments_not_found" },
        );
      }
    }
    const counts = await countSelection(tx, selection);
    if (counts.experiments > limits.maxExperiments) {
      throw new HttpError(
        413,
        `Export too large: ${counts.experiments} experiments match and at most ${limits.maxExperiments} fit in one export; narrow the filter or select fewer`,
        {
          code: "export_too_large",
          details: { experimentCount: counts.experiments, limit: limits.maxExperiments },
        },
      );
    }
    const job = await insertExport(tx, { format: request.format, request: stored });
    await recordAudit(tx, {
      type: "export_started",
      data: { exportId: job.id, format: request.format, experimentCount: counts.experiments },
    });
    return { kind: "started" as const, job };
  });

  if (started.kind === "replay") {
    const { status, body } = started.claim;
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== "string") {
      throw new Error("Cannot replay export: the stored answer has no id");
    }
    const details = await describeExport(deps, caller, id);
    return { kind: "replay", status, body: resultOf(details) };
  }

  const { job } = started;
  const path = storagePathOf(caller.userId, job.id, request.format);
  try {
    await db.withUser(context, (tx) => markRunning(tx, job.id));
    const fixed = { ...selection, asOf: job.asOf };
    const { tally, measure } = await uploadWhileBuilding(
      (body) =>
        streamExport(
          (read) =>
            db.withUser({ ...context, readOnly: true }, async (tx) => {
              await prepareSnapshot(tx);
              return await read(pagedSelectionSource(tx, fixed));
            }),
          {
            exportId: job.id,
            userId: caller.userId,
            format: request.format,
            createdAt: job.createdAt,
            request: stored,
          },
          cappedSink(body, limits.maxBytes),
        ),
      (body) => storage.upload(path, body, CONTENT_TYPES[request.format]),
    );
    const result = await completeExport(deps, context, {
      id: job.id,
      format: request.format,
      path,
      measure,
      tally,
      ref,
    });
    return { kind: "new", result };
  } catch (error) {
    const known = isHttpError(error) ? error : null;
    await failExport(db, context, { id: job.id, format: request.format }, {
      reason: known?.message ?? "Internal error: the export could not be built",
      code: known?.code ?? "internal_error",
      status: known?.status ?? 500,
      ref,
    });
    throw error;
  }
}
