/**
 * The runs function in-process (`app.request`) against the test database,
 * its jobs worked by the `batch_run` handler through the real `openai` SDK
 * against the offline model server: a run of a template (by name and
 * label) over a dataset version starts its job (202), which completes it
 * with every repeat kept and its cost; a resume of a completed run has
 * nothing to do; a template variable the dataset lacks is refused naming
 * it; a stranger's run is not found.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { createDatabase } from "../_shared/db/client.ts";
import { readEnv } from "../_shared/env.ts";
import { createRuntime } from "../_shared/runtime.ts";
import {
  createCalibration,
  createDatasetFromCsv,
  createTemplateVersion,
} from "../_shared/batch_runs/test_fixtures.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { startModelServer } from "../../../scripts/model_server/main.ts";
import { batchRunJobHandler } from "../_shared/batch_runs/job.ts";
import { createLlmClient } from "../_shared/integrations/llm.ts";
import { runJobToEnd } from "../_shared/jobs/testing.ts";
import { createRunsApp, runsEnvSchema } from "./app.ts";

type Post = (
  user: TestUser,
  path: string,
  body: unknown,
) => Promise<{ status: number; body: Envelope }>;

async function withRuns(
  fn: (post: Post, work: (jobId: string) => Promise<string>) => Promise<void>,
) {
  const model = await startModelServer({ port: 0 });
  const runtime = createRuntime(readEnv(runsEnvSchema, testEnv()));
  const app = createRunsApp(runtime);
  const handler = batchRunJobHandler({
    db: runtime.db,
    llm: createLlmClient({ apiKey: "sk-test", baseURL: model.url, timeoutMs: 5000, maxRetries: 0 }),
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
    await model.shutdown();
  }
}

/** The answer envelope; fields are read as the test needs them. */
// deno-lint-ignore no-explicit-any
type Envelope = { data: any; error: { code: string; message: string } };

const CSV = "topic\n" + Array.from({ length: 6 }, (_, i) => `subject ${i}`).join("\n") + "\n";

Deno.test(
  "POST /runs starts the run's job, which completes it with every repeat and its cost",
  dbTest,
  () =>
    withRuns(async (post, work) => {
      const user = await createTestUser("runs-fn");
      const db = createDatabase(databaseUrl, { max: 2 });
      const dataset = await createDatasetFromCsv(db, user, CSV).finally(() => db.end());
      await createTemplateVersion(user, "Write two lines about {{topic}}.");
      const [template] = await withAdmin((sql) =>
        sql<
          { id: string; name: string }[]
        >`select t.id, t.name from public.prompt_templates t where t.user_id = ${user.id}`
      );
      await withAdmin((sql) =>
        sql`insert into public.prompt_template_labels (template_id, user_id, label, version)
            values (${template.id}, ${user.id}, 'production', 1)`
      );
      const calibrationId = await createCalibration(user);

      const created = await post(user, "/runs", {
        template: { name: template.name, label: "production" },
        datasetVersionId: dataset.id,
        calibrationId,
        responsesPerItem: 2,
        concurrency: 4,
        seed: 42,
      });
      equal(created.status, 202, JSON.stringify(created.body));
      const { run, job } = created.body.data;
      equal(run.total_results, 12);
      equal(run.status, "pending");
      deepEqual([job.id, job.kind, job.status], [run.id, "batch_run", "queued"]);
      equal(await work(job.id), "succeeded");
      const [done] = await withAdmin((sql) =>
        sql`select status, succeeded_count, cost_usd from public.batch_runs where id = ${run.id}`
      );
      equal(done.status, "completed");
      equal(done.succeeded_count, 12);
      assert(Number(done.cost_usd) > 0, "the run's cost is known for gpt-4o");
      const resumed = await post(user, `/runs/${run.id}/resume`, {});
      equal(resumed.status, 200);
      equal(resumed.body.data.job, null, "a completed run has nothing to resume");
      const runId = run.id;

      const stranger = await createTestUser("runs-fn-stranger");
      const theirs = await post(stranger, `/runs/${runId}/resume`, {});
      equal(theirs.status, 404);
      equal(theirs.body.error.code, "batch_run_not_found");
    }),
);

Deno.test(
  "a run whose template needs a variable the dataset lacks is refused naming it",
  dbTest,
  () =>
    withRuns(async (post) => {
      const user = await createTestUser("runs-lacks");
      const db = createDatabase(databaseUrl, { max: 2 });
      const dataset = await createDatasetFromCsv(db, user, CSV).finally(() => db.end());
      const versionId = await createTemplateVersion(user, "{{topic}} in the voice of {{narrator}}");
      const refused = await post(user, "/runs", {
        templateVersionId: versionId,
        datasetVersionId: dataset.id,
        parameters: { temperature: 0.7, top_p: 0.9, max_tokens: 32, frequency_penalty: 0 },
      });
      equal(refused.status, 400);
      equal(refused.body.error.code, "missing_variables");
      equal(refused.body.error.message, "The dataset lacks variables of the template: narrator");
      const noDesign = await post(user, "/runs", {
        templateVersionId: versionId,
        datasetVersionId: dataset.id,
      });
      equal(noDesign.status, 400);
      equal(noDesign.body.error.code, "parameters_required");
    }),
);
