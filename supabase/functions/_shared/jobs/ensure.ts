/**
 * Starting a job for one row of a feature (a dataset version, a batch run)
 * at most once at a time: the job already queued or running for it, or a
 * new one. Two requests that resume the same row at once get the same job.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { JobRef } from "../contracts/job_ref.ts";
import type { Database } from "../db/client.ts";
import { enqueueJob, type NewJob } from "./queue.ts";

/** A job for the row whose id is `payload[rowKey]`. */
export interface RowJob extends NewJob {
  /** The payload field naming the row, e.g. `runId`. */
  rowKey: string;
  rowId: string;
}

/**
 * The caller's job of `job.kind` queued or running for the row, or a new
 * one enqueued in the same transaction. Call `wakeWorker` afterwards.
 *
 * @example
 * const job = await ensureJob(db, caller, { kind: "batch_run", payload: { runId }, rowKey: "runId", rowId: runId });
 * wakeWorker(env);
 */
export function ensureJob(db: Database, caller: DbCaller, job: RowJob): Promise<JobRef> {
  const { rowKey, rowId, ...queued } = job;
  return db.withUser(caller, async (tx) => {
    // Serialises two requests for the same row: the second sees the first's job.
    await tx`select pg_advisory_xact_lock(hashtextextended(${job.kind + ":" + rowId}, 0))`;
    const [active] = await tx<JobRef[]>`
      select id, kind, status from public.jobs
       where kind = ${job.kind} and payload ->> ${rowKey} = ${rowId} and status in ('queued', 'running')
       order by created_at desc limit 1`;
    if (active) return active;
    const { id } = await enqueueJob(tx, queued);
    return { id, kind: job.kind, status: "queued" };
  });
}
