/**
 * Batch runs: a template version over a dataset version through the runs
 * function (create, resume), worked by a job of the worker whose progress
 * `wait` follows, with the run, its results and its summary read through
 * the Data API under RLS.
 *
 * @module
 */
import { z } from "zod";
import {
  type BatchRunRow,
  batchRunSchema,
  type CreateRunRequest,
  type RunStarted,
  runStartedSchema,
  type RunSummary,
  runSummarySchema,
} from "../../supabase/functions/_shared/contracts/runs.ts";
import { generatedResponseSchema } from "../../supabase/functions/_shared/contracts/generate.ts";
import type { ParameterName } from "../../supabase/functions/_shared/lab/parameters.ts";
import { LabError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { jobCalls, JobRow } from "./jobs.ts";
import { type LabSupabaseClient, notFound } from "./reads.ts";
import { failure, type FunctionResult, type LabResult, success } from "./result.ts";
import { checkRow, fromPostgrest } from "./rows.ts";
import type { BatchResultRow } from "./types.ts";

/** Options of {@link runCalls}' `wait`. */
export interface WaitForRunOptions {
  /** Called with the job each time it is read while it runs (`progress.done` results succeeded). */
  onProgress?: (job: JobRow) => void;
  /** Milliseconds between reads (default 500). */
  intervalMs?: number;
  /** Give up after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
}

const resultResponseSchema = z.object({ response: generatedResponseSchema.nullable() });

/**
 * Calls of the runs function and reads of the caller's runs.
 *
 * @example
 * ```ts
 * const runs = runCalls(transport, supabase, jobCalls(supabase));
 * const { data } = await runs.create({ templateVersionId, datasetVersionId, calibrationId });
 * ```
 */
export function runCalls(
  transport: FunctionsTransport,
  supabase: LabSupabaseClient,
  jobs: ReturnType<typeof jobCalls>,
) {
  const call = (path: string, body: unknown, options: CallOptions) =>
    invokeFunction(transport, "runs", {
      method: "POST",
      path,
      body,
      schema: runStartedSchema,
      ...options,
    });

  return {
    /**
     * Creates a run with one pending result per item and repeat, and the
     * job that works it (202; the job's id is the run's). A template
     * variable the dataset lacks is a `LabValidationError`
     * (`missing_variables`) naming it.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.create({ template: { name: "haiku", label: "production" }, datasetVersionId, calibrationId, responsesPerItem: 2 });
     * const done = await lab.runs.wait(data!.run.id, data!.job!.id);
     * ```
     */
    create(request: CreateRunRequest, options: CallOptions = {}): Promise<FunctionResult<RunStarted>> {
      return call("", request, options);
    },

    /**
     * Waits for the run's job to end and answers the run and the job as they
     * ended: completed (job succeeded), failed with results to resume (job
     * failed, its error naming them) or cancelled.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.wait(runId, jobId, { onProgress: (j) => console.log(j.progress.done, "/", j.progress.total) });
     * ```
     */
    async wait(
      runId: string,
      jobId: string,
      options: WaitForRunOptions = {},
    ): Promise<LabResult<{ run: BatchRunRow; job: JobRow }>> {
      const job = await jobs.wait(jobId, options);
      if (job.error) return job;
      const run = await this.get(runId);
      return run.error ? run : success({ run: run.data, job: job.data });
    },

    /**
     * A failed or cancelled run back to running with only its failed results
     * pending again, and a new job working it (202); a completed run comes
     * back with `job: null`.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.resume(runId);
     * await lab.runs.wait(runId, data!.job!.id);
     * ```
     */
    resume(runId: string, options: CallOptions = {}): Promise<FunctionResult<RunStarted>> {
      return call(`/${encodeURIComponent(runId)}/resume`, undefined, options);
    },

    /**
     * The run's progress: status, counts, cost so far.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.get(runId);
     * console.log(`${data?.succeeded_count} of ${data?.total_results}`);
     * ```
     */
    async get(runId: string): Promise<LabResult<BatchRunRow>> {
      const { data, error, status } = await supabase.from("batch_runs").select("*")
        .eq("id", runId).maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound("Batch run", runId));
      const checked = checkRow("batch_runs", batchRunSchema, data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },

    /**
     * The run's results in item and repeat order, readable while it runs.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.results(runId, { status: "failed" });
     * ```
     */
    async results(
      runId: string,
      options: { status?: BatchResultRow["status"]; limit?: number; offset?: number } = {},
    ): Promise<LabResult<BatchResultRow[]>> {
      let query = supabase.from("batch_results").select("*").eq("run_id", runId);
      if (options.status) query = query.eq("status", options.status);
      const from = options.offset ?? 0;
      const { data, error, status } = await query.order("line_number").order("repeat")
        .range(from, from + (options.limit ?? 1000) - 1);
      if (error) return failure(fromPostgrest(error, status));
      const out: BatchResultRow[] = [];
      for (const row of data) {
        const checked = checkRow("batch_results", resultResponseSchema, row);
        if (checked instanceof LabError) return failure(checked);
        out.push({ ...row, response: checked.response });
      }
      return success(out);
    },

    /**
     * Scores, latency, cost and failures of the run's template version, in
     * total and per bin of one sampling parameter across the calibration's range.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.summary(runId, { parameter: "temperature", bins: 4 });
     * data?.byBin.map((b) => [b.from, b.meanScores?.coherence, b.costUsd]);
     * ```
     */
    async summary(
      runId: string,
      options: { parameter?: ParameterName; bins?: number } = {},
    ): Promise<LabResult<RunSummary>> {
      const { data, error, status } = await supabase.rpc("batch_run_summary", {
        p_run_id: runId,
        ...(options.parameter ? { p_parameter: options.parameter } : {}),
        ...(options.bins ? { p_bins: options.bins } : {}),
      });
      if (error) return failure(fromPostgrest(error, status));
      const checked = checkRow("batch_run_summary", runSummarySchema, data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },

    /**
     * Cancels the run: nothing more is claimed; results so far are kept; `resume` goes on.
     *
     * @example
     * ```ts
     * await lab.runs.cancel(runId);
     * ```
     */
    async cancel(runId: string): Promise<LabResult<BatchRunRow>> {
      const { data, error, status } = await supabase.from("batch_runs")
        .update({ status: "cancelled" }).eq("id", runId).select("*").maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound("Batch run", runId));
      const checked = checkRow("batch_runs", batchRunSchema, data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },
  };
}
