/**
 * Test helpers for job kinds: work one job slice after slice (a new claim
 * for each, as separate worker invocations would), so a handler's
 * multi-invocation behaviour can be forced with a tiny budget.
 *
 * @module
 */
import type { Database } from "../db/client.ts";
import { startBudget } from "./budget.ts";
import type { JobHandler, JobStatus } from "./handler.ts";
import { createJobRunner, runJobInline, type RunnerOptions } from "./runner.ts";

/** Options of {@link runJobToEnd}. */
export interface RunToEndOptions {
  /** Wall budget of each slice (default 1 ms: one step per invocation). */
  sliceBudgetMs?: number;
  /** Give up after this many invocations (default 10 000). */
  maxSlices?: number;
  runner?: Partial<RunnerOptions>;
}

/**
 * Works job `jobId` until it ends, one invocation per claim; resolves with
 * its final status and how many invocations it took.
 *
 * @example
 * const { status, invocations } = await runJobToEnd(db, [exportJobHandler(deps)], exportId, { sliceBudgetMs: 1 });
 */
export async function runJobToEnd(
  db: Database,
  handlers: readonly JobHandler[],
  jobId: string,
  options: RunToEndOptions = {},
): Promise<{ status: JobStatus; invocations: number }> {
  const runner = createJobRunner(db, handlers, {
    backoff: { baseMs: 1, maxMs: 1 },
    userCap: 1_000,
    ...options.runner,
  });
  const limit = options.maxSlices ?? 10_000;
  for (let invocations = 1; invocations <= limit; invocations++) {
    const budget = startBudget({
      wallMs: options.sliceBudgetMs ?? 1,
      cpuMs: Number.MAX_SAFE_INTEGER,
    });
    const status = await runJobInline(runner, jobId, budget);
    if (status === "succeeded" || status === "failed" || status === "cancelled") {
      return { status, invocations };
    }
    if (status !== null) continue;
    const [row] = await db.asService({}, (tx) =>
      tx<{ status: JobStatus }[]>`
      select status from public.jobs where id = ${jobId}`);
    if (row?.status === "succeeded" || row?.status === "failed" || row?.status === "cancelled") {
      return { status: row.status, invocations };
    }
    // Not claimable yet (a retry's backoff, a lapsed lease still held): wait a moment.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Job ${jobId} did not end within ${limit} invocations`);
}
