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
import type { ParameterSet } from "../../supabase/functions/_shared/lab/parameters.ts";

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

/** A row of `public.prompt_templates`. */
export type PromptTemplateRow = Tables<"prompt_templates">;

/** A row of `public.prompt_template_versions`, its default parameters typed. */
export type PromptTemplateVersionRow = Omit<Tables<"prompt_template_versions">, "default_parameters"> & {
  default_parameters: ParameterSet | null;
};

/** A row of `public.prompt_template_labels`. */
export type PromptTemplateLabelRow = Tables<"prompt_template_labels">;

/** A row of `public.datasets`. */
export type DatasetRow = Tables<"datasets">;

/** A row of `public.dataset_items`, its values typed. */
export type DatasetItemRow = Omit<Tables<"dataset_items">, "item_values"> & {
  item_values: Record<string, string>;
};

/** A row of `public.dataset_skips`. */
export type DatasetSkipRow = Tables<"dataset_skips">;

/** A row of `public.batch_results`, its response typed (null until answered). */
export type BatchResultRow = Omit<Tables<"batch_results">, "response"> & {
  response: GeneratedResponse | null;
};

/** A row of `public.model_prices`. */
export type ModelPriceRow = Tables<"model_prices">;
