/**
 * Batch runs against the real database and the offline model server
 * through the real `openai` SDK: every (item, repeat) its own result, cost
 * per result and per run, bounded slices that resume where they stopped,
 * two workers that never duplicate a result, a failed run resumed retrying
 * only what failed, and a template variable the dataset lacks refused up
 * front naming it.
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase } from "../db/client.ts";
import { HttpError } from "../errors.ts";
import { createLlmClient } from "../integrations/llm.ts";
import { createTestUser, databaseUrl, dbTest, withAdmin } from "../../tests/harness.ts";
import { startModelServer } from "../../../../scripts/model_server/main.ts";
import { executeBatchRun } from "./execute.ts";
import { createBatchRun, recordResults, resumeRun } from "./store.ts";
import {
  callerOf,
  createCalibration,
  createDatasetFromCsv,
  createTemplateVersion,
} from "./test_fixtures.ts";

const CSV = "topic,tone\n" +
  Array.from({ length: 12 }, (_, i) => `topic ${i + 1},tone ${i % 3}`).join("\n") + "\n";

async function withModel(
  fn: (deps: {
    db: ReturnType<typeof createDatabase>;
    llm: ReturnType<typeof createLlmClient>;
    model: Awaited<ReturnType<typeof startModelServer>>;
  }) => Promise<void>,
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
    await fn({ db, llm, model });
  } finally {
    model.control.reset();
    await db.end();
    await model.shutdown();
  }
}

function resultsOf(runId: string) {
  return withAdmin((sql) =>
    sql<
      {
        line_number: number;
        repeat: number;
        status: string;
        attempts: number;
        cost_usd: string | null;
        response: Record<string, unknown> | null;
        prompt: string | null;
      }[]
    >`
      select line_number, repeat, status, attempts, cost_usd, response, prompt
        from public.batch_results where run_id = ${runId} order by line_number, repeat`
  );
}

Deno.test(
  "a run keeps every repeat of every item as its own priced result and finishes completed",
  dbTest,
  () =>
    withModel(async ({ db, llm, model }) => {
      const user = await createTestUser("batch");
      const caller = callerOf(user);
      const templateVersionId = await createTemplateVersion(
        user,
        "Write about {{topic}} in a {{tone}} voice.",
        "Be brief.",
      );
      const dataset = await createDatasetFromCsv(db, user, CSV);
      const calibrationId = await createCalibration(user);
      const run = await createBatchRun(db, caller, {
        template_version_id: templateVersionId,
        dataset_version_id: dataset.id,
        calibration_id: calibrationId,
        responses_per_item: 3,
        model: "gpt-4o",
        seed: 11,
        concurrency: 4,
      });
      equal(run.total_results, 36);
      equal(run.status, "pending");

      const partial = await executeBatchRun({ db, llm }, caller, run.id, { maxResults: 10 });
      equal(partial.status, "running", "a bounded slice leaves the run running");
      equal(partial.succeeded_count, 10);

      const done = await executeBatchRun({ db, llm }, caller, run.id);
      equal(done.status, "completed");
      equal(done.succeeded_count, 36);
      equal(done.failed_count, 0);
      equal(model.control.stats().counters.completionsServed, 36, "one model call per result");

      const results = await resultsOf(run.id);
      equal(results.length, 36);
      equal(new Set(results.map((r) => `${r.line_number}/${r.repeat}`)).size, 36, "distinct rows");
      const first = results.filter((r) => r.line_number === 2);
      deepEqual(first.map((r) => r.repeat), [0, 1, 2], "three repeats of the first item");
      equal(first[0].prompt, "Write about topic 1 in a tone 0 voice.");
      equal(
        new Set(
          first.map((r) => JSON.stringify((r.response as { parameters: unknown }).parameters)),
        ).size,
        3,
        "repeats are spread across the calibration's ranges",
      );
      let total = 0;
      for (const result of results) {
        equal(result.status, "succeeded");
        equal(result.attempts, 1);
        const cost = (result.response as { cost: { usd: number } | null }).cost;
        assert(cost !== null && cost.usd > 0, "priced with the lab's gpt-4o price");
        equal(Number(result.cost_usd), cost.usd);
        total += cost.usd;
      }
      assert(Math.abs(Number(done.cost_usd) - total) < 1e-9, "the run's cost is the sum");
      equal(done.unpriced_results, 0);

      const again = await executeBatchRun({ db, llm }, caller, run.id);
      equal(again.succeeded_count, 36, "working a finished run changes nothing");
      equal(model.control.stats().counters.completionsServed, 36);
    }),
);

Deno.test(
  "two workers on one run never duplicate a result, and a late record of a finished one changes nothing",
  dbTest,
  () =>
    withModel(async ({ db, llm, model }) => {
      model.control.set({ latencyMs: 20 });
      const user = await createTestUser("workers");
      const caller = callerOf(user);
      const templateVersionId = await createTemplateVersion(user, "About {{topic}}.");
      const dataset = await createDatasetFromCsv(db, user, CSV);
      const run = await createBatchRun(db, caller, {
        template_version_id: templateVersionId,
        dataset_version_id: dataset.id,
        parameters: { temperature: 0.5, top_p: 0.9, max_tokens: 16, frequency_penalty: 0 },
        responses_per_item: 2,
        model: "unpriced-model",
        seed: 3,
        concurrency: 3,
      });
      const [a, b] = await Promise.all([
        executeBatchRun({ db, llm }, callerOf(user), run.id),
        executeBatchRun({ db, llm }, callerOf(user), run.id),
      ]);
      const final = a.succeeded_count >= b.succeeded_count ? a : b;
      equal(final.succeeded_count, 24);
      equal(model.control.stats().counters.completionsServed, 24, "each result called once");
      const results = await resultsOf(run.id);
      equal(results.length, 24);
      equal(results.every((r) => r.attempts === 1), true);
      equal(final.unpriced_results, 24, "an unknown model's results are counted unpriced");
      equal(Number(final.cost_usd), 0);
      equal(results.every((r) => r.cost_usd === null), true, "their cost is unknown, not $0");

      const [one] = await withAdmin((sql) =>
        sql<{ id: string }[]>`select id from public.batch_results where run_id = ${run.id} limit 1`
      );
      const replayed = await recordResults(db, caller, run.id, [{
        id: one.id,
        status: "failed",
        prompt: "x",
        response: {
          index: 0,
          status: "failed",
          parameters: { temperature: 0.5, top_p: 0.9, max_tokens: 16, frequency_penalty: 0 },
          latencyMs: 1,
          error: { code: "upstream_error", message: "late" },
        },
        errorCode: "upstream_error",
      }]);
      equal(replayed.failed_count, 0, "a finished result is never recorded again");
    }),
);

Deno.test(
  "a run whose calls failed ends failed and a resume retries only the failed results",
  dbTest,
  () =>
    withModel(async ({ db, llm, model }) => {
      const user = await createTestUser("resume-run");
      const caller = callerOf(user);
      const templateVersionId = await createTemplateVersion(user, "About {{topic}}.");
      const dataset = await createDatasetFromCsv(db, user, CSV);
      const run = await createBatchRun(db, caller, {
        template_version_id: templateVersionId,
        dataset_version_id: dataset.id,
        parameters: { temperature: 0.5, top_p: 0.9, max_tokens: 16, frequency_penalty: 0 },
        responses_per_item: 1,
        model: "gpt-4o",
        seed: 5,
        concurrency: 1,
      });
      model.control.set({ mode: "server_error", times: 4 });
      const failed = await executeBatchRun({ db, llm }, caller, run.id);
      equal(failed.status, "failed");
      equal(failed.failed_count, 4);
      equal(failed.succeeded_count, 8);
      equal(failed.error, "4 of 12 results failed: resume to retry them");

      const resumed = await resumeRun(db, caller, run.id);
      equal(resumed.status, "running");
      equal(resumed.failed_count, 0);
      const served = model.control.stats().counters.requestsReceived;
      const done = await executeBatchRun({ db, llm }, caller, run.id);
      equal(done.status, "completed");
      equal(done.succeeded_count, 12);
      equal(
        model.control.stats().counters.requestsReceived - served,
        4,
        "only the failed four ran again",
      );
      const attempts = (await resultsOf(run.id)).map((r) => r.attempts);
      equal(attempts.filter((n) => n === 2).length, 4);
    }),
);

Deno.test(
  "a template variable the dataset lacks refuses the run naming it; a stranger's dataset is not found",
  dbTest,
  () =>
    withModel(async ({ db }) => {
      const user = await createTestUser("lacks");
      const stranger = await createTestUser("lacks-stranger");
      const templateVersionId = await createTemplateVersion(
        user,
        "{{topic}} for {{audience}} by {{author}}",
      );
      const dataset = await createDatasetFromCsv(db, user, CSV);
      const request = {
        template_version_id: templateVersionId,
        dataset_version_id: dataset.id,
        parameters: { temperature: 0.5, top_p: 0.9, max_tokens: 16, frequency_penalty: 0 },
        responses_per_item: 1,
        model: "gpt-4o",
        seed: 1,
      };
      await rejects(createBatchRun(db, callerOf(user), request), (error: unknown) => {
        assert(error instanceof HttpError);
        equal(error.status, 400);
        equal(error.code, "missing_variables");
        equal(error.message, "The dataset lacks variables of the template: audience, author");
        return true;
      });
      await rejects(createBatchRun(db, callerOf(stranger), request), (error: unknown) => {
        assert(error instanceof HttpError);
        equal(error.status, 404);
        equal(error.code, "template_not_found");
        return true;
      });
      const [{ count }] = await withAdmin((sql) =>
        sql`select count(*)::int as count from public.batch_runs where user_id in (${user.id}, ${stranger.id})`
      );
      equal(count, 0);
    }),
);
