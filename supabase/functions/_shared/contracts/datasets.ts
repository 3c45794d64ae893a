/**
 * Request shapes of the datasets API, shared with the client SDK. Imports
 * only from "zod".
 *
 * @module
 */
import { z } from "zod";

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
