/**
 * Checking rows read through PostgREST (or Realtime) against the shared zod
 * contracts for their JSON columns, and turning PostgREST failures into
 * {@link LabError}s.
 *
 * @module
 */
import { z } from "zod";
import type { Tables } from "../../supabase/functions/_shared/db/database.types.ts";
import {
  experimentParametersSchema,
  experimentStatusSchema,
  generatedResponseSchema,
  metricsSummarySchema,
} from "../../supabase/functions/_shared/contracts/generate.ts";
import { LabError, labErrorFor, LabNetworkError } from "./errors.ts";
import type { AnalyticsSummaryRow, ExperimentRow } from "./types.ts";

const experimentJsonSchema = z.object({
  parameters: experimentParametersSchema,
  responses: z.array(generatedResponseSchema),
  status: experimentStatusSchema,
});

/** Thrown inside the SDK when a row does not match its contract; reported as a result. */
function invalidRow(table: string, issues: z.core.$ZodIssue[]): LabError {
  const first = issues[0];
  const where = first ? `${first.path.join(".")}: ${first.message}` : "invalid row";
  return new LabError(`Unexpected row in ${table}: ${where}`, {
    code: "invalid_response",
    status: 200,
    details: issues,
  });
}

/**
 * A row (or an rpc's answer) checked against its contract, or the error saying why not.
 *
 * @example
 * ```ts
 * const checked = checkRow("batch_runs", batchRunSchema, data);
 * if (checked instanceof LabError) return failure(checked);
 * ```
 */
export function checkRow<T>(table: string, schema: z.ZodType<T>, row: unknown): T | LabError {
  const parsed = schema.safeParse(row);
  return parsed.success ? parsed.data : invalidRow(table, parsed.error.issues);
}

/**
 * An experiment row with its JSON columns checked, or the error saying why not.
 *
 * @example
 * ```ts
 * const checked = toExperimentRow(row);
 * if (checked instanceof LabError) return failure(checked);
 * ```
 */
export function toExperimentRow(row: Tables<"experiments">): ExperimentRow | LabError {
  const parsed = experimentJsonSchema.safeParse(row);
  if (!parsed.success) return invalidRow("experiments", parsed.error.issues);
  return { ...row, ...parsed.data };
}

/**
 * An analytics row with its `metrics_summary` checked, or the error saying why not.
 *
 * @example
 * ```ts
 * const checked = toAnalyticsRow(row);
 * ```
 */
export function toAnalyticsRow(row: Tables<"analytics_summaries">): AnalyticsSummaryRow | LabError {
  const parsed = metricsSummarySchema.safeParse(row.metrics_summary);
  if (!parsed.success) return invalidRow("analytics_summaries", parsed.error.issues);
  return { ...row, metrics_summary: parsed.data };
}

/** The error part of a supabase-js (postgrest-js) result. */
export interface PostgrestFailure {
  message: string;
  code: string;
  details?: string | null;
  hint?: string | null;
}

/**
 * A PostgREST failure as a {@link LabError}: the SQLSTATE or PGRST code, the
 * HTTP status (0 -> {@link LabNetworkError}), details and hint kept.
 *
 * @example
 * ```ts
 * const { data, error, status } = await supabase.from("experiments").select("*");
 * if (error) return failure(fromPostgrest(error, status));
 * ```
 */
export function fromPostgrest(error: PostgrestFailure, status: number): LabError {
  const details = { details: error.details ?? null, hint: error.hint ?? null };
  if (status === 0) {
    return new LabNetworkError(`Cannot reach the lab: ${error.message}`, { details });
  }
  // The lab's SQL raises its HTTP outcomes as SQLSTATE LB<status> with the code as hint
  // (private.raise_http_error); PostgREST answers them as 400, so the SDK restores both.
  const raised = /^LB(\d{3})$/.exec(error.code ?? "");
  if (raised && error.hint) {
    return labErrorFor(error.message, { code: error.hint, status: Number(raised[1]), details });
  }
  return labErrorFor(error.message, { code: error.code || `http_${status}`, status, details });
}
