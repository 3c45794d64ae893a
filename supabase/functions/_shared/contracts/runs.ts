/**
 * Request and answer shapes of the batch runs API, shared with the client
 * SDK. Imports only from "zod", `./generate.ts`, `./job_ref.ts` and
 * `../lab/parameters.ts`.
 *
 * @module
 */
import { z } from "zod";
import { parameterSetSchema } from "../lab/parameters.ts";
import { MAX_SEED, RESPONSE_COUNT, templateRefSchema } from "./generate.ts";
import { jobRefSchema } from "./job_ref.ts";

/** `:id` of `/runs/:id/...`. */
export const runIdParamsSchema = z.object({ id: z.uuid({ error: "Run id must be a UUID" }) });

/**
 * Body of `POST /runs`: a template version (by id, or a template reference
 * with a version or label), a completed dataset version, a calibration (its
 * ranges spread every item's responses) or an explicit parameter set (else
 * the version's default parameters), responses per item, and optionally a
 * seed, the concurrency and a name.
 */
export const createRunSchema = z.object({
  templateVersionId: z.uuid().optional(),
  template: templateRefSchema.optional(),
  datasetVersionId: z.uuid({ error: "Dataset version id must be a UUID" }),
  calibrationId: z.uuid().optional(),
  parameters: parameterSetSchema.optional(),
  responsesPerItem: z.int().min(RESPONSE_COUNT.min).max(RESPONSE_COUNT.max).default(1),
  seed: z.int().min(0).max(MAX_SEED).optional(),
  concurrency: z.int().min(1).max(32).default(8),
  name: z.string().min(1).max(200).optional(),
}).strict().superRefine((body, ctx) => {
  if ((body.templateVersionId === undefined) === (body.template === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["templateVersionId"],
      message: "Give exactly one of templateVersionId or template",
    });
  }
  if (body.calibrationId !== undefined && body.parameters !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["parameters"],
      message: "Give a calibration or parameters, not both",
    });
  }
});

/** Body of `POST /runs` as sent. */
export type CreateRunRequest = z.input<typeof createRunSchema>;

/** A run's status: `failed` and `cancelled` runs may be resumed. */
export const batchRunStatusSchema = z.enum([
  "pending",
  "running",
  "completed",
  "failed",
  "cancelled",
]);

/** A `batch_runs` row, as the runs function answers it and the Data API reads it. */
export const batchRunSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string().nullable(),
  template_version_id: z.uuid(),
  dataset_version_id: z.uuid(),
  calibration_id: z.uuid().nullable(),
  parameters: parameterSetSchema.nullable(),
  responses_per_item: z.int(),
  model: z.string(),
  seed: z.int(),
  concurrency: z.int(),
  status: batchRunStatusSchema,
  total_results: z.int(),
  succeeded_count: z.int(),
  failed_count: z.int(),
  /** Sum of the priced results' costs; incomplete while `unpriced_results` > 0. */
  cost_usd: z.number(),
  unpriced_results: z.int(),
  error: z.string().nullable(),
  correlation_id: z.uuid().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** A batch run. */
export type BatchRunRow = z.infer<typeof batchRunSchema>;

const meanScoresSchema = z.object({
  creativity: z.number(),
  coherence: z.number(),
  structure: z.number(),
  completeness: z.number(),
});

/** The figures of a run's summary, for all its results or one bin. */
export const runFiguresSchema = z.object({
  results: z.int(),
  succeeded: z.int(),
  failed: z.int(),
  /** Not yet answered (pending or claimed). */
  pending: z.int(),
  /** Null while any succeeded result is unpriced: unknown, never 0. */
  costUsd: z.number().nullable(),
  knownCostUsd: z.number(),
  unpricedResults: z.int(),
  meanLatencyMs: z.number().nullable(),
  p50LatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  meanScores: meanScoresSchema.nullable(),
  /** Failed results per error code. */
  failuresByCode: z.record(z.string(), z.int()),
});

/** What `public.batch_run_summary` answers: totals and per-bin figures of one run. */
export const runSummarySchema = z.object({
  runId: z.uuid(),
  status: batchRunStatusSchema,
  model: z.string(),
  template: z.object({
    id: z.uuid(),
    templateId: z.uuid(),
    name: z.string(),
    version: z.int(),
  }),
  parameter: z.enum(["temperature", "top_p", "max_tokens", "frequency_penalty"]),
  bins: z.int(),
  totals: runFiguresSchema,
  byBin: z.array(runFiguresSchema.extend({
    bin: z.int(),
    from: z.number().nullable(),
    to: z.number().nullable(),
  })),
});

/** A run's summary. */
export type RunSummary = z.infer<typeof runSummarySchema>;

/** The answer of `POST /runs` and of a resume (202): the run and the job working it. */
export const runStartedSchema = z.object({
  run: batchRunSchema,
  /** Null when there is nothing to do (the run is completed). */
  job: jobRefSchema.nullable(),
});

/** The run and its job. */
export type RunStarted = z.infer<typeof runStartedSchema>;
