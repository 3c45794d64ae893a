/**
 * Faults in an export built as a job: the database connections its slices
 * use are terminated every few milliseconds while it runs; each slice that
 * loses its connection fails and is redone from the last checkpoint, and the
 * stored file is byte for byte the one an uninterrupted pass writes.
 */
import { equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import {
  adminDatabaseUrl,
  createTestUser,
  databaseUrl,
  dbTest,
  withTestStack,
} from "../../supabase/functions/tests/harness.ts";
import { exportJobHandler } from "../../supabase/functions/exports/job/handler.ts";
import {
  claimLoop,
  depsFor,
  exportRow,
  newJob,
  onePass,
  stored,
} from "../../supabase/functions/exports/job/testing.ts";
import { seedExperiments } from "../../supabase/functions/exports/testing/seed.ts";
import { startTerminator } from "./terminator.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test(
  "an export job whose database connections are dropped mid-slice redoes the slice from its checkpoint and stores the uninterrupted bytes",
  dbTest,
  async () => {
    const user = await createTestUser("fault-export");
    const steady = createDatabase(databaseUrl, { max: 2 });
    const applicationName = `lab-fault-export-${crypto.randomUUID().slice(0, 8)}`;
    const url = new URL(databaseUrl);
    url.searchParams.set("application_name", applicationName);
    const faulty = createDatabase(url.toString(), { max: 2 });
    try {
      await seedExperiments(steady, user, { count: 60 });
      await withTestStack(async (stack) => {
        const job = await newJob(steady, user, "zip");
        const expected = await onePass(steady, user, job);
        const handler = exportJobHandler(depsFor(stack, faulty));
        const terminator = startTerminator(adminDatabaseUrl, applicationName, { everyMs: 40 });
        let failedSlices = 0;
        let outcome;
        try {
          outcome = await claimLoop(handler, job, {
            checks: 4,
            onError: () => failedSlices++,
            maxClaims: 5_000,
          });
        } finally {
          const { terminated } = await terminator.stop();
          ok(terminated > 0, "connections were terminated");
        }
        equal(outcome.kind, "succeeded");
        ok(failedSlices > 0, "some slices lost their connection and were redone");
        const bytes = await stored(stack, `${user.id}/${job.id}.zip`);
        ok(bytes, "the file is stored");
        equal(sha(bytes), sha(expected), "the same bytes as an uninterrupted pass");
        equal((await exportRow(job.id)).status, "completed");
      });
    } finally {
      await faulty.end();
      await steady.end();
    }
  },
);
