/**
 * generate with prompt templates and costs, in-process against the test
 * database and the offline model server through the real `openai` SDK: a
 * template version by name and label, by id and number, or the newest;
 * every variable required (400 naming the missing ones, no model call);
 * someone else's template like a missing one; the version's default
 * parameters and system prompt; the version and variables recorded on the
 * experiment; every response priced from its usage, and an unknown model's
 * cost unknown, never $0.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import type { GenerateResult } from "../_shared/contracts/generate.ts";
import { createLlmClient, type LlmClient } from "../_shared/integrations/llm.ts";
import { createTestUser, dbTest, type TestUser, withAdmin } from "../tests/harness.ts";
import { createTestCalibration } from "./test_fixtures.ts";
import { FAKE_KEY, withGenerate } from "./test_app.ts";

/** A template with two versions (v2 with a system prompt and default parameters), production at v1. */
async function createTemplate(user: TestUser, name = "letters") {
  return await withAdmin(async (sql) => {
    const [template] = await sql<{ id: string }[]>`
      insert into public.prompt_templates (user_id, name) values (${user.id}, ${name}) returning id`;
    const versions = await sql<{ id: string; version: number }[]>`
      insert into public.prompt_template_versions (template_id, user_id, body, system_prompt, default_parameters, commit_message)
      values (${template.id}, ${user.id}, 'Write a letter about {{topic}}.', null, null, 'first'),
             (${template.id}, ${user.id}, 'Write a {{tone}} letter to {{name}} about {{topic}}.',
              'You are a {{tone}} letter writer.',
              ${sql.json({ temperature: 0.3, top_p: 0.8, max_tokens: 48, frequency_penalty: 0.1 })},
              'tone and name')
      returning id, version`;
    await sql`insert into public.prompt_template_labels (template_id, user_id, label, version)
              values (${template.id}, ${user.id}, 'production', 1)`;
    return { id: template.id, v1: versions[0].id, v2: versions[1].id };
  });
}

/** The offline model through the real SDK, recording every request. */
function recordingLlm(baseURL: string) {
  const requests: Parameters<LlmClient["complete"]>[0][] = [];
  const real = createLlmClient({ apiKey: FAKE_KEY, baseURL, timeoutMs: 5000, maxRetries: 0 });
  const llm: LlmClient = {
    complete(request) {
      requests.push(request);
      return real.complete(request);
    },
  };
  return { llm, requests };
}

Deno.test(
  "a template by name and label renders the prompt, records version and variables, and prices every response",
  dbTest,
  async () => {
    const user = await createTestUser("templated");
    const calibrationId = await createTestCalibration(user);
    const template = await createTemplate(user);
    await withGenerate({}, async ({ post }) => {
      const { status, body } = await post(user, {
        template: { name: "letters", label: "production" },
        variables: { topic: "the harbour", unused: 7 },
        calibration_id: calibrationId,
        numResponses: 3,
      });
      equal(status, 200, JSON.stringify(body));
      const result: GenerateResult = body.data;
      deepEqual(result.template, {
        versionId: template.v1,
        templateId: template.id,
        name: "letters",
        version: 1,
        variables: { topic: "the harbour", unused: "7" },
      });
      equal(result.design, "latin-hypercube", "v1 has no default parameters");

      const [price] = await withAdmin((sql) =>
        sql<{ id: string; input: string; output: string }[]>`
          select id, input_per_million as input, output_per_million as output
            from public.model_prices where user_id is null and model = 'gpt-4o'
           order by effective_from desc limit 1`
      );
      let total = 0;
      for (const response of result.responses) {
        assert(response.status === "succeeded");
        const usage = response.usage!;
        const usd = (usage.promptTokens * Number(price.input) +
          usage.completionTokens * Number(price.output)) / 1e6;
        equal(response.cost?.priceId, price.id, "priced with the lab's gpt-4o price");
        assert(Math.abs(response.cost!.usd - usd) < 1e-9, `${response.cost!.usd} ≈ ${usd}`);
        assert(response.cost!.usd > 0);
        total += usd;
      }
      assert(Math.abs(result.costUsd! - total) < 1e-9, "the experiment's cost is the sum");
      equal(result.unpricedResponses, 0);

      await withAdmin(async (sql) => {
        const [row] = await sql`
          select prompt, template_version_id::text, template_variables, cost_usd::float8 as cost,
                 unpriced_responses, responses
            from public.experiments where id = ${result.experimentId}`;
        equal(row.prompt, "Write a letter about the harbour.");
        equal(row.template_version_id, template.v1);
        deepEqual(row.template_variables, { topic: "the harbour", unused: "7" });
        assert(Math.abs(row.cost - result.costUsd!) < 1e-9);
        equal(row.unpriced_responses, 0);
        deepEqual(row.responses, result.responses, "the answer is what was stored");
      });
    });
  },
);

Deno.test(
  "the newest version sends its system prompt and uses its default parameters; a version number picks an older one",
  dbTest,
  async () => {
    const user = await createTestUser("defaults");
    const calibrationId = await createTestCalibration(user);
    const template = await createTemplate(user);
    await withGenerate({}, async ({ post, model }) => {
      const { llm, requests } = recordingLlm(model.url);
      await withGenerate({ llm }, async (withRecording) => {
        const { status, body } = await withRecording.post(user, {
          template: { id: template.id },
          variables: { topic: "rain", tone: "cheerful", name: "Ada" },
          calibration_id: calibrationId,
          numResponses: 2,
        });
        equal(status, 200, JSON.stringify(body));
        equal(body.data.template?.version, 2, "no version or label means the newest");
        equal(body.data.design, "explicit");
        for (const response of body.data.responses) {
          deepEqual(response.parameters, {
            temperature: 0.3,
            top_p: 0.8,
            max_tokens: 48,
            frequency_penalty: 0.1,
          });
        }
        equal(requests.length, 2);
        for (const request of requests) {
          equal(request.prompt, "Write a cheerful letter to Ada about rain.");
          equal(request.system, "You are a cheerful letter writer.");
        }
      });
      const older = await post(user, {
        template: { id: template.id, version: 1 },
        variables: { topic: "snow" },
        calibration_id: calibrationId,
        numResponses: 1,
      });
      equal(older.status, 200, JSON.stringify(older.body));
      equal(older.body.data.template?.versionId, template.v1);
    });
  },
);

Deno.test(
  "a missing variable answers 400 naming every missing one, calls no model and releases the key for the corrected request",
  dbTest,
  async () => {
    const user = await createTestUser("missing");
    const calibrationId = await createTestCalibration(user);
    await createTemplate(user);
    await withGenerate({}, async ({ post, model }) => {
      const request = {
        template: { name: "letters", label: "latest" },
        variables: { topic: "fog" },
        calibration_id: calibrationId,
      };
      const { status, body } = await post(user, request, { "idempotency-key": "tmpl-1" });
      equal(status, 400);
      equal(body.error.code, "missing_variables");
      equal(
        body.error.message,
        "Cannot render template letters version 2: missing variables tone, name",
      );
      deepEqual(body.error.details.missing, ["tone", "name"]);
      equal(model.control.stats().counters.completionsServed, 0, "no model call");

      const fixed = await post(user, {
        ...request,
        variables: { topic: "fog", tone: "calm", name: "Bo" },
      }, { "idempotency-key": "tmpl-1" });
      equal(fixed.status, 200, "the key was released, so the corrected request runs under it");
      const rows = await withAdmin((sql) =>
        sql`select template_variables from public.experiments where user_id = ${user.id}`
      );
      deepEqual(
        rows.map((r) => r.template_variables),
        [{ topic: "fog", tone: "calm", name: "Bo" }],
        "only the corrected request stored an experiment",
      );
    });
  },
);

Deno.test(
  "someone else's template, a missing label and a prompt together with a template are refused",
  dbTest,
  async () => {
    const owner = await createTestUser("tmpl-owner");
    const stranger = await createTestUser("tmpl-stranger");
    const template = await createTemplate(owner);
    const calibrationId = await createTestCalibration(stranger);
    await withGenerate({}, async ({ post }) => {
      const stolen = await post(stranger, {
        template: { id: template.id, version: 1 },
        variables: { topic: "secrets" },
        calibration_id: calibrationId,
      });
      equal(stolen.status, 404);
      equal(stolen.body.error.code, "template_not_found");
      equal(stolen.body.error.message, `Prompt template not found: ${template.id} version 1`);

      await createTemplate(stranger, "mine");
      const noLabel = await post(stranger, {
        template: { name: "mine", label: "staging" },
        variables: { topic: "x" },
        calibration_id: calibrationId,
      });
      equal(noLabel.status, 404);
      equal(noLabel.body.error.message, "Prompt template not found: mine label staging");

      const both = await post(stranger, {
        prompt: "Hi",
        template: { name: "mine" },
        calibration_id: calibrationId,
      });
      equal(both.status, 400);
      equal(both.body.error.code, "validation_failed");
    });
  },
);

Deno.test(
  "a model without a price answers responses whose cost is unknown, never $0",
  dbTest,
  async () => {
    const user = await createTestUser("unpriced");
    const calibrationId = await createTestCalibration(user);
    await withGenerate({ env: { LAB_MODEL: "home-made-7b" } }, async ({ post }) => {
      const { status, body } = await post(user, {
        prompt: "Name three rivers.",
        calibration_id: calibrationId,
        numResponses: 2,
      });
      equal(status, 200, JSON.stringify(body));
      equal(body.data.costUsd, null);
      equal(body.data.unpricedResponses, 2);
      for (const response of body.data.responses) {
        assert(response.status === "succeeded");
        equal(response.cost, null);
      }
      const [row] = await withAdmin((sql) =>
        sql`select cost_usd, unpriced_responses from public.experiments where id = ${body.data.experimentId}`
      );
      deepEqual({ ...row }, { cost_usd: null, unpriced_responses: 2 });
    });
  },
);
