/**
 * The datasets function in-process (`app.request`) against the test
 * database: an uploaded CSV becomes a pending version and a
 * `dataset_ingest` job (202) which, worked by the job's handler, ingests it
 * with its skip reasons; a resume of a completed version has nothing to
 * do; strangers' datasets and paths outside one's folder are refused.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { readEnv } from "../_shared/env.ts";
import { createRuntime } from "../_shared/runtime.ts";
import {
  createTestUser,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { datasetIngestJobHandler } from "../_shared/datasets/job.ts";
import { runJobToEnd } from "../_shared/jobs/testing.ts";
import { createDatasetsApp, datasetsEnvSchema } from "./app.ts";

/** The answer envelope; fields are read as the test needs them. */
// deno-lint-ignore no-explicit-any
type Envelope = { data: any; error: { code: string; message: string } };

const CSV = "topic,tone\nharbours,calm\n,\nharbours,calm\nfog\nrain,grey,extra\nsnow,bright\n";

async function withDatasets(
  fn: (
    post: (
      user: TestUser,
      path: string,
      body: unknown,
    ) => Promise<{ status: number; body: Envelope }>,
    work: (jobId: string) => Promise<string>,
  ) => Promise<void>,
) {
  const runtime = createRuntime(readEnv(datasetsEnvSchema, testEnv()));
  const app = createDatasetsApp(runtime);
  const handler = datasetIngestJobHandler({
    db: runtime.db,
    open: () => Promise.resolve(new Blob([CSV]).stream()),
  });
  try {
    await fn(
      async (user, path, body) => {
        const response = await app.request(path, jsonRequest(user, body));
        return { status: response.status, body: await response.json() };
      },
      async (jobId) => (await runJobToEnd(runtime.db, [handler], jobId)).status,
    );
  } finally {
    await flushBackground();
    await runtime.db.end();
  }
}

Deno.test(
  "POST /datasets/:id/versions ingests the uploaded CSV into a new version with its skip reasons",
  dbTest,
  () =>
    withDatasets(async (post, work) => {
      const user = await createTestUser("datasets-fn");
      const stranger = await createTestUser("datasets-fn-stranger");
      const [dataset] = await withAdmin((sql) =>
        sql<
          { id: string }[]
        >`insert into public.datasets (user_id, name) values (${user.id}, 'letters') returning id`
      );
      const first = await post(user, `/datasets/${dataset.id}/versions`, {
        path: `${user.id}/letters.csv`,
      });
      equal(first.status, 202, JSON.stringify(first.body));
      const { version: pending, job } = first.body.data;
      deepEqual([pending.version, pending.status, job.id, job.kind, job.status], [
        1,
        "pending",
        pending.id,
        "dataset_ingest",
        "queued",
      ]);
      equal(await work(job.id), "succeeded");
      const [version] = await withAdmin((sql) =>
        sql`select status, saved_count, skipped_by_reason from public.dataset_versions where id = ${pending.id}`
      );
      equal(version.status, "completed");
      equal(version.saved_count, 2);
      deepEqual(version.skipped_by_reason, {
        empty: 1,
        duplicate: 1,
        missing_column: 1,
        malformed: 1,
      });

      const second = await post(user, `/datasets/${dataset.id}/versions`, {
        path: `${user.id}/letters.csv`,
      });
      equal(
        second.body.data.version.version,
        2,
        "a new upload makes a new version; the first is kept",
      );
      const again = await post(
        user,
        `/datasets/versions/${second.body.data.version.id}/ingest`,
        {},
      );
      equal(again.status, 202);
      equal(
        again.body.data.job.id,
        second.body.data.job.id,
        "a resume while a job works it gets that job",
      );

      const resumed = await post(user, `/datasets/versions/${pending.id}/ingest`, {});
      equal(resumed.status, 200);
      equal(resumed.body.data.job, null, "resuming a completed version has nothing to do");
      equal(resumed.body.data.version.saved_count, 2);

      const theirs = await post(stranger, `/datasets/${dataset.id}/versions`, {
        path: `${stranger.id}/x.csv`,
      });
      equal(theirs.status, 404);
      equal(theirs.body.error.code, "dataset_not_found");
      const outside = await post(user, `/datasets/${dataset.id}/versions`, {
        path: `${stranger.id}/x.csv`,
      });
      equal(outside.status, 400);
      equal(outside.body.error.code, "invalid_source_path");
      const invalid = await post(user, `/datasets/${dataset.id}/versions`, {
        path: "../etc/passwd",
      });
      equal(invalid.status, 400);
      equal(invalid.body.error.code, "validation_failed");
      assert(true);
    }),
);
