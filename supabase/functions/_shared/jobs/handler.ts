/**
 * What a kind of background job implements, and what the worker hands it.
 * A job's work is done in slices: the worker claims the job (a lease),
 * calls {@link JobHandler.runSlice} with a budget, and the handler stops
 * before the budget runs out, having saved its state with
 * {@link JobContext.checkpoint} in the same transaction as the work that
 * state records. A crash or a lost lease therefore resumes from the last
 * committed checkpoint: no step is done twice or lost.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { Tx } from "../db/client.ts";

/** A job's life: `queued → running → succeeded | failed | cancelled` (running ⇄ queued between slices). */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** JSON as a job stores it (payload, checkpoint, result). */
export type JobJson =
  | string
  | number
  | boolean
  | null
  | readonly JobJson[]
  | { readonly [key: string]: JobJson | undefined };

/** How far a job has got; `total` is null while unknown. */
export interface JobProgress {
  total: number | null;
  done: number;
  skipped: number;
  /** Skips counted per reason, e.g. `{ "duplicate": 3 }`. */
  skippedByReason: Record<string, number>;
}

/** A job as the worker holds it while its lease lasts. */
export interface ClaimedJob {
  id: string;
  userId: string;
  kind: string;
  /** What the job was created with; fixed for its life. */
  payload: JobJson;
  /** The handler's state at the last checkpoint (kept current as checkpoints are saved); null before the first. */
  checkpoint: JobJson | null;
  progress: JobProgress;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  correlationId: string;
  /** Secret of this lease: checkpoints are accepted only with it. */
  leaseToken: string;
}

/**
 * When a slice must stop: checked between steps, never mid-step, and only
 * after the slice's first step, so a job always advances however little of
 * the invocation's budget is left when its slice starts.
 */
export interface SliceBudget {
  /** True once the slice's wall or CPU budget is used up. */
  exhausted(): boolean;
  /** Milliseconds of wall time left (never negative). */
  remainingMs(): number;
}

/** What a checkpoint answers. */
export interface CheckpointAnswer {
  /** The owner asked to cancel: stop and return `{ kind: "cancelled" }` (the runner cleans up). */
  cancelRequested: boolean;
}

/** What a slice is given. */
export interface JobContext {
  job: ClaimedJob;
  /** The job's owner, with the job's correlation id: work runs as them, under RLS. */
  caller: DbCaller;
  budget: SliceBudget;
  /**
   * Saves `state` (and progress) in `tx`, the transaction of the work it
   * records, and renews the lease. Throws {@link JobLeaseLost} when the lease
   * has passed to another worker, so the work rolls back with it.
   */
  checkpoint(
    tx: Tx,
    state: JobJson,
    progress?: Partial<JobProgress>,
  ): Promise<CheckpointAnswer>;
  /** {@link checkpoint} in a transaction of its own, for work that is not in the database (an upload). */
  saveCheckpoint(state: JobJson, progress?: Partial<JobProgress>): Promise<CheckpointAnswer>;
}

/** How a slice ended. */
export type SliceOutcome =
  /** More to do: the job goes back to the queue (or on in this invocation) from its checkpoint. */
  | { kind: "continue" }
  | { kind: "succeeded"; result: JobJson }
  /** The handler saw a cancel request and stopped; the runner then calls {@link JobHandler.cleanUp}. */
  | { kind: "cancelled" };

/** One kind of job. A slice that throws is an attempt that failed (retried with backoff). */
export interface JobHandler {
  kind: string;
  runSlice(context: JobContext): Promise<SliceOutcome>;
  /**
   * Undoes what a job that ends failed or cancelled leaves behind (a
   * half-written upload, a row in `running`). Called by the runner before
   * it ends the job, under the job's lease; a crash may call it again, so
   * it must be idempotent.
   */
  cleanUp?(
    context: Omit<JobContext, "budget">,
    reason: "failed" | "cancelled",
    error?: string,
  ): Promise<void>;
}

/** The lease was lost (expired and claimed by another worker): the slice's work must not commit. */
export class JobLeaseLost extends Error {
  override name = "JobLeaseLost";
  constructor(jobId: string) {
    super(`Job ${jobId}: the lease passed to another worker`);
  }
}

/** Thrown by a slice for a failure that retrying cannot fix: the job fails at once. */
export class JobFatalError extends Error {
  override name = "JobFatalError";
}
