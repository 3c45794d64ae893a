/**
 * The job table as the features use it: create a job in the owner's
 * transaction, read what the owner may see. Claiming, checkpointing and
 * settling belong to the worker (runner.ts).
 *
 * @module
 */
import type postgres from "postgres";
import type { Tx } from "../db/client.ts";
import type { JobJson, JobProgress, JobStatus } from "./handler.ts";

/** A new job. */
export interface NewJob {
  kind: string;
  /** What the job works on; fixed for its life. */
  payload: JobJson;
  /** Reuse a feature row's id as the job's (an export's job has the export's id). */
  id?: string;
  /** Steps in all, when known at creation. */
  total?: number | null;
  /** Failed attempts before the job fails for good (default 5). */
  maxAttempts?: number;
}

/** A job as its owner sees it (never its checkpoint or lease). */
export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  progress: JobProgress;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  result: JobJson | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Creates a queued job in `tx` — the owner's transaction (`db.withUser`),
 * so the job commits with the rows that need it or not at all. Call
 * `wakeWorker` after the commit so the work starts at once.
 *
 * @example
 * const { id } = await db.withUser(caller, (tx) => enqueueJob(tx, { kind: "export", payload: { format }, id: exportId }));
 */
export async function enqueueJob(tx: Tx, job: NewJob): Promise<{ id: string }> {
  const [row] = await tx<{ id: string }[]>`
    select private.enqueue_job(
      ${job.kind}, ${tx.json(job.payload as postgres.JSONValue)}, ${job.id ?? null}::uuid,
      ${job.total ?? null}::bigint, ${job.maxAttempts ?? 5}::integer) as id`;
  return row;
}

/** The columns of a {@link JobView}, as SQL reads them. */
const VIEW_COLUMNS =
  `id, kind, status, progress_total::float8 as total, progress_done::float8 as done,
  progress_skipped::float8 as skipped, skipped_by_reason, attempts, max_attempts, error, result,
  cancel_requested_at is not null as cancel_requested, created_at, started_at, finished_at`;

interface ViewRow {
  id: string;
  kind: string;
  status: JobStatus;
  total: number | null;
  done: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  attempts: number;
  max_attempts: number;
  error: string | null;
  result: JobJson | null;
  cancel_requested: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/**
 * The job as the caller of `tx` may see it (RLS: the owner, or an admin), or null.
 *
 * @example
 * const job = await db.withUser(caller, (tx) => readJob(tx, id));
 */
export async function readJob(tx: Tx, id: string): Promise<JobView | null> {
  const [row] = await tx.unsafe<ViewRow[]>(
    `select ${VIEW_COLUMNS} from public.jobs where id = $1`,
    [id],
  );
  return row ? toView(row) : null;
}

function toView(row: ViewRow): JobView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: {
      total: row.total,
      done: row.done,
      skipped: row.skipped,
      skippedByReason: row.skipped_by_reason,
    },
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    error: row.error,
    result: row.result,
    cancelRequested: row.cancel_requested,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
