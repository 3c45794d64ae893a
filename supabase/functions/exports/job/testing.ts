/**
 * Runs an `export` job without the worker, against the handler contract
 * (_shared/jobs/handler.ts): every claim is a fresh context holding the last
 * saved checkpoint, as a new worker invocation would have; the budget lets
 * each claim run a given number of steps, so tests can force many slices.
 *
 * @module
 */
import type {
  ClaimedJob,
  JobContext,
  JobHandler,
  JobJson,
  SliceOutcome,
} from "../../_shared/jobs/handler.ts";
import type { ExportPayload } from "./handler.ts";

/** A job held by {@link claimLoop}: what its checkpoint is after every save. */
export interface FakeJob {
  id: string;
  userId: string;
  payload: ExportPayload;
  checkpoint: JobJson | null;
  saves: number;
  claims: number;
  /** Answers a checkpoint's cancel question (the saves so far). */
  cancelAt?: (saves: number) => boolean;
}

/** A context for one claim of `job`, whose budget allows `checks` passes. */
export function claimOf(job: FakeJob, checks: number): JobContext {
  job.claims += 1;
  const claimed: ClaimedJob = {
    id: job.id,
    userId: job.userId,
    kind: "export",
    payload: job.payload as unknown as JobJson,
    checkpoint: job.checkpoint === null ? null : structuredClone(job.checkpoint),
    progress: { total: null, done: 0, skipped: 0, skippedByReason: {} },
    attempt: job.claims,
    maxAttempts: 100,
    correlationId: crypto.randomUUID(),
    leaseToken: crypto.randomUUID(),
  };
  let left = checks;
  const save = (state: JobJson) => {
    job.checkpoint = JSON.parse(JSON.stringify(state));
    job.saves += 1;
    return Promise.resolve({ cancelRequested: job.cancelAt?.(job.saves) ?? false });
  };
  return {
    job: claimed,
    caller: {
      claims: { sub: job.userId, role: "authenticated", aud: "authenticated" },
      correlationId: claimed.correlationId,
    },
    budget: { exhausted: () => left-- <= 0, remainingMs: () => (left > 0 ? 1000 : 0) },
    checkpoint: (_tx, state) => save(state),
    saveCheckpoint: (state) => save(state),
  };
}

/**
 * Claims `job` again and again until it ends, running slices while each
 * claim's budget lasts; a slice that throws is a failed attempt, retried by
 * the next claim (after `onError` has seen it).
 */
export async function claimLoop(
  handler: JobHandler,
  job: FakeJob,
  options: { checks: number; maxClaims?: number; onError?: (error: unknown) => void },
): Promise<SliceOutcome> {
  for (let claim = 0; claim < (options.maxClaims ?? 10_000); claim++) {
    const context = claimOf(job, options.checks);
    try {
      for (;;) {
        const outcome = await handler.runSlice(context);
        if (outcome.kind !== "continue") return outcome;
        if (context.budget.exhausted()) break;
      }
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(error);
    }
  }
  throw new Error(`The job did not end within ${options.maxClaims} claims`);
}
