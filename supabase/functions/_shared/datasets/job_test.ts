/**
 * Dataset ingests as jobs against the real database: one slice per stored
 * batch (a new claim each time, as separate worker invocations would), the
 * job's progress with skips per reason, a worker killed mid-ingest resumed
 * without a row stored twice, a cancel through the job, and a file that
 * cannot be read failing the job with the line.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createDatabase, type Database } from "../db/client.ts";
import { enqueueJob, readJob } from "../jobs/queue.ts";
import { runJobToEnd } from "../jobs/testing.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  type TestUser,
  withAdmin,
} from "../../tests/harness.ts";
import { DATASET_INGEST_KIND, datasetIngestJobHandler } from "./job.ts";
import { createDatasetVersion } from "./store.ts";

function callerOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

const CSV = "topic,tone\n" + // 1
  "rain,grey\n" + // 2
  ",\n" + // 3 empty
  "rain,grey\n" + // 4 duplicate
  "fog\n" + // 5 missing tone
  "a,b,c\n" + // 6 malformed
  Array.from({ length: 10 }, (_, i) => `topic ${i},calm`).join("\n") + "\n"; // 7-16

/** A version of a new dataset of `user` and its ingest job. */
async function ingestJob(db: Database, user: TestUser) {
  const [dataset] = await withAdmin((sql) =>
    sql<{ id: string }[]>`insert into public.datasets (user_id, name)
                          values (${user.id}, ${
      "jobs-" + crypto.randomUUID().slice(0, 8)
    }) returning id`
  );
  const caller = callerOf(user);
  const version = await createDatasetVersion(db, caller, {
    datasetId: dataset.id,
    sourcePath: `${user.id}/jobs.csv`,
  });
  await db.withUser(
    caller,
    (tx) =>
      enqueueJob(tx, {
        kind: DATASET_INGEST_KIND,
        payload: { versionId: version.id },
        id: version.id,
      }),
  );
  return { caller, versionId: version.id };
}

async function storedLines(versionId: string): Promise<number[]> {
  const rows = await withAdmin((sql) =>
    sql<{ line_number: number }[]>`
      select line_number from public.dataset_items where dataset_version_id = ${versionId}
      union all
      select line_number from public.dataset_skips where dataset_version_id = ${versionId}
      order by 1`
  );
  return rows.map((row) => row.line_number);
}

Deno.test(
  "an ingest job works a batch per slice and ends with the version's counts and skips per reason",
  dbTest,
  async () => {
    const user = await createTestUser("ingest-job");
    const db = createDatabase(databaseUrl, { max: 3 });
    try {
      const { caller, versionId } = await ingestJob(db, user);
      const handler = datasetIngestJobHandler({
        db,
        open: () => Promise.resolve(new Blob([CSV]).stream()),
        batchRows: 3,
      });
      const { status, invocations } = await runJobToEnd(db, [handler], versionId);
      equal(status, "succeeded");
      equal(invocations >= 5, true, `worked across invocations (${invocations})`);
      const job = await db.withUser(caller, (tx) => readJob(tx, versionId));
      deepEqual(job?.progress, {
        total: 15,
        done: 11,
        skipped: 4,
        skippedByReason: { empty: 1, duplicate: 1, missing_column: 1, malformed: 1 },
      });
      deepEqual(await storedLines(versionId), Array.from({ length: 15 }, (_, i) => i + 2));
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a worker that dies mid-ingest: the next attempt resumes after the last stored line, no row twice",
  dbTest,
  async () => {
    const user = await createTestUser("ingest-job-crash");
    const db = createDatabase(databaseUrl, { max: 3 });
    try {
      const { versionId } = await ingestJob(db, user);
      let opened = 0;
      const handler = datasetIngestJobHandler({
        db,
        batchRows: 3,
        open: () => {
          opened++;
          if (opened > 1) return Promise.resolve(new Blob([CSV]).stream());
          // The first attempt's connection to Storage dies after three batches' worth.
          const cut = CSV.split("\n").slice(0, 9).join("\n") + "\n";
          return Promise.resolve(
            new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(new TextEncoder().encode(cut));
                controller.error(new Error("worker lost"));
              },
            }),
          );
        },
      });
      const { status } = await runJobToEnd(db, [handler], versionId, { sliceBudgetMs: 60_000 });
      equal(status, "succeeded");
      deepEqual(await storedLines(versionId), Array.from({ length: 15 }, (_, i) => i + 2));
      const [row] = await withAdmin((sql) =>
        sql<{ attempts: number }[]>`select attempts from public.jobs where id = ${versionId}`
      );
      equal(row.attempts, 2, "the failed attempt counted, the second finished");
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "cancelling the job stops the ingest and cancels the version; a file without a header fails the job",
  dbTest,
  async () => {
    const user = await createTestUser("ingest-job-cancel");
    const db = createDatabase(databaseUrl, { max: 3 });
    try {
      const { caller, versionId } = await ingestJob(db, user);
      let batches = 0;
      const handler = datasetIngestJobHandler({
        db,
        batchRows: 2,
        open: () => Promise.resolve(new Blob([CSV]).stream()),
      });
      const cancelling = {
        ...handler,
        async runSlice(context: Parameters<typeof handler.runSlice>[0]) {
          if (++batches === 3) {
            await db.withUser(caller, (tx) => tx`select public.cancel_job(${versionId})`);
          }
          return await handler.runSlice(context);
        },
      };
      const { status } = await runJobToEnd(db, [cancelling], versionId);
      equal(status, "cancelled");
      const [version] = await withAdmin((sql) =>
        sql<
          { status: string }[]
        >`select status from public.dataset_versions where id = ${versionId}`
      );
      equal(version.status, "cancelled");

      const empty = await ingestJob(db, user);
      const failing = datasetIngestJobHandler({
        db,
        open: () => Promise.resolve(new Blob([""]).stream()),
      });
      equal((await runJobToEnd(db, [failing], empty.versionId)).status, "failed");
      const job = await db.withUser(empty.caller, (tx) => readJob(tx, empty.versionId));
      equal(job?.error, "Line 1: the file is empty (no header line)");
    } finally {
      await db.end();
    }
  },
);
