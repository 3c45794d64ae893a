/**
 * The queue and the runner against the real database: slices across
 * invocations, checkpoints that commit with their work (a crash between the
 * two redoes the step, never twice), a lapsed lease taken over (the old
 * holder's work rolls back), backoff and a poison job that blocks nobody,
 * the per-user cap, cancel at the next checkpoint, and the audit trail.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { createDatabase, type Database } from "../db/client.ts";
import { createTestUser, dbTest, withAdmin } from "../../tests/harness.ts";
import { startBudget } from "./budget.ts";
import { JobFatalError } from "./handler.ts";
import { enqueueJob, readJob } from "./queue.ts";
import { createJobRunner, runJobInline, workJobs } from "./runner.ts";
import { runJobToEnd } from "./testing.ts";
import { stepsHandler, type StepsPayload } from "./test_steps.ts";

type User = Awaited<ReturnType<typeof createTestUser>>;

function callerOf(user: User) {
  return {
    claims: { sub: user.id, role: "authenticated", aud: "authenticated" },
    correlationId: crypto.randomUUID(),
  };
}

async function withDb(fn: (db: Database) => Promise<void>) {
  const db = createDatabase(Deno.env.get("LAB_TEST_DATABASE_URL") ?? "", { max: 4 });
  try {
    await fn(db);
  } finally {
    await db.end();
  }
}

async function createStepsJob(db: Database, user: User, payload: StepsPayload, maxAttempts = 5) {
  const caller = callerOf(user);
  const { id } = await db.withUser(
    caller,
    (tx) =>
      enqueueJob(tx, { kind: "steps", payload: { ...payload }, total: payload.steps, maxAttempts }),
  );
  return { id, caller };
}

/** How many times each step's work was committed. */
async function stepCounts(jobId: string): Promise<number[]> {
  const rows = await withAdmin((sql) =>
    sql<{ step: number; n: number }[]>`
      select (event_data ->> 'step')::int as step, count(*)::int as n from public.audit_logs
       where event_type = 'job_step' and event_data ->> 'job_id' = ${jobId}
       group by 1 order by 1`
  );
  return rows.map((row) => row.n);
}

const forever = () => startBudget({ wallMs: 60_000, cpuMs: 60_000 });

Deno.test("a job runs in slices across invocations, each step exactly once", dbTest, async () => {
  await withDb(async (db) => {
    const user = await createTestUser("jobs-slices");
    const { id, caller } = await createStepsJob(db, user, { steps: 12 });
    const { status, invocations } = await runJobToEnd(db, [stepsHandler(db)], id, {
      sliceBudgetMs: 1,
    });
    equal(status, "succeeded");
    assert(invocations > 1, `expected several invocations, got ${invocations}`);
    deepEqual(await stepCounts(id), Array(12).fill(1));
    const job = await db.withUser(caller, (tx) => readJob(tx, id));
    equal(job?.status, "succeeded");
    deepEqual(job?.result, { steps: 12 });
    deepEqual(job?.progress, { total: 12, done: 12, skipped: 0, skippedByReason: {} });
    equal(job?.attempts, 1, "handing the rest on is no failed attempt");
  });
});

Deno.test(
  "a crash between a step's work and its checkpoint redoes that step once, never twice",
  dbTest,
  async () => {
    await withDb(async (db) => {
      const user = await createTestUser("jobs-crash");
      const { id } = await createStepsJob(db, user, { steps: 6 });
      let crashed = false;
      const handler = stepsHandler(db, {
        beforeCheckpoint(step) {
          if (step === 3 && !crashed) {
            crashed = true;
            throw new Error("worker died mid-step");
          }
        },
      });
      const { status } = await runJobToEnd(db, [handler], id, { sliceBudgetMs: 60_000 });
      equal(status, "succeeded");
      assert(crashed);
      deepEqual(await stepCounts(id), Array(6).fill(1));
      const [job] = await withAdmin((sql) =>
        sql<{ attempts: number }[]>`select attempts from public.jobs where id = ${id}`
      );
      equal(job.attempts, 2, "the crash counted as one failed attempt");
    });
  },
);

Deno.test(
  "a lapsed lease passes to another worker and the old holder's work rolls back",
  dbTest,
  async () => {
    await withDb(async (db) => {
      const user = await createTestUser("jobs-lease");
      const { id } = await createStepsJob(db, user, { steps: 4 });
      const fast = createJobRunner(db, [stepsHandler(db)], { leaseSeconds: 60, userCap: 10 });
      let stolen = false;
      const slow = createJobRunner(db, [
        stepsHandler(db, {
          async beforeCheckpoint(step) {
            if (step !== 1 || stolen) return;
            stolen = true;
            // The lease lapses while this worker is stuck; another claims the job and finishes it.
            await withAdmin((sql) =>
              sql`update public.jobs set lease_expires_at = now() - interval '1 s' where id = ${id}`
            );
            equal(await runJobInline(fast, id, forever()), "succeeded");
          },
        }),
      ], { leaseSeconds: 60, userCap: 10 });
      equal(
        await runJobInline(slow, id, forever()),
        "running",
        "the old holder learns it lost the lease",
      );
      deepEqual(await stepCounts(id), [1, 1, 1, 1]);
    });
  },
);

Deno.test(
  "a poison job backs off, then fails with its error, and never blocks another job",
  dbTest,
  async () => {
    await withDb(async (db) => {
      const owner = await createTestUser("jobs-poison");
      const other = await createTestUser("jobs-poison-other");
      const { id: poisonId } = await db.withUser(
        callerOf(owner),
        (tx) => enqueueJob(tx, { kind: "poison", payload: {}, maxAttempts: 3 }),
      );
      const poison = { id: poisonId };
      const healthy = await createStepsJob(db, other, { steps: 2 });
      const handlers = [stepsHandler(db), {
        kind: "poison",
        runSlice: () => Promise.reject(new Error("boom")),
      }];
      const runner = createJobRunner(db, handlers, {
        backoff: { baseMs: 1, maxMs: 1 },
        userCap: 10,
      });
      const seen = new Set<string>();
      for (let round = 0; round < 50; round++) {
        await workJobs(runner, forever());
        const rows = await withAdmin((sql) =>
          sql<{ id: string; status: string }[]>`select id, status from public.jobs where id in ${
            sql([poison.id, healthy.id])
          }`
        );
        rows.forEach((row) =>
          seen.add(`${row.id === poison.id ? "poison" : "healthy"}:${row.status}`)
        );
        if (rows.every((row) => row.status === "failed" || row.status === "succeeded")) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert(seen.has("healthy:succeeded"));
      const [failed] = await withAdmin((sql) =>
        sql<{ status: string; attempts: number; error: string }[]>`
        select status, attempts, error from public.jobs where id = ${poison.id}`
      );
      deepEqual(failed, { status: "failed", attempts: 3, error: "The attempt failed (Error)" });
      const audit = await withAdmin((sql) =>
        sql<{ event_type: string }[]>`
        select event_type from public.audit_logs where event_data ->> 'job_id' = ${poison.id}
           and event_type like 'job\\_%' and event_type <> 'job_step' order by created_at, id`
      );
      deepEqual(audit.map((row) => row.event_type).filter((type) => type !== "job_running"), [
        "job_queued",
        "job_queued",
        "job_queued",
        "job_failed",
      ]);
    });
  },
);

Deno.test("a fatal error fails the job at once and its kind cleans up", dbTest, async () => {
  await withDb(async (db) => {
    const user = await createTestUser("jobs-fatal");
    const { id, caller } = await createStepsJob(db, user, { steps: 1 });
    const cleanedUp: { reason: string; error?: string }[] = [];
    const handler = stepsHandler(db, {
      poison: new JobFatalError("The file is not CSV"),
      cleanedUp,
    });
    const { status } = await runJobToEnd(db, [handler], id);
    equal(status, "failed");
    deepEqual(cleanedUp, [{ reason: "failed", error: "The file is not CSV" }]);
    const job = await db.withUser(caller, (tx) => readJob(tx, id));
    deepEqual([job?.attempts, job?.error], [1, "The file is not CSV"]);
  });
});

Deno.test("one user's many jobs do not starve another's: the per-user cap", dbTest, async () => {
  await withDb(async (db) => {
    const busy = await createTestUser("jobs-busy");
    const quiet = await createTestUser("jobs-quiet");
    for (let i = 0; i < 5; i++) await createStepsJob(db, busy, { steps: 1 });
    const late = await createStepsJob(db, quiet, { steps: 1 });
    // Claims hold their leases (the handler never finishes within these claims).
    const claimed: string[] = [];
    const runner = createJobRunner(db, [{
      kind: "steps",
      runSlice: (context) => {
        claimed.push(context.job.userId);
        return Promise.reject(new Error("hold"));
      },
    }], { userCap: 2, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    // A lease is only live while held: hold two of busy's by claiming without settling.
    await withAdmin((sql) =>
      sql`update public.jobs set status = 'running', lease_token = gen_random_uuid(),
                 lease_expires_at = now() + interval '1 minute', attempts = 1
           where id in (select id from public.jobs where user_id = ${busy.id} and kind = 'steps'
                         order by created_at limit 2)`
    );
    await workJobs(runner, startBudget({ wallMs: 60_000, cpuMs: 60_000 }));
    deepEqual(claimed, [quiet.id], "busy is at its cap: only quiet's job is claimed");
    const [job] = await withAdmin((sql) =>
      sql<{ attempts: number }[]>`select attempts from public.jobs where id = ${late.id}`
    );
    equal(job.attempts, 1);
  });
});

Deno.test("cancel stops a running job at its next checkpoint and cleans up", dbTest, async () => {
  await withDb(async (db) => {
    const user = await createTestUser("jobs-cancel");
    const { id, caller } = await createStepsJob(db, user, { steps: 10 });
    const cleanedUp: { reason: string; error?: string }[] = [];
    const handler = stepsHandler(db, {
      cleanedUp,
      async beforeCheckpoint(step) {
        if (step === 2) {
          await db.withUser(caller, (tx) => tx`select * from public.cancel_job(${id})`);
        }
      },
    });
    const runner = createJobRunner(db, [handler]);
    equal(await runJobInline(runner, id, forever()), "cancelled");
    deepEqual(cleanedUp, [{ reason: "cancelled", error: undefined }]);
    deepEqual(
      await stepCounts(id),
      [1, 1, 1],
      "the step that saw the cancel is kept; none after it",
    );
    const job = await db.withUser(caller, (tx) => readJob(tx, id));
    deepEqual([job?.status, job?.cancelRequested], ["cancelled", true]);
  });
});

Deno.test(
  "a queued job whose cancel was asked for is cancelled when claimed, without running",
  dbTest,
  async () => {
    await withDb(async (db) => {
      const user = await createTestUser("jobs-cancel-queued");
      const { id, caller } = await createStepsJob(db, user, { steps: 3 });
      await db.withUser(caller, (tx) => tx`select * from public.cancel_job(${id})`);
      const cleanedUp: { reason: string; error?: string }[] = [];
      const { status } = await runJobToEnd(db, [stepsHandler(db, { cleanedUp })], id);
      equal(status, "cancelled");
      deepEqual(await stepCounts(id), []);
      equal(cleanedUp.length, 1);
    });
  },
);

Deno.test(
  "a worker never claims a kind it has no handler for: the job waits, queued",
  dbTest,
  async () => {
    await withDb(async (db) => {
      const user = await createTestUser("jobs-unknown");
      const caller = callerOf(user);
      const { id } = await db.withUser(
        caller,
        (tx) => enqueueJob(tx, { kind: "mystery", payload: {} }),
      );
      const runner = createJobRunner(db, [stepsHandler(db)]);
      equal(await runJobInline(runner, id, forever()), null);
      const job = await db.withUser(caller, (tx) => readJob(tx, id));
      deepEqual([job?.status, job?.attempts], ["queued", 0]);
    });
  },
);

Deno.test("a job whose leases kept lapsing fails after its last attempt", dbTest, async () => {
  await withDb(async (db) => {
    const user = await createTestUser("jobs-lapsed");
    const { id } = await createStepsJob(db, user, { steps: 1 }, 2);
    await withAdmin((sql) =>
      sql`update public.jobs set status = 'running', attempts = 2, lease_token = gen_random_uuid(),
                 lease_expires_at = now() - interval '1 s' where id = ${id}`
    );
    const cleanedUp: { reason: string; error?: string }[] = [];
    const { status } = await runJobToEnd(db, [stepsHandler(db, { cleanedUp })], id);
    equal(status, "failed");
    deepEqual(cleanedUp.map((c) => c.reason), ["failed"]);
    deepEqual(await stepCounts(id), []);
  });
});
