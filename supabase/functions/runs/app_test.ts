/**
 * The runs function in-process (`app.request`) against the test database
 * and the offline model server through the real `openai` SDK: a run of a
 * template (by name and label) over a dataset version, worked in bounded
 * slices until it completes with every repeat kept and its cost; a
 * template variable the dataset lacks refused naming it; a stranger's run
 * not found.
 */
import { equal, ok as assert } from "node:assert/strict";
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
import { createRunsApp, runsEnvSchema } from "./app.ts";

type Post = (
  user: TestUser,
  path: string,
  body: unknown,
) => Promise<{ status: number; body: Envelope }>;

async function withRuns(fn: (post: Post) => Promise<void>) {
  const model = await startModelServer({ port: 0 });
  const runtime = createRuntime(
    readEnv(runsEnvSchema, testEnv({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: model.url })),
  );
  const app = createRunsApp(runtime);
  try {
    await fn(async (user, path, body) => {
      const response = await app.request(path, jsonRequest(user, body));
      return { status: response.status, body: await response.json() };
    });
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
  "POST /runs then /runs/:id/work in slices completes a run with every repeat and its cost",
  dbTest,
  () =>
    withRuns(async (post) => {
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
      equal(created.status, 201, JSON.stringify(created.body));
      const runId = created.body.data.id;
      equal(created.body.data.total_results, 12);

      const slice = await post(user, `/runs/${runId}/work`, { maxResults: 5 });
      equal(slice.status, 200, JSON.stringify(slice.body));
      equal(slice.body.data.status, "running");
      equal(slice.body.data.succeeded_count, 5);
      const rest = await post(user, `/runs/${runId}/work`, {});
      equal(rest.body.data.status, "completed");
      equal(rest.body.data.succeeded_count, 12);
      assert(Number(rest.body.data.cost_usd) > 0, "the run's cost is known for gpt-4o");

      const stranger = await createTestUser("runs-fn-stranger");
      const theirs = await post(stranger, `/runs/${runId}/work`, {});
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
