/**
 * Request and response shapes of the exports API, shared with the client
 * SDK. Imports only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** The most experiment ids one request may select. */
export const MAX_SELECTED_IDS = 10_000;

/** Version of the export files' layout (CSV columns, JSON shape, ZIP package). */
export const EXPORT_FORMAT_VERSION = 1;

/** `csv` (one row per response), `json` (experiments with nested responses) or `zip` (the reproducibility package). */
export const exportFormatSchema = z.enum(["csv", "json", "zip"]);

/** An export's file format. */
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** An export job's status: pending -> running -> completed | failed. */
export const exportStatusSchema = z.enum(["pending", "running", "completed", "failed"]);

/** An export job's status. */
export type ExportStatus = z.infer<typeof exportStatusSchema>;

const timestamp = z.iso.datetime({ offset: true });

const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * A filter bound: an ISO timestamp whose instant, in UTC, lies in the years
 * 0001-9999, which PostgreSQL can store and which keeps its ISO form (there
 * is no year 0000, and `9999-12-31T23:59:59-14:00` is already in year 10000).
 */
const filterTimestamp = timestamp.refine((value) => {
  const instant = Date.parse(value);
  return instant >= EARLIEST && instant <= LATEST;
}, { error: "Dates must fall between 0001-01-01 and 9999-12-31 (UTC)" });

/**
 * Which of the caller's experiments to export. Every given condition must hold.
 * `from` is inclusive and `to` exclusive, on the experiment's `created_at`.
 * Discarded experiments are left out unless `includeDiscarded` is true; when
 * `selectedIds` are given, it defaults to true (an explicit choice wins).
 */
export const exportFilterSchema = z
  .strictObject({
    calibrationId: z.uuid().optional(),
    /** The experiments a completed batch run made, one per item. */
    runId: z.uuid().optional(),
    saved: z.boolean().optional(),
    includeDiscarded: z.boolean().optional(),
    from: filterTimestamp.optional(),
    to: filterTimestamp.optional(),
  })
  .refine(
    (f) => f.from === undefined || f.to === undefined || Date.parse(f.from) < Date.parse(f.to),
    {
      error: "The filter's from must be before its to",
      path: ["from"],
    },
  );

/** Which of the caller's experiments to export. */
export type ExportFilter = z.infer<typeof exportFilterSchema>;

/** Body of `POST /exports`. Without `selectedIds` and `filter`, every experiment that is not discarded. */
export const createExportSchema = z.strictObject({
  format: exportFormatSchema,
  selectedIds: z.array(z.uuid()).min(1).max(MAX_SELECTED_IDS).optional(),
  filter: exportFilterSchema.optional(),
});

/** Body of `POST /exports`. */
export type CreateExportRequest = z.infer<typeof createExportSchema>;

/** Path parameters of `GET /exports/:id`. */
export const exportIdParamsSchema = z.object({ id: z.uuid() });

/** Response data of `POST /exports` (201): the stored file behind a signed link. */
export const exportResultSchema = z.object({
  id: z.uuid(),
  format: exportFormatSchema,
  status: z.literal("completed"),
  experimentCount: z.number().int().nonnegative(),
  responseCount: z.number().int().nonnegative(),
  byteSize: z.number().int().nonnegative(),
  /** Signed download URL; works without any header until `expiresAt`. */
  url: z.url(),
  expiresAt: timestamp,
});

/** Response data of `POST /exports`. */
export type ExportResult = z.infer<typeof exportResultSchema>;

/** The job that builds an export (its id is the export's), as the export's owner sees it. */
export const exportJobSchema = z.object({
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  /** Experiments done and in all (the file's passes over them, counted once). */
  progress: z.object({
    done: z.number().nonnegative(),
    total: z.number().nonnegative().nullable(),
  }),
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  /** The last failed attempt's reason (no internals). */
  error: z.string().nullable(),
  cancelRequested: z.boolean(),
});

/** The job that builds an export. */
export type ExportJob = z.infer<typeof exportJobSchema>;

/**
 * Response data of `GET /exports/:id`, and of `POST /exports` when it
 * answers 202: the export, with a fresh signed URL once completed, and its job.
 */
export const exportDetailsSchema = z.object({
  id: z.uuid(),
  format: exportFormatSchema,
  status: exportStatusSchema,
  experimentCount: z.number().int().nonnegative().nullable(),
  responseCount: z.number().int().nonnegative().nullable(),
  byteSize: z.number().int().nonnegative().nullable(),
  url: z.url().nullable(),
  expiresAt: timestamp.nullable(),
  /** Why the export failed (no internals); null otherwise. */
  error: z.string().nullable(),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
  /** Null for an export made before exports ran as jobs. */
  job: exportJobSchema.nullable(),
});

/** Response data of `GET /exports/:id`. */
export type ExportDetails = z.infer<typeof exportDetailsSchema>;

/** Path parameters of `POST /exports/arenas/:arenaId`. */
export const arenaExportParamsSchema = z.object({ arenaId: z.uuid() });

/** Response data of `POST /exports/arenas/:arenaId` (201): the arena package behind a signed link. */
export const arenaExportResultSchema = z.object({
  id: z.uuid(),
  arenaId: z.uuid(),
  byteSize: z.number().int().nonnegative(),
  /** SHA-256 (hex) of the ZIP. */
  sha256: z.string(),
  votes: z.number().int().nonnegative(),
  judgeVerdicts: z.number().int().nonnegative(),
  /** Signed download URL; works without any header until `expiresAt`. */
  url: z.url(),
  expiresAt: timestamp,
});

/** Response data of `POST /exports/arenas/:arenaId`. */
export type ArenaExportResult = z.infer<typeof arenaExportResultSchema>;
