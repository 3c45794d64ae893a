/**
 * The worker function: claims ready jobs and works them in slices within
 * one invocation's budget (LAB_WORKER_WALL_MS, LAB_WORKER_CPU_MS — well
 * inside the hosted 150 s wall and 2 s CPU), then hands what is left back
 * to the queue and calls itself again, so long work crosses invocations.
 *
 * - `POST /worker` — service role only. Answers 202 at once and works in
 *   the background (EdgeRuntime.waitUntil on Supabase), so a caller that
 *   just woke it, or Cron's pg_net call, is not held.
 * - `POST /worker?wait=true` — works first and answers 200 with what this
 *   invocation did (claimed, succeeded, failed, cancelled, handed on, retried).
 *
 * @module
 */
import { requireServiceRole } from "../_shared/auth/service_role.ts";
import { runInBackground } from "../_shared/background.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { startBudget } from "../_shared/jobs/budget.ts";
import type { JobHandler } from "../_shared/jobs/handler.ts";
import { runnerOptionsOf, workerBudgetOf } from "../_shared/jobs/env.ts";
import { createJobRunner, workJobs, type WorkSummary } from "../_shared/jobs/runner.ts";
import { wakeWorker } from "../_shared/jobs/wake.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { type WorkerEnv, workerEnvSchema } from "./env.ts";
import { jobHandlers } from "./handlers.ts";

/**
 * The worker Hono app (`options.handlers` replaces the registered kinds, for tests).
 *
 * @example
 * Deno.serve(createWorkerApp(runtime).fetch);
 */
export function createWorkerApp(
  runtime: Runtime<WorkerEnv>,
  options: { handlers?: JobHandler[] } = {},
) {
  const { env, verifier } = runtime;
  const handlers = options.handlers ?? jobHandlers(runtime);
  const runner = createJobRunner(runtime.db, handlers, runnerOptionsOf(env));
  const app = createFunctionApp("worker", runtime.appDeps);

  /** One invocation's work; with work left over, the next invocation is started at once. */
  const work = async (): Promise<WorkSummary> => {
    const summary = await workJobs(runner, startBudget(workerBudgetOf(env)));
    if (summary.handedOn > 0) wakeWorker(env);
    return summary;
  };

  app.post("/", requireServiceRole({ verifier }), async (c) => {
    if (c.req.query("wait") === "true") return ok(c, await work());
    runInBackground(work, { label: "work jobs" });
    return ok(c, { accepted: true }, 202);
  });

  return app;
}

/** The worker function, for `startFunction`. */
export const worker: FunctionModule<WorkerEnv> = {
  name: "worker",
  envSchema: workerEnvSchema,
  createApp: (runtime) => createWorkerApp(runtime),
};
