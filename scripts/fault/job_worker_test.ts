/**
 * FAULT TESTS of the job queue: a worker killed with SIGKILL mid-job (its
 * lease lapses and another worker finishes the job from the last
 * checkpoint), and a database connection dropped mid-slice (the slice is
 * redone from its checkpoint). Either way every step's work is committed
 * exactly once.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { enqueueJob } from "../../supabase/functions/_shared/jobs/queue.ts";
import { stepsHandler } from "../../supabase/functions/_shared/jobs/test_steps.ts";
import { runJobToEnd } from "../../supabase/functions/_shared/jobs/testing.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  withAdmin,
} from "../../supabase/functions/tests/harness.ts";

async function stepCounts(jobId: string): Promise<number[]> {
  const rows = await withAdmin((sql) =>
    sql<{ n: number }[]>`
      select count(*)::int as n from public.audit_logs
       where event_type = 'job_step' and event_data ->> 'job_id' = ${jobId}
       group by event_data ->> 'step' order by (event_data ->> 'step')::int`
  );
  return rows.map((row) => row.n);
}

async function jobRow(jobId: string) {
  const [row] = await withAdmin((sql) =>
    sql<{ status: string; attempts: number; progress_done: string }[]>`
      select status, attempts, progress_done from public.jobs where id = ${jobId}`
  );
  return row;
}

async function newJob(kind: string, steps: number, stepMs = 0): Promise<string> {
  const user = await createTestUser(`fault-${kind}`);
  const db = createDatabase(databaseUrl, { max: 1 });
  try {
    const caller = {
      claims: { sub: user.id, role: "authenticated" },
      correlationId: crypto.randomUUID(),
    };
    return (await db.withUser(caller, (tx) => enqueueJob(tx, { kind, payload: { steps, stepMs } })))
      .id;
  } finally {
    await db.end();
  }
}

Deno.test(
  "a worker killed with SIGKILL mid-job: its lease lapses and another finishes every step once",
  dbTest,
  async () => {
    const id = await newJob("fault_steps", 30, 40);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./job_worker_child.ts", import.meta.url).pathname, id],
      env: { LAB_TEST_DATABASE_URL: databaseUrl, LAB_JOB_LEASE_SECONDS: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      // Kill it once it is well into the job.
      for (let i = 0; i < 600 && Number((await jobRow(id)).progress_done) < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill("SIGKILL");
    } finally {
      await child.status;
    }
    const killedAt = Number((await jobRow(id)).progress_done);
    equal(killedAt < 30, true, "the worker died mid-job");

    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const { status } = await runJobToEnd(db, [stepsHandler(db, { kind: "fault_steps" })], id, {
        sliceBudgetMs: 60_000,
      });
      equal(status, "succeeded");
    } finally {
      await db.end();
    }
    deepEqual(await stepCounts(id), Array(30).fill(1));
    equal((await jobRow(id)).attempts, 2, "the killed worker's attempt counted");
  },
);

Deno.test(
  "a connection dropped mid-slice: the slice is redone from its checkpoint, every step once",
  dbTest,
  async () => {
    const id = await newJob("fault_drop", 8);
    const db = createDatabase(databaseUrl, { max: 2 });
    let dropped = false;
    try {
      const handler = stepsHandler(db, {
        kind: "fault_drop",
        async beforeCheckpoint(step, _context, tx) {
          if (step !== 4 || dropped) return;
          dropped = true;
          // The transaction's own connection is terminated before the checkpoint commits.
          await tx`select pg_terminate_backend(pg_backend_pid())`;
        },
      });
      const { status } = await runJobToEnd(db, [handler], id, { sliceBudgetMs: 60_000 });
      equal(status, "succeeded");
    } finally {
      await db.end();
    }
    equal(dropped, true);
    deepEqual(await stepCounts(id), Array(8).fill(1));
    equal((await jobRow(id)).attempts, 2);
  },
);
