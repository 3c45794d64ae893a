/**
 * Request and answer shapes of the datasets API, shared with the client
 * SDK. Imports only from "zod" and `./job_ref.ts`.
 *
 * @module
 */
import { z } from "zod";
import { jobRefSchema } from "./job_ref.ts";

/** `:id` of `/datasets/:id/versions` and `:versionId` of `/datasets/versions/:versionId/ingest`. */
export const datasetIdParamsSchema = z.object({
  id: z.uuid({ error: "Dataset id must be a UUID" }),
});

/** `:versionId` of `POST /datasets/versions/:versionId/ingest`. */
export const datasetVersionParamsSchema = z.object({
  versionId: z.uuid({ error: "Dataset version id must be a UUID" }),
});

/**
 * Body of `POST /datasets/:id/versions`: the uploaded CSV's path in the
 * `datasets` bucket (under your own folder), its delimiter, and optionally
 * which column becomes which template variable.
 */
export const createDatasetVersionSchema = z.object({
  path: z.string().min(3).max(1024).refine((path) => !path.includes(".."), {
    error: "Path must not contain ..",
  }),
  delimiter: z.string().length(1).refine((d) => !['"', "\n", "\r"].includes(d), {
    error: "Delimiter must be one character other than a quote or a line break",
  }).optional(),
  columnMap: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "Variable names are identifiers" }),
    z.string().min(1).max(200),
  ).optional(),
}).strict();

/** Body of `POST /datasets/:id/versions`. */
export type CreateDatasetVersionRequest = z.infer<typeof createDatasetVersionSchema>;

/** Why a row was skipped. */
export const skipReasonSchema = z.enum([
  "empty",
  "duplicate",
  "too_long",
  "missing_column",
  "malformed",
]);

/** A `dataset_versions` row, as the datasets function answers it and the Data API reads it. */
export const datasetVersionSchema = z.object({
  id: z.uuid(),
  dataset_id: z.uuid(),
  user_id: z.uuid(),
  version: z.int(),
  source_path: z.string(),
  delimiter: z.string(),
  column_map: z.record(z.string(), z.string()).nullable(),
  /** `failed` and `cancelled` versions may be resumed. */
  status: z.enum(["pending", "running", "completed", "failed", "cancelled"]),
  columns: z.array(z.string()).nullable(),
  /** The last line whose rows are stored. */
  checkpoint_line: z.int(),
  saved_count: z.int(),
  skipped_count: z.int(),
  skipped_by_reason: z.partialRecord(skipReasonSchema, z.int()),
  error: z.string().nullable(),
  correlation_id: z.uuid().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** A dataset version and its ingest's progress. */
export type DatasetVersionRow = z.infer<typeof datasetVersionSchema>;

/** The answer of `POST /datasets/:id/versions` and of a resumed ingest (202): the version and its job. */
export const datasetIngestStartedSchema = z.object({
  version: datasetVersionSchema,
  /** Null when there is nothing to do (the version is completed). */
  job: jobRefSchema.nullable(),
});

/** The version and its ingest job. */
export type DatasetIngestStarted = z.infer<typeof datasetIngestStartedSchema>;
