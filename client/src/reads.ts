/**
 * Reads of the caller's own rows and the two changes a user may make
 * (save/discard an experiment), through supabase-js's `from(...)` (PostgREST).
 * The database's RLS policies and column grants decide; the SDK only asks.
 *
 * @module
 */
import { CORRELATION_ID_HEADER } from "../../supabase/functions/_shared/contracts/headers.ts";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/db/database.types.ts";
import { LabError, LabNotFoundError } from "./errors.ts";
import { failure, type LabResult, success } from "./result.ts";
import { fromPostgrest, toAnalyticsRow, toExperimentRow } from "./rows.ts";
import type {
  AnalyticsSummaryRow,
  AuditLogRow,
  CalibrationRow,
  ExperimentRow,
  ExportRow,
} from "./types.ts";

/** The supabase-js client the SDK reads through. */
export type LabSupabaseClient = SupabaseClient<Database>;

/** Options of {@link experimentReads}' `list`. */
export interface ListExperimentsOptions {
  /** Only experiments of this calibration. */
  calibrationId?: string;
  /** Include discarded experiments (default false). */
  includeDiscarded?: boolean;
  /** Only saved experiments. */
  savedOnly?: boolean;
  /** Most rows to return, newest first (default 50). */
  limit?: number;
}

/**
 * The error of a row the caller cannot see: missing, or someone else's (RLS hides both alike).
 *
 * @example
 * ```ts
 * if (!data) return failure(notFound("Experiment", id));
 * ```
 */
export function notFound(what: string, id: string): LabNotFoundError {
  return new LabNotFoundError(`${what} not found: ${id}`, { code: "not_found", status: 404 });
}

function checkAll<R, T>(rows: R[], check: (row: R) => T | LabError): LabResult<T[]> {
  const out: T[] = [];
  for (const row of rows) {
    const checked = check(row);
    if (checked instanceof LabError) return failure(checked);
    out.push(checked);
  }
  return success(out);
}

/** Options of `experiments.save` and `experiments.discard`. */
export interface FlagOptions {
  /** Sent as `x-correlation-id`; the audit events the change causes carry it. */
  correlationId?: string;
}

/**
 * The caller's experiments.
 *
 * @example
 * ```ts
 * const { data } = await lab.experiments.list({ calibrationId, limit: 10 });
 * await lab.experiments.discard(data![0].id);
 * ```
 */
export function experimentReads(supabase: LabSupabaseClient) {
  async function flag(
    id: string,
    change: { saved?: boolean; discarded?: boolean },
    options: FlagOptions,
  ) {
    let query = supabase.from("experiments").update(change).eq("id", id).select("*");
    // The database copies this header into the audit events its triggers write.
    if (options.correlationId) query = query.setHeader(CORRELATION_ID_HEADER, options.correlationId);
    const { data, error, status } = await query.maybeSingle();
    if (error) return failure(fromPostgrest(error, status));
    if (!data) return failure(notFound("Experiment", id));
    const checked = toExperimentRow(data);
    return checked instanceof LabError ? failure(checked) : success(checked);
  }

  return {
    /**
     * The caller's experiments, newest first.
     *
     * @example
     * ```ts
     * const { data, error } = await lab.experiments.list({ includeDiscarded: true });
     * ```
     */
    async list(options: ListExperimentsOptions = {}): Promise<LabResult<ExperimentRow[]>> {
      let query = supabase.from("experiments").select("*");
      if (options.calibrationId) query = query.eq("calibration_id", options.calibrationId);
      if (!options.includeDiscarded) query = query.eq("discarded", false);
      if (options.savedOnly) query = query.eq("saved", true);
      const { data, error, status } = await query.order("created_at", { ascending: false })
        .limit(options.limit ?? 50);
      if (error) return failure(fromPostgrest(error, status));
      return checkAll(data, toExperimentRow);
    },

    /**
     * One of the caller's experiments; `LabNotFoundError` for anyone else's.
     *
     * @example
     * ```ts
     * const { data } = await lab.experiments.get(experimentId);
     * ```
     */
    async get(id: string): Promise<LabResult<ExperimentRow>> {
      const { data, error, status } = await supabase.from("experiments").select("*").eq("id", id)
        .maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound("Experiment", id));
      const checked = toExperimentRow(data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },

    /**
     * Marks the experiment as kept (`saved = true`).
     *
     * @example
     * ```ts
     * const { data } = await lab.experiments.save(experimentId); // data.saved === true
     * ```
     */
    save(id: string, options: FlagOptions = {}): Promise<LabResult<ExperimentRow>> {
      return flag(id, { saved: true }, options);
    },

    /**
     * Dismisses the experiment (`discarded = true`): it leaves the analytics,
     * and the `analytics_updated` audit event carries `options.correlationId`.
     *
     * @example
     * ```ts
     * const { data } = await lab.experiments.discard(experimentId, { correlationId }); // data.discarded === true
     * ```
     */
    discard(id: string, options: FlagOptions = {}): Promise<LabResult<ExperimentRow>> {
      return flag(id, { discarded: true }, options);
    },
  };
}

/**
 * The caller's calibrations, newest first, and one by id.
 *
 * @example
 * ```ts
 * const { data } = await lab.calibration.list();
 * ```
 */
export function calibrationReads(supabase: LabSupabaseClient) {
  return {
    /**
     * The caller's calibrations, newest first.
     *
     * @example
     * ```ts
     * const { data } = await lab.calibration.list({ limit: 5 });
     * ```
     */
    async list(options: { limit?: number } = {}): Promise<LabResult<CalibrationRow[]>> {
      const { data, error, status } = await supabase.from("calibrations").select("*")
        .order("created_at", { ascending: false }).limit(options.limit ?? 50);
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * One of the caller's calibrations.
     *
     * @example
     * ```ts
     * const { data } = await lab.calibration.get(calibrationId);
     * ```
     */
    async get(id: string): Promise<LabResult<CalibrationRow>> {
      const { data, error, status } = await supabase.from("calibrations").select("*").eq("id", id)
        .maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      return data ? success(data) : failure(notFound("Calibration", id));
    },
  };
}

/**
 * The caller's analytics summaries (one per calibration, kept by the database).
 *
 * @example
 * ```ts
 * const { data } = await lab.analytics.get(calibrationId);
 * console.log(data?.metrics_summary.avgCoherence);
 * ```
 */
export function analyticsReads(supabase: LabSupabaseClient) {
  return {
    /**
     * The summary of one calibration, or null while none of its experiments counts.
     *
     * @example
     * ```ts
     * const { data } = await lab.analytics.get(calibrationId);
     * ```
     */
    async get(calibrationId: string): Promise<LabResult<AnalyticsSummaryRow | null>> {
      const { data, error, status } = await supabase.from("analytics_summaries").select("*")
        .eq("calibration_id", calibrationId).maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return success(null);
      const checked = toAnalyticsRow(data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },

    /**
     * Every summary of the caller, most recently changed first.
     *
     * @example
     * ```ts
     * const { data } = await lab.analytics.list();
     * ```
     */
    async list(): Promise<LabResult<AnalyticsSummaryRow[]>> {
      const { data, error, status } = await supabase.from("analytics_summaries").select("*")
        .order("updated_at", { ascending: false });
      if (error) return failure(fromPostgrest(error, status));
      return checkAll(data, toAnalyticsRow);
    },
  };
}

/**
 * The caller's audit trail.
 *
 * @example
 * ```ts
 * const { data } = await lab.audit.byCorrelationId(result.correlationId!);
 * ```
 */
export function auditReads(supabase: LabSupabaseClient) {
  return {
    /**
     * The caller's audit events of one request (or of every request that sent
     * this correlation id), oldest first.
     *
     * @example
     * ```ts
     * const { data } = await lab.audit.byCorrelationId(correlationId);
     * data?.map((event) => event.event_type); // ["experiment_generated", "analytics_updated"]
     * ```
     */
    async byCorrelationId(correlationId: string): Promise<LabResult<AuditLogRow[]>> {
      const { data, error, status } = await supabase.from("audit_logs").select("*")
        .eq("correlation_id", correlationId).order("created_at", { ascending: true });
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },
  };
}

/**
 * The caller's export jobs, newest first.
 *
 * @example
 * ```ts
 * const { data } = await listExports(supabase, { limit: 10 });
 * ```
 */
export async function listExports(
  supabase: LabSupabaseClient,
  options: { limit?: number } = {},
): Promise<LabResult<ExportRow[]>> {
  const { data, error, status } = await supabase.from("experiment_exports").select("*")
    .order("created_at", { ascending: false }).limit(options.limit ?? 50);
  return error ? failure(fromPostgrest(error, status)) : success(data);
}
