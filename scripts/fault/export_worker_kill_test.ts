/**
 * A worker process killed with SIGKILL in the middle of an export job: the
 * job stays running until its lease expires, is then claimed again and
 * resumed from its checkpoint (the upload's offset tells what the dead
 * worker had sent), and the stored file's SHA-256 equals an uninterrupted
 * run's.
 */
import { equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { runJobToEnd } from "../../supabase/functions/_shared/jobs/testing.ts";
import { enqueueJob } from "../../supabase/functions/_shared/jobs/queue.ts";
import type { JobJson } from "../../supabase/functions/_shared/jobs/handler.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  withAdmin,
  withTestStack,
} from "../../supabase/functions/tests/harness.ts";
import { exportJobHandler } from "../../supabase/functions/exports/job/handler.ts";
import {
  depsFor,
  exportRow,
  newJob,
  onePass,
  stored,
} from "../../supabase/functions/exports/job/testing.ts";
import { seedExperiments } from "../../supabase/functions/exports/testing/seed.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The job's status and how many bytes its checkpoint says are written. */
async function jobState(id: string): Promise<{ status: string; offset: number }> {
  const [row] = await withAdmin((sql) =>
    sql<{ status: string; offset: number | null }[]>`
      select status, (checkpoint -> 'build' ->> 'offset')::int as offset from public.jobs where id = ${id}`
  );
  return { status: row.status, offset: row.offset ?? 0 };
}

Deno.test(
  "a worker killed with SIGKILL mid-export: the job finishes after its lease expires, with the uninterrupted file's SHA-256",
  dbTest,
  async () => {
    const user = await createTestUser("fault-kill");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      await seedExperiments(db, user, { count: 200 });
      await withTestStack(async (stack) => {
        const job = await newJob(db, user, "zip");
        const expected = await onePass(db, user, job);
        const caller = {
          claims: { sub: user.id, role: "authenticated" },
          correlationId: crypto.randomUUID(),
        };
        await db.withUser(
          caller,
          (tx) =>
            enqueueJob(tx, {
              kind: "export",
              id: job.id,
              payload: job.payload as unknown as JobJson,
            }),
        );
        const worker = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "scripts/fault/export_worker.ts"],
          env: {
            SUPABASE_URL: stack.url,
            SUPABASE_DB_URL: databaseUrl,
            SUPABASE_JWT_SECRET: stack.env.SUPABASE_JWT_SECRET ?? "",
            SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
            LAB_JOB_LEASE_SECONDS: "3",
          },
          stdout: "piped",
          stderr: "null",
        }).spawn();
        let killedAt = 0;
        try {
          for (let i = 0; i < 600; i++) {
            const state = await jobState(job.id);
            if (state.offset > 20_000) {
              killedAt = state.offset;
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        } finally {
          worker.kill("SIGKILL");
          await worker.status;
          await worker.stdout.cancel();
        }
        ok(killedAt > 0, "the worker was killed mid-export");
        const after = await jobState(job.id);
        equal(after.status, "running", "the dead worker's lease still holds the job");
        ok(after.offset < expected.byteLength, "the export was not finished");
        const started = Date.now();
        const handler = exportJobHandler(depsFor(stack, db, { appendBytes: 4_000 }));
        const { status } = await runJobToEnd(db, [handler], job.id, { sliceBudgetMs: 200 });
        equal(status, "succeeded");
        ok(Date.now() - started >= 1_000, "the job was claimed again only once its lease expired");
        const bytes = await stored(stack, `${user.id}/${job.id}.zip`);
        ok(bytes, "the file is stored");
        equal(sha(bytes), sha(expected), "the SHA-256 of an uninterrupted run");
        equal((await exportRow(job.id)).status, "completed");
      });
    } finally {
      await db.end();
    }
  },
);
