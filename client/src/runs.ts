/**
 * Batch runs: a template version over a dataset version through the runs
 * function (create, work, resume), with the progress, the results and the
 * summary read through the Data API under RLS.
 *
 * @module
 */
import { z } from "zod";
import {
  type BatchRunRow,
  batchRunSchema,
  type CreateRunRequest,
  type RunSummary,
  runSummarySchema,
} from "../../supabase/functions/_shared/contracts/runs.ts";
import { generatedResponseSchema } from "../../supabase/functions/_shared/contracts/generate.ts";
import type { ParameterName } from "../../supabase/functions/_shared/lab/parameters.ts";
import { LabError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import { type LabSupabaseClient, notFound } from "./reads.ts";
import { failure, type FunctionResult, type LabResult, success } from "./result.ts";
import { checkRow, fromPostgrest } from "./rows.ts";
import type { BatchResultRow } from "./types.ts";

/** Options of {@link runCalls}' `execute`. */
export interface ExecuteRunOptions extends CallOptions {
  /** Called with the run after every slice of work. */
  onProgress?: (run: BatchRunRow) => void;
  /** Most results per request (the server also stops at `LAB_RUN_SLICE_MS`). */
  maxResultsPerCall?: number;
}

const resultResponseSchema = z.object({ response: generatedResponseSchema.nullable() });

/**
 * Calls of the runs function and reads of the caller's runs.
 *
 * @example
 * ```ts
 * const runs = runCalls(transport, supabase);
 * const { data: run } = await runs.create({ templateVersionId, datasetVersionId, calibrationId });
 * ```
 */
export function runCalls(transport: FunctionsTransport, supabase: LabSupabaseClient) {
  const call = (path: string, body: unknown, options: CallOptions) =>
    invokeFunction(transport, "runs", {
      method: "POST",
      path,
      body,
      schema: batchRunSchema,
      ...options,
    });

  return {
    /**
     * Creates a run with one pending result per item and repeat. A template
     * variable the dataset lacks is a `LabValidationError` (`missing_variables`)
     * naming it.
     *
     * @example
     * ```ts
     * const { data: run } = await lab.runs.create({ template: { name: "haiku", label: "production" }, datasetVersionId, calibrationId, responsesPerItem: 2 });
     * ```
     */
    create(request: CreateRunRequest, options: CallOptions = {}): Promise<FunctionResult<BatchRunRow>> {
      return call("", request, options);
    },

    /**
     * Works the run for one request (at most `LAB_RUN_SLICE_MS`) and answers its progress.
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.work(runId, { maxResults: 50 });
     * ```
     */
    work(
      runId: string,
      request: { maxResults?: number } = {},
      options: CallOptions = {},
    ): Promise<FunctionResult<BatchRunRow>> {
      return call(`/${encodeURIComponent(runId)}/work`, request, options);
    },

    /**
     * Works the run slice after slice until it is no longer running
     * (completed, failed with results to resume, or cancelled).
     *
     * @example
     * ```ts
     * const { data } = await lab.runs.execute(runId, { onProgress: (r) => console.log(r.succeeded_count, "/", r.total_results) });
     * ```
     */
    async execute(runId: string, options: ExecuteRunOptions = {}): Promise<FunctionResult<BatchRunRow>> {
      const { onProgress, maxResultsPerCall, ...callOptions } = options;
      const body = maxResultsPerCall ? { maxResults: maxResultsPerCall } : {};
      for (;;) {
        const result = await this.work(runId, body, callOptions);
        if (result.error) return result;
        onProgress?.(result.data);
        if (result.data.status !== "running" && result.data.status !== "pending") return result;
      }
    },

    /**
     * A failed or cancelled run back to running with only its failed results pending again.
     *
     * @example
     * ```ts
     * await lab.runs.resume(runId);
     * await lab.runs.execute(runId);
     * ```
     */
    resume(runId: string, options: CallOptions = {}): Promise<FunctionResult<BatchRunRow>> {
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
