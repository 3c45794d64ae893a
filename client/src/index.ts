/**
 * The Precision + Personality Lab client SDK.
 *
 * @example
 * ```ts
 * import { createLabClient, isLabError } from "./client/src/index.ts";
 * const lab = createLabClient({ url, anonKey, accessToken });
 * const { data, error } = await lab.calibration.questionnaire("quick");
 * ```
 *
 * @module
 */
export {
  type AccessTokenSource,
  createLabClient,
  type LabClient,
  type LabClientOptions,
} from "./client.ts";
export {
  isLabError,
  LabAuthError,
  LabConflictError,
  LabError,
  type LabErrorInit,
  type LabErrorCode,
  type LabErrorJson,
  LabNetworkError,
  LabNotFoundError,
  LabRateLimitError,
  LabUpstreamError,
  LabValidationError,
} from "./errors.ts";
export type { JobWaiter, RunJudgeOptions } from "./evaluations.ts";
export type { CsvBody, DatasetIngest, UploadDatasetOptions } from "./datasets.ts";
export type { NewModelPrice } from "./prices.ts";
export type { WaitForRunOptions } from "./runs.ts";
export type { NewTemplate, NewTemplateVersion } from "./templates.ts";
export type { ExportFile } from "./exports.ts";
export type { CallOptions } from "./functions.ts";
export type { JobRow, JobStatus, ListJobsOptions, WaitForJobOptions } from "./jobs.ts";
export { type IdempotentCallOptions, newIdempotencyKey } from "./idempotency.ts";
export type { LabSupabaseClient, ListExperimentsOptions } from "./reads.ts";
export type { LiveContext, RowChange, SubscribeOptions, Unsubscribe } from "./realtime.ts";
export type { JobProgress } from "../../supabase/functions/_shared/contracts/live.ts";
export type { FunctionResult, LabFailure, LabResult, LabSuccess } from "./result.ts";
export type {
  AnalyticsSummaryRow,
  AuditLogRow,
  BatchResultRow,
  CalibrationRow,
  Database,
  DatasetItemRow,
  DatasetRow,
  DatasetSkipRow,
  ExperimentRow,
  ExportRow,
  ModelPriceRow,
  PromptTemplateLabelRow,
  PromptTemplateRow,
  PromptTemplateVersionRow,
  Tables,
} from "./types.ts";
export type {
  BatchRunRow,
  CreateRunRequest,
  RunStarted,
  RunSummary,
} from "../../supabase/functions/_shared/contracts/runs.ts";
export type { JobRef } from "../../supabase/functions/_shared/contracts/job_ref.ts";
export type {
  CreateDatasetVersionRequest,
  DatasetIngestStarted,
  DatasetVersionRow,
} from "../../supabase/functions/_shared/contracts/datasets.ts";
export type {
  Answers,
  CalibrationMode,
  CalibrationResult,
  Insight,
  Question,
  QuestionnaireResponse,
  SubmitCalibrationRequest,
} from "../../supabase/functions/_shared/contracts/calibration.ts";
export type {
  ExperimentParameters,
  ExperimentStatus,
  GeneratedResponse,
  GenerateRequest,
  GenerateResult,
  MetricsSummary,
  UpstreamFailureDetails,
} from "../../supabase/functions/_shared/contracts/generate.ts";
export type {
  CreateExportRequest,
  ExportDetails,
  ExportFilter,
  ExportFormat,
  ExportResult,
  ExportStatus,
} from "../../supabase/functions/_shared/contracts/exports.ts";
export type {
  ParameterRanges,
  ParameterSet,
} from "../../supabase/functions/_shared/lab/parameters.ts";
export type {
  CheckStatus,
  Liveness,
  MetricWindow,
  ModelMetrics,
  Readiness,
  RollupResult,
  RouteMetrics,
  SystemMetrics,
  WindowMetrics,
} from "../../supabase/functions/_shared/contracts/operations.ts";
export {
  type AgreementResult,
  BUILT_IN_CONFIGS,
  type CreateJudgeVersionRequest,
  type CreateQueueRequest,
  type JudgeRunOutcome,
  type JudgeRunRequest,
  type JudgeVersion,
  type RateResponseRequest,
  type Rating,
  type ReviewItem,
  type ReviewQueue,
  type ScoreBin,
  type SubmitReviewRequest,
} from "../../supabase/functions/_shared/contracts/evaluations.ts";
export {
  ERROR_CODES,
  type ErrorCode,
  isErrorCode,
} from "../../supabase/functions/_shared/contracts/error_codes.ts";
export type {
  Arena,
  ArenaPair,
  ArenaProgress,
  ArenaRanking,
  CreateArenaRequest,
  Vote,
} from "../../supabase/functions/_shared/contracts/arenas.ts";
