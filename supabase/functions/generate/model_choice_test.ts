/**
 * A run on a model from the admins' list: called on its provider's endpoint
 * with the key its provider's secret holds, stored under its name; an
 * unknown, disabled or ambiguous model is a 400 naming why, a provider
 * without its key a 503, and no key ever reaches an answer or a row.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { createTestUser, dbTest, withAdmin } from "../tests/harness.ts";
import { startModelServer } from "../../../scripts/model_server/main.ts";
import { createTestCalibration } from "./test_fixtures.ts";
import { withGenerate } from "./test_app.ts";

const PROVIDER_KEY = "sk-provider-SECRET456";

/** A provider on `baseUrl` whose key is in secret `secretName`, listing `models` (name -> enabled). */
async function listProvider(
  name: string,
  baseUrl: string,
  secretName: string,
  models: Record<string, boolean>,
) {
  await withAdmin(async (sql) => {
    const [provider] = await sql<{ id: string }[]>`
      insert into public.model_providers (name, base_url, api_key_secret)
      values (${name}, ${baseUrl}, ${secretName}) returning id`;
    for (const [model, enabled] of Object.entries(models)) {
      await sql`insert into public.models (provider_id, name, context_window, enabled)
                values (${provider.id}, ${model}, 8192, ${enabled})`;
    }
  });
}

Deno.test(
  "generate calls a listed model on its provider's endpoint with the provider's key",
  dbTest,
  async () => {
    const user = await createTestUser("model-choice");
    const calibrationId = await createTestCalibration(user);
    const providerServer = await startModelServer({ port: 0 });
    const suffix = crypto.randomUUID().slice(0, 8);
    const model = `listed-${suffix}`;
    await listProvider(
      `prov-${suffix}`,
      providerServer.url,
      `LAB_TEST_KEY_${suffix.toUpperCase()}`,
      { [model]: true },
    );
    const asked: string[] = [];
    try {
      await withGenerate({
        secret: (name) => {
          asked.push(name);
          return name === `LAB_TEST_KEY_${suffix.toUpperCase()}` ? PROVIDER_KEY : undefined;
        },
      }, async ({ post, model: defaultServer }) => {
        const { status, body } = await post(user, {
          prompt: "Name a tide.",
          calibration_id: calibrationId,
          numResponses: 2,
          model,
        });
        equal(status, 200, JSON.stringify(body));
        equal(body.data.model, model);
        equal(
          providerServer.control.stats().counters.requestsReceived,
          2,
          "the provider's endpoint answered",
        );
        equal(
          defaultServer.control.stats().counters.requestsReceived,
          0,
          "the default endpoint was not called",
        );
        deepEqual(asked, [`LAB_TEST_KEY_${suffix.toUpperCase()}`]);
        assert(!JSON.stringify(body).includes(PROVIDER_KEY));
        const [row] = await withAdmin((sql) =>
          sql<{ model: string; text: string }[]>`
          select model, row_to_json(e)::text as text from public.experiments as e where id = ${body.data.experimentId}`
        );
        equal(row.model, model);
        assert(!row.text.includes(PROVIDER_KEY), "the key is in no row");
      });
    } finally {
      await providerServer.shutdown();
    }
  },
);

Deno.test(
  "an unknown, disabled or ambiguous model is a 400 naming why; a provider without its key a 503",
  dbTest,
  async () => {
    const user = await createTestUser("model-refused");
    const calibrationId = await createTestCalibration(user);
    const suffix = crypto.randomUUID().slice(0, 8);
    const shared = `shared-${suffix}`;
    await listProvider(
      `a-${suffix}`,
      "http://127.0.0.1:9/v1",
      `LAB_TEST_A_${suffix.toUpperCase()}`,
      {
        [shared]: true,
        [`off-${suffix}`]: false,
      },
    );
    await listProvider(
      `b-${suffix}`,
      "http://127.0.0.1:9/v1",
      `LAB_TEST_B_${suffix.toUpperCase()}`,
      { [shared]: true },
    );
    await withGenerate({ secret: () => undefined }, async ({ post }) => {
      const ask = (extra: Record<string, unknown>) =>
        post(user, { prompt: "Hi", calibration_id: calibrationId, numResponses: 1, ...extra });
      const unknown = await ask({ model: `nope-${suffix}` });
      deepEqual([unknown.status, unknown.body.error.code], [400, "model_not_found"]);
      const disabled = await ask({ model: `off-${suffix}` });
      deepEqual([disabled.status, disabled.body.error.code], [400, "model_not_found"]);
      const ambiguous = await ask({ model: shared });
      deepEqual([ambiguous.status, ambiguous.body.error.code], [400, "model_ambiguous"]);
      const keyless = await ask({ model: shared, provider: `b-${suffix}` });
      deepEqual([keyless.status, keyless.body.error.code], [503, "model_unavailable"]);
      const orphan = await ask({ provider: `b-${suffix}` });
      deepEqual([orphan.status, orphan.body.error.code], [400, "validation_failed"]);
    });
    const [count] = await withAdmin((sql) =>
      sql<
        { n: number }[]
      >`select count(*)::int as n from public.experiments where user_id = ${user.id}`
    );
    equal(count.n, 0, "a refused model stores no experiment");
  },
);
