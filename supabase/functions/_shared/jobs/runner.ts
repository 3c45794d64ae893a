/**
 * The worker's loop: claim a job (one statement, private.claim_job), run
 * its handler's slices while the invocation's budget lasts, and settle the
 * lease — succeeded, failed, cancelled, handed back to the queue for the
 * rest of the work, or retried after an exponential backoff. A slice that
 * throws is one failed attempt of that job only: the loop goes on with the
 * next job, so a poison job never blocks the others.
 *
 * @module
 */
import type postgres from "postgres";
import type { CallArgument, Database, Tx } from "../db/client.ts";
import { HttpError } from "../errors.ts";
import {
  type CheckpointAnswer,
  type ClaimedJob,
  type JobContext,
  JobFatalError,
  type JobHandler,
  type JobJson,
  JobLeaseLost,
  type JobProgress,
  type JobStatus,
  type SliceBudget,
} from "./handler.ts";

/** How the runner claims and retries. */
export interface RunnerOptions {
  /** How long a claim (and each checkpoint) holds a job: longer than any slice. */
  leaseSeconds: number;
  /** Live leases one user may hold at once. */
  userCap: number;
  /** Retry n waits `min(maxMs, baseMs × 2^(n-1))`. */
  backoff: { baseMs: number; maxMs: number };
}

/** Defaults: a minute's lease (slices stop after 30 s), two jobs per user at once. */
export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  leaseSeconds: 60,
  userCap: 2,
  backoff: { baseMs: 2_000, maxMs: 600_000 },
};

/** The handlers a worker knows and how it claims. */
export interface JobRunner {
  db: Database;
  handlers: ReadonlyMap<string, JobHandler>;
  options: RunnerOptions;
}

/**
 * A runner over `handlers`.
 *
 * @example
 * const runner = createJobRunner(db, [exportJobHandler(deps)], { userCap: 2 });
 */
export function createJobRunner(
  db: Database,
  handlers: readonly JobHandler[],
  options: Partial<RunnerOptions> = {},
): JobRunner {
  return {
    db,
    handlers: new Map(handlers.map((handler) => [handler.kind, handler])),
    options: { ...DEFAULT_RUNNER_OPTIONS, ...options },
  };
}

/** What one invocation did. */
export interface WorkSummary {
  claimed: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Jobs handed back with work left when the budget ran out. */
  handedOn: number;
  /** Attempts that failed and wait for a retry. */
  retried: number;
  /** Leases that passed to another worker mid-slice. */
  lost: number;
}

/** How one claimed job's lease ended. */
type Settled = "succeeded" | "failed" | "cancelled" | "handedOn" | "retried" | "lost";

/**
 * Claims and works jobs until none is ready or the budget is spent.
 *
 * @example
 * const summary = await workJobs(runner, startBudget(DEFAULT_BUDGET));
 * if (summary.handedOn > 0) wakeWorker(env);
 */
export async function workJobs(runner: JobRunner, budget: SliceBudget): Promise<WorkSummary> {
  const summary: WorkSummary = {
    claimed: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    handedOn: 0,
    retried: 0,
    lost: 0,
  };
  while (!budget.exhausted()) {
    const job = await claimJob(runner);
    if (!job) break;
    summary.claimed++;
    summary[await runClaimed(runner, job, budget)]++;
  }
  return summary;
}

/**
 * Claims job `jobId` now, if it is ready and its owner is under the cap,
 * and works it in this invocation while `budget` lasts (then it goes back
 * to the queue from its checkpoint). Resolves with the job's status
 * afterwards, or null when it could not be claimed.
 *
 * @example
 * const status = await runJobInline(runner, exportId, startBudget({ wallMs: 2_000, cpuMs: 500 }));
 * return status === "succeeded" ? created(c, result) : accepted(c, pending);
 */
export async function runJobInline(
  runner: JobRunner,
  jobId: string,
  budget: SliceBudget,
): Promise<JobStatus | null> {
  const job = await claimJob(runner, jobId);
  if (!job) return null;
  const settled = await runClaimed(runner, job, budget);
  return settled === "succeeded" || settled === "failed" || settled === "cancelled"
    ? settled
    : settled === "lost"
    ? "running"
    : "queued";
}

/** The claimed row as `private.claim_job` returns it (JSON). */
interface ClaimRow {
  id: string;
  user_id: string;
  kind: string;
  payload: JobJson;
  checkpoint: JobJson | null;
  progress_total: number | null;
  progress_done: number;
  progress_skipped: number;
  skipped_by_reason: Record<string, number>;
  attempts: number;
  max_attempts: number;
  lease_token: string;
  correlation_id: string | null;
  cancel_requested_at: string | null;
}

/** A claimed job and whether its owner had asked to cancel it. */
interface Claim extends ClaimedJob {
  cancelRequested: boolean;
}

async function claimJob(runner: JobRunner, jobId: string | null = null): Promise<Claim | null> {
  const { leaseSeconds, userCap } = runner.options;
  const row = await runner.db.callAsLab<ClaimRow | null>("claim_job", {
    lease_seconds: leaseSeconds,
    user_cap: userCap,
    kinds: [...runner.handlers.keys()],
    job_id: jobId,
  });
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    payload: row.payload,
    checkpoint: row.checkpoint,
    progress: {
      total: row.progress_total,
      done: row.progress_done,
      skipped: row.progress_skipped,
      skippedByReason: row.skipped_by_reason,
    },
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    correlationId: row.correlation_id ?? row.id,
    leaseToken: row.lease_token,
    cancelRequested: row.cancel_requested_at !== null,
  };
}

/** Runs slices of a claimed job while the budget lasts, then settles its lease. */
async function runClaimed(runner: JobRunner, job: Claim, budget: SliceBudget): Promise<Settled> {
  const context = jobContext(runner, job, budget);
  // Claims are limited to the runner's kinds.
  const handler = runner.handlers.get(job.kind)!;
  if (job.attempt > job.maxAttempts) {
    return await fail(
      runner,
      context,
      handler,
      `Gave up after ${job.maxAttempts} attempts: the worker stopped before finishing`,
    );
  }
  if (job.cancelRequested) return await cancel(runner, context, handler);
  try {
    for (;;) {
      const outcome = await handler.runSlice(context);
      if (outcome.kind === "succeeded") {
        return await settle(runner, job, "succeeded", { result: outcome.result }, "succeeded");
      }
      if (outcome.kind === "cancelled") return await cancel(runner, context, handler);
      if (budget.exhausted()) return await settle(runner, job, "queued", {}, "handedOn");
    }
  } catch (error) {
    if (error instanceof JobLeaseLost) return "lost";
    const message = clientSafeMessage(error);
    console.error(`Job ${job.id} (${job.kind}) attempt ${job.attempt} failed: ${describe(error)}`);
    if (error instanceof JobFatalError || job.attempt >= job.maxAttempts) {
      return await fail(runner, context, handler, message);
    }
    const { baseMs, maxMs } = runner.options.backoff;
    const waitMs = Math.min(maxMs, baseMs * 2 ** (job.attempt - 1));
    return await settle(runner, job, "queued", {
      error: message,
      runAfter: new Date(Date.now() + waitMs),
    }, "retried");
  }
}

/** Cleans up after the job's last attempt and fails it with `error`. */
async function fail(
  runner: JobRunner,
  context: JobContext,
  handler: JobHandler,
  error: string,
): Promise<Settled> {
  await handler.cleanUp?.(context, "failed", error);
  return await settle(runner, context.job, "failed", { error }, "failed");
}

/** Cleans up a job whose owner asked to cancel it and ends it cancelled. */
async function cancel(
  runner: JobRunner,
  context: JobContext,
  handler: JobHandler,
): Promise<Settled> {
  await handler.cleanUp?.(context, "cancelled");
  return await settle(runner, context.job, "cancelled", {}, "cancelled");
}

async function settle(
  runner: JobRunner,
  job: ClaimedJob,
  status: "queued" | JobStatus,
  end: { result?: JobJson; error?: string; runAfter?: Date },
  settled: Settled,
): Promise<Settled> {
  const done = await runner.db.callAsLab<boolean>("settle_job", {
    job_id: job.id,
    lease_token: job.leaseToken,
    status,
    result: end.result === undefined ? null : end.result as CallArgument,
    error: end.error ?? null,
    run_after: end.runAfter?.toISOString() ?? null,
  });
  return done ? settled : "lost";
}

/** The context a handler works in: the owner as caller, checkpoints bound to this lease. */
function jobContext(runner: JobRunner, job: ClaimedJob, budget: SliceBudget): JobContext {
  const { db, options } = runner;
  const args = (state: JobJson, progress: Partial<JobProgress>) => ({
    job_id: job.id,
    lease_token: job.leaseToken,
    lease_seconds: options.leaseSeconds,
    checkpoint: state as CallArgument,
    done: progress.done ?? null,
    total: progress.total ?? null,
    skipped: progress.skipped ?? null,
    skipped_by_reason: progress.skippedByReason ?? null,
  });
  /** A lost lease throws; a saved checkpoint becomes the state the claim's next slice starts from. */
  const saved = (cancel: boolean | null, state: JobJson, progress: Partial<JobProgress>) => {
    if (cancel === null) throw new JobLeaseLost(job.id);
    Object.assign(job, { checkpoint: state, progress: { ...job.progress, ...progress } });
    return { cancelRequested: cancel };
  };
  const checkpoint = async (
    tx: Tx,
    state: JobJson,
    progress: Partial<JobProgress> = {},
  ): Promise<CheckpointAnswer> => {
    const a = args(state, progress);
    const [row] = await tx<{ cancel: boolean | null }[]>`
      select private.checkpoint_job(${a.job_id}, ${a.lease_token}, ${a.lease_seconds},
        ${tx.json(state as postgres.JSONValue)}, ${a.done}, ${a.total}, ${a.skipped},
        ${a.skipped_by_reason ? tx.json(a.skipped_by_reason) : null}) as cancel`;
    return saved(row.cancel, state, progress);
  };
  return {
    job,
    caller: {
      claims: { sub: job.userId, role: "authenticated", aud: "authenticated" },
      correlationId: job.correlationId,
    },
    budget,
    checkpoint,
    saveCheckpoint: async (state, progress = {}) =>
      saved(
        await db.callAsLab<boolean | null>("checkpoint_job", args(state, progress)),
        state,
        progress,
      ),
  };
}

/** An error the owner may read: lab errors as they are, anything else by name only. */
function clientSafeMessage(error: unknown): string {
  if (error instanceof HttpError || error instanceof JobFatalError) return error.message;
  return `The attempt failed (${describe(error)})`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${error.name} ${code}` : error.name;
}
