/**
 * The live feeds' topics and message shapes, shared with the client SDK and
 * named the same way in the 20261202004000_live_feeds migration. Each feed
 * is a private Realtime Broadcast channel; triggers send to it. Imports
 * only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** Private topics of the live feeds. */
export const liveTopics = {
  /** Every insert/update/delete of one user's experiments. */
  experiments: (userId: string) => `experiments:${userId}`,
  /** Every change of one user's analytics summaries. */
  analytics: (userId: string) => `analytics:${userId}`,
  /** The progress of one job (today: an export). */
  job: (jobId: string) => `job:${jobId}`,
} as const;

/** What `realtime.broadcast_changes` sends (events INSERT, UPDATE, DELETE). */
export const rowChangeMessageSchema = z.object({
  operation: z.enum(["INSERT", "UPDATE", "DELETE"]),
  schema: z.string(),
  table: z.string(),
  record: z.record(z.string(), z.unknown()).nullable(),
  old_record: z.record(z.string(), z.unknown()).nullable(),
});

/** A row change as broadcast. */
export type RowChangeMessage = z.infer<typeof rowChangeMessageSchema>;

/**
 * A job's state as its `progress` event carries it: from the job table
 * (queued, running, succeeded, failed, cancelled, with counts), or from an
 * export row (pending, running, completed, failed).
 */
export const jobProgressSchema = z.object({
  job_id: z.string(),
  kind: z.string(),
  status: z.enum(["pending", "queued", "running", "completed", "succeeded", "failed", "cancelled"]),
  /** 0..1 when known, null while running without a measure. */
  progress: z.number().min(0).max(1).nullable(),
  /** Steps done, skipped and in all (jobs only; total null while unknown). */
  done: z.number().optional(),
  skipped: z.number().optional(),
  total: z.number().nullable().optional(),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  updated_at: z.string(),
});

/** A job's progress event. */
export type JobProgress = z.infer<typeof jobProgressSchema>;
