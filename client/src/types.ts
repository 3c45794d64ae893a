/**
 * The lab's row types, derived from the generated database types
 * (`supabase gen types typescript`) with the JSON columns narrowed by the
 * shared zod contracts: one source of truth, nothing copied by hand.
 *
 * @module
 */
import type { Database, Tables } from "../../supabase/functions/_shared/db/database.types.ts";
import type {
  ExperimentParameters,
  ExperimentStatus,
  GeneratedResponse,
  MetricsSummary,
} from "../../supabase/functions/_shared/contracts/generate.ts";

export type { Database, Tables };

/** A row of `public.calibrations`. */
export type CalibrationRow = Tables<"calibrations">;

/** A row of `public.experiments`, its JSON columns typed. */
export type ExperimentRow = Omit<Tables<"experiments">, "parameters" | "responses" | "status"> & {
  parameters: ExperimentParameters;
  responses: GeneratedResponse[];
  status: ExperimentStatus;
};

/** A row of `public.analytics_summaries`, its `metrics_summary` typed. */
export type AnalyticsSummaryRow = Omit<Tables<"analytics_summaries">, "metrics_summary"> & {
  metrics_summary: MetricsSummary;
};

/** A row of `public.audit_logs`. */
export type AuditLogRow = Tables<"audit_logs">;

/** A row of `public.experiment_exports`. */
export type ExportRow = Tables<"experiment_exports">;
