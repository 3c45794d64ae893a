/**
 * FAULT TESTS: a worker process of its own, to be killed with SIGKILL
 * mid-job. Works job `Deno.args[0]` (kind `fault_steps`) with a lease of
 * LAB_JOB_LEASE_SECONDS until it ends or the process dies.
 */
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { startBudget } from "../../supabase/functions/_shared/jobs/budget.ts";
import { createJobRunner, runJobInline } from "../../supabase/functions/_shared/jobs/runner.ts";
import { stepsHandler } from "../../supabase/functions/_shared/jobs/test_steps.ts";

const db = createDatabase(Deno.env.get("LAB_TEST_DATABASE_URL") ?? "", { max: 2 });
const runner = createJobRunner(db, [stepsHandler(db, { kind: "fault_steps" })], {
  leaseSeconds: Number(Deno.env.get("LAB_JOB_LEASE_SECONDS") ?? "1"),
});
console.log(
  await runJobInline(runner, Deno.args[0], startBudget({ wallMs: 600_000, cpuMs: 600_000 })),
);
await db.end();
