/**
 * The life of one export, as a job of kind `export` (job/handler.ts):
 *
 * 1. in one transaction as the caller: claim the Idempotency-Key, check that
 *    every selected id is the caller's (else 404 and nothing written), check
 *    the size limit (else 413), insert the export row (pending), audit
 *    `export_started`, and queue its job, the selection fixed by the row's
 *    creation time (the export's id is the job's);
 * 2. unless the caller asked `Prefer: respond-async`, work the job in this
 *    request for at most LAB_EXPORT_INLINE_MS: when it completes, answer
 *    201 with its signed link; else wake the worker, which builds the rest
 *    in slices, and answer 202 with the export and its job.
 *
 * The job completes or fails the export row, its audit event and the
 * Idempotency-Key (lifecycle.ts): the key stays in progress while the job
 * runs, so a repeat meanwhile is a 409 `idempotency_in_progress`, as for any
 * request still running.
 *
 * @module
 */
import { recordAudit } from "../_shared/db/audit.ts";
import type {
  CreateExportRequest,
  ExportDetails,
  ExportResult,
} from "../_shared/contracts/exports.ts";
import { HttpError } from "../_shared/errors.ts";
import {
  claimIdempotencyKey,
  type IdempotencyKeyRef,
  requestHash,
} from "../_shared/db/idempotency.ts";
import { startBudget } from "../_shared/jobs/budget.ts";
import type { JobJson } from "../_shared/jobs/handler.ts";
import { enqueueJob } from "../_shared/jobs/queue.ts";
import { runJobInline } from "../_shared/jobs/runner.ts";
import type { Caller } from "../_shared/caller.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport, resultOf } from "./details.ts";
import { insertExport } from "./jobs.ts";
import type { ExportPayload } from "./job/handler.ts";
import { EXPORTS_SCOPE } from "./lifecycle.ts";
import { countInvisible, countSelection, selectionOf } from "./read/selection.ts";

/** A finished export (201), one still being built (202), or the answer stored for a repeated key. */
export type CreateOutcome =
  | { kind: "new"; result: ExportResult }
  | { kind: "accepted"; details: ExportDetails }
  | { kind: "replay"; status: number; body: ExportResult | ExportDetails };

/**
 * Creates an export and works it inline for a short while.
 *
 * @example
 * const outcome = await createExport(deps, caller, { format: "zip" }, { idempotencyKey });
 * if (outcome.kind === "new") outcome.result.url; // signed download link
 * if (outcome.kind === "accepted") outcome.details.job?.status; // "queued" | "running"
 */
export async function createExport(
  deps: ExportDeps,
  caller: Caller,
  request: CreateExportRequest,
  options: { idempotencyKey?: string; respondAsync?: boolean } = {},
): Promise<CreateOutcome> {
  const { db, limits } = deps;
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
    const payload: ExportPayload = {
      format: request.format,
      createdAt: job.createdAt.toISOString(),
      selection: { ...selection, asOf: job.asOf },
      request: stored,
      experimentCount: counts.experiments,
      idempotencyKey: options.idempotencyKey ?? null,
    };
    await enqueueJob(tx, {
      kind: "export",
      id: job.id,
      payload: payload as unknown as JobJson,
      total: counts.experiments,
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
    return { kind: "replay", status, body: status === 201 ? resultOf(details) : details };
  }

  const { id } = started.job;
  if (!options.respondAsync) {
    const status = await runJobInline(deps.jobs.runner, id, startBudget(deps.jobs.inline));
    if (status === "succeeded") {
      return { kind: "new", result: resultOf(await describeExport(deps, caller, id)) };
    }
    if (status === "failed") throw deps.jobs.failureOf(id) ?? exportFailed();
  }
  deps.jobs.wake();
  return { kind: "accepted", details: await describeExport(deps, caller, id) };
}

function exportFailed(): HttpError {
  return new HttpError(500, "Internal error: the export could not be built", {
    code: "internal_error",
  });
}
