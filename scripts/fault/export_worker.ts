/**
 * LOCAL STACK: a worker process for the fault tests — the jobs runner with
 * the export handler, tiny pages and appends so an export takes many steps,
 * working ready jobs until told to stop (the test kills it with SIGKILL).
 * Prints `ready` once its database pool is up. Environment: the worker's
 * (SUPABASE_URL, SUPABASE_DB_URL, SUPABASE_SERVICE_ROLE_KEY, LAB_JOB_LEASE_SECONDS).
 *
 * @module
 */
import { readEnv } from "../../supabase/functions/_shared/env.ts";
import { startBudget } from "../../supabase/functions/_shared/jobs/budget.ts";
import { runnerOptionsOf } from "../../supabase/functions/_shared/jobs/env.ts";
import { createJobRunner, workJobs } from "../../supabase/functions/_shared/jobs/runner.ts";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { exportJobDepsOf, exportJobHandler } from "../../supabase/functions/exports/job/handler.ts";
import { workerEnvSchema } from "../../supabase/functions/worker/env.ts";
import { PAGE } from "../../supabase/functions/exports/job/testing.ts";

const env = readEnv(workerEnvSchema, Deno.env.toObject());
const db = createDatabase(env.SUPABASE_DB_URL, { max: 2 });
// The same page size as the test's uninterrupted run: the job keeps the one it started with.
const handler = exportJobHandler({ ...exportJobDepsOf(db, env), pageSize: PAGE, appendBytes: 400 });
const runner = createJobRunner(db, [handler], runnerOptionsOf(env));
await db.asService({}, (tx) => tx`select 1`);
console.log("ready");
for (;;) {
  const summary = await workJobs(runner, startBudget({ wallMs: 60_000, cpuMs: 60_000 }));
  if (summary.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
