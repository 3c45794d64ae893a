/**
 * The job a request started, as the functions that start background work
 * answer it (202): enough to follow it with `lab.jobs.wait(id)` or the
 * Realtime topic `job:<id>`. Imports only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** A job just created (or the one already working). */
export const jobRefSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
});

/** A job just created. */
export type JobRef = z.infer<typeof jobRefSchema>;
