/**
 * Batch runs as jobs against the real database and the offline model
 * server: slices that each claim and record some results (a new claim of
 * the job each time), the job's progress, a worker killed mid-run whose
 * claims the next attempt takes over at once without duplicating a result,
 * failed results failing the job with a resume that retries only them, a
 * cancel through the job, and a worker without a model endpoint.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createDatabase, type Database } from "../db/client.ts";
import { createLlmClient } from "../integrations/llm.ts";
import { enqueueJob, readJob } from "../jobs/queue.ts";
import { runJobToEnd } from "../jobs/testing.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  type TestUser,
  withAdmin,
} from "../../tests/harness.ts";
import { startModelServer } from "../../../../scripts/model_server/main.ts";
import { BATCH_RUN_KIND, batchRunJobHandler } from "./job.ts";
import { claimResults, createBatchRun, resumeRun } from "./store.ts";
import {
  callerOf,
  createCalibration,
  createDatasetFromCsv,
  createTemplateVersion,
} from "./test_fixtures.ts";

const CSV = "topic\n" + Array.from({ length: 10 }, (_, i) => `topic ${i + 1}`).join("\n") + "\n";

/** A run of 10 items × 2 responses across a calibration, and its job (the run's id). */
async function runJob(db: Database, user: TestUser, options: { concurrency?: number } = {}) {
  const caller = callerOf(user);
  const run = await createBatchRun(db, caller, {
    template_version_id: await createTemplateVersion(user, "Two lines about {{topic}}."),
    dataset_version_id: (await createDatasetFromCsv(db, user, CSV)).id,
    calibration_id: await createCalibration(user),
    responses_per_item: 2,
    model: "gpt-4o",
    seed: 11,
    concurrency: options.concurrency ?? 2,
  });
  await db.withUser(
    caller,
    (tx) =>
      enqueueJob(tx, { kind: BATCH_RUN_KIND, payload: { runId: run.id }, id: run.id, total: 20 }),
  );
  return { caller, runId: run.id };
}

async function resultCounts(runId: string) {
  const [row] = await withAdmin((sql) =>
    sql<{ results: number; distinct_keys: number; succeeded: number; attempts: number }[]>`
      select count(*)::int as results, count(distinct (item_id, repeat))::int as distinct_keys,
             count(*) filter (where status = 'succeeded')::int as succeeded,
             sum(attempts)::int as attempts
        from public.batch_results where run_id = ${runId}`
  );
  return row;
}

async function withModel(
  fn: (
    db: Database,
    llm: ReturnType<typeof createLlmClient>,
    model: Awaited<ReturnType<typeof startModelServer>>,
  ) => Promise<void>,
) {
  const model = await startModelServer({ port: 0 });
  const db = createDatabase(databaseUrl, { max: 4 });
  const llm = createLlmClient({
    apiKey: "sk-test",
    baseURL: model.url,
    timeoutMs: 5000,
    maxRetries: 0,
  });
  try {
    await fn(db, llm, model);
  } finally {
    model.control.reset();
    await db.end();
    await model.shutdown();
  }
}

Deno.test(
  "a run's job works it slice by slice to completion, its progress the run's",
  dbTest,
  () =>
    withModel(async (db, llm) => {
      const user = await createTestUser("run-job");
      const { caller, runId } = await runJob(db, user);
      const { status, invocations } = await runJobToEnd(
        db,
        [batchRunJobHandler({ db, llm })],
        runId,
      );
      equal(status, "succeeded");
      equal(invocations > 2, true, `worked across invocations (${invocations})`);
      const job = await db.withUser(caller, (tx) => readJob(tx, runId));
      deepEqual(job?.progress, { total: 20, done: 20, skipped: 0, skippedByReason: {} });
      equal((job?.result as { succeeded: number }).succeeded, 20);
      deepEqual(await resultCounts(runId), {
        results: 20,
        distinct_keys: 20,
        succeeded: 20,
        attempts: 20,
      });
      const [experiments] = await withAdmin((sql) =>
        sql<
          { n: number }[]
        >`select count(*)::int as n from public.experiments where batch_run_id = ${runId}`
      );
      equal(experiments.n, 10, "each item became one experiment");
    }),
);

Deno.test(
  "a worker killed mid-run: the next attempt takes its claims over at once, each result once",
  dbTest,
  () =>
    withModel(async (db, llm) => {
      const user = await createTestUser("run-job-crash");
      const { caller, runId } = await runJob(db, user);
      // The dead worker had claimed five results with a ten-minute lease and recorded none.
      const claimed = await claimResults(db, caller, runId, { limit: 5, leaseSeconds: 600 });
      equal(claimed.results.length, 5);
      const started = performance.now();
      const { status } = await runJobToEnd(db, [batchRunJobHandler({ db, llm })], runId, {
        sliceBudgetMs: 60_000,
      });
      equal(status, "succeeded");
      equal(performance.now() - started < 30_000, true, "no waiting for the dead worker's leases");
      const counts = await resultCounts(runId);
      deepEqual(
        { results: counts.results, distinct: counts.distinct_keys, succeeded: counts.succeeded },
        { results: 20, distinct: 20, succeeded: 20 },
      );
      equal(counts.attempts, 25, "the five claimed twice, every other result once");
    }),
);

Deno.test(
  "failed results fail the job naming them; a resumed run's new job retries only those",
  dbTest,
  () =>
    withModel(async (db, llm, model) => {
      const user = await createTestUser("run-job-resume");
      const { caller, runId } = await runJob(db, user);
      model.control.set({ mode: "server_error", times: 3, match: { temperatureAtLeast: 0 } });
      const handler = batchRunJobHandler({ db, llm });
      equal((await runJobToEnd(db, [handler], runId, { sliceBudgetMs: 60_000 })).status, "failed");
      const failed = await db.withUser(caller, (tx) => readJob(tx, runId));
      equal(failed?.error, "3 of 20 results failed: resume to retry them");
      deepEqual(failed?.progress.skippedByReason, { failed: 3 });

      model.control.reset();
      await resumeRun(db, caller, runId);
      const { id: again } = await db.withUser(caller, (tx) =>
        enqueueJob(tx, { kind: BATCH_RUN_KIND, payload: { runId } }));
      equal(
        (await runJobToEnd(db, [handler], again, { sliceBudgetMs: 60_000 })).status,
        "succeeded",
      );
      const counts = await resultCounts(runId);
      deepEqual({ succeeded: counts.succeeded, attempts: counts.attempts }, {
        succeeded: 20,
        attempts: 23,
      });
    }),
);

Deno.test(
  "cancelling the job cancels the run; a worker without a model endpoint fails the job saying so",
  dbTest,
  () =>
    withModel(async (db, llm) => {
      const user = await createTestUser("run-job-cancel");
      const { caller, runId } = await runJob(db, user, { concurrency: 1 });
      const handler = batchRunJobHandler({ db, llm });
      let slices = 0;
      const cancelling = {
        ...handler,
        async runSlice(context: Parameters<typeof handler.runSlice>[0]) {
          if (++slices === 2) {
            await db.withUser(caller, (tx) => tx`select public.cancel_job(${runId})`);
          }
          return await handler.runSlice(context);
        },
      };
      equal((await runJobToEnd(db, [cancelling], runId)).status, "cancelled");
      const [run] = await withAdmin((sql) =>
        sql<{ status: string }[]>`select status from public.batch_runs where id = ${runId}`
      );
      equal(run.status, "cancelled");

      const other = await runJob(db, user);
      const blind = batchRunJobHandler({ db, llm: null });
      equal((await runJobToEnd(db, [blind], other.runId)).status, "failed");
      const job = await db.withUser(other.caller, (tx) => readJob(tx, other.runId));
      equal(
        job?.error,
        "Cannot work a batch run: the worker has no model endpoint (OPENAI_API_KEY)",
      );
    }),
);
