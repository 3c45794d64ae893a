/**
 * A batch run's database steps, each one statement as the run's owner
 * (migration `20261202007400_batch_runs.sql`).
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { GeneratedResponse } from "../contracts/generate.ts";
import type { Database } from "../db/client.ts";
import type { RangeColumns } from "../lab/parameters.ts";
import type { ParameterSet } from "../lab/parameters.ts";
import type { TemplateVersion } from "../lab/templates.ts";

/** A `batch_runs` row as the steps return it. */
export interface BatchRun {
  id: string;
  user_id: string;
  name: string | null;
  template_version_id: string;
  dataset_version_id: string;
  calibration_id: string | null;
  parameters: ParameterSet | null;
  responses_per_item: number;
  model: string;
  seed: number;
  concurrency: number;
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  total_results: number;
  succeeded_count: number;
  failed_count: number;
  cost_usd: number;
  unpriced_results: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** What a run is created from. */
export interface NewBatchRun {
  template_version_id: string;
  dataset_version_id: string;
  calibration_id?: string;
  parameters?: ParameterSet;
  responses_per_item: number;
  model: string;
  seed: number;
  concurrency?: number;
  name?: string;
}

/** A claimed result: one item and repeat, with the item's values. */
export interface ClaimedResult {
  id: string;
  itemId: string;
  lineNumber: number;
  repeat: number;
  attempts: number;
  values: Record<string, string>;
}

/** A result's outcome to record. */
export interface ResultOutcome {
  id: string;
  status: "succeeded" | "failed";
  prompt: string;
  response: GeneratedResponse;
  errorCode: string | null;
}

/** What a worker needs once per run. */
export interface RunContext {
  run: BatchRun;
  template: TemplateVersion;
  ranges: RangeColumns | null;
}

/**
 * Creates a run and its pending results.
 *
 * @throws {HttpError} 404 `template_not_found` / `dataset_version_not_found` /
 *   `calibration_not_found`, 409 `dataset_not_ready`, 400 `missing_variables`.
 *
 * @example
 * const run = await createBatchRun(db, caller, { template_version_id, dataset_version_id, calibration_id, responses_per_item: 4, model: "gpt-4o", seed: 7 });
 */
export function createBatchRun(db: Database, caller: DbCaller, run: NewBatchRun) {
  return db.callAsUser<BatchRun>(caller, "create_batch_run", {
    run: run as unknown as Record<string, unknown>,
  });
}

/** The run, its template version and ranges. @throws {HttpError} 404 `batch_run_not_found`. */
export function runContext(db: Database, caller: DbCaller, runId: string) {
  return db.callAsUser<RunContext>(caller, "batch_run_context", { run_id: runId });
}

/** Leases up to `limit` results of a running (or pending) run. @throws {HttpError} 404. */
export function claimResults(
  db: Database,
  caller: DbCaller,
  runId: string,
  options: { limit: number; leaseSeconds: number },
) {
  return db.callAsUser<{ run: BatchRun; results: ClaimedResult[] }>(
    caller,
    "claim_batch_results",
    { run_id: runId, limit: options.limit, lease_seconds: options.leaseSeconds },
  );
}

/** Records outcomes once each, priced; resolves with the run's progress. @throws {HttpError} 404. */
export function recordResults(
  db: Database,
  caller: DbCaller,
  runId: string,
  outcomes: readonly ResultOutcome[],
) {
  return db.callAsUser<BatchRun>(caller, "record_batch_results", {
    run_id: runId,
    results: outcomes,
  });
}

/** Completed or failed once nothing is left; else unchanged. @throws {HttpError} 404. */
export function finishRun(db: Database, caller: DbCaller, runId: string) {
  return db.callAsUser<BatchRun>(caller, "finish_batch_run", { run_id: runId });
}

/** A failed or cancelled run back to running, its failed results pending. @throws {HttpError} 404. */
export function resumeRun(db: Database, caller: DbCaller, runId: string) {
  return db.callAsUser<BatchRun>(caller, "resume_batch_run", { run_id: runId });
}

/**
 * Puts the run's claimed results back to pending (their worker is gone);
 * only the job holding the run may. @throws {HttpError} 404.
 */
export function releaseClaims(db: Database, caller: DbCaller, runId: string) {
  return db.callAsUser<number>(caller, "release_batch_claims", { run_id: runId });
}

/**
 * Cancels the run as its owner would (a Data API update, under RLS),
 * unless it has already ended; finished results stay, and a resume goes on.
 *
 * @example
 * await cancelRun(db, caller, runId);
 */
export async function cancelRun(db: Database, caller: DbCaller, runId: string) {
  await db.withUser(caller, (tx) =>
    tx`update public.batch_runs set status = 'cancelled'
        where id = ${runId} and status in ('pending', 'running')`);
}
