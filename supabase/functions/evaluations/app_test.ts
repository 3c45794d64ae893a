/**
 * The evaluations function in-process (`app.request`) against the real test
 * database: ratings and their rules, review queues per actor, judges with a
 * scripted model, agreement and per-bin analytics.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { BUILT_IN_CONFIGS } from "../_shared/contracts/evaluations.ts";
import type { LlmClient, LlmResult } from "../_shared/integrations/llm.ts";
import { startFunction } from "../_shared/runtime.ts";
import {
  createTestUser,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { createEvaluationsApp, evaluations } from "./app.ts";
import { createCalibration, createExperiment, METRICS } from "./test_fixtures.ts";

// deno-lint-ignore no-explicit-any -- response bodies are checked field by field
type Request = (path: string, init?: RequestInit) => Promise<{ status: number; body: any }>;

async function withApp(fn: (request: Request) => Promise<void>, llm?: LlmClient) {
  const started = startFunction(
    llm
      ? { ...evaluations, createApp: (runtime) => createEvaluationsApp(runtime, { llm }) }
      : evaluations,
    testEnv({ OPENAI_API_KEY: "sk-test" }),
  );
  try {
    await fn(async (path, init) => {
      const response = await started.app.request(path, init);
      return { status: response.status, body: await response.json() };
    });
  } finally {
    await flushBackground();
    await started.close();
  }
}

const get = (user: TestUser) => ({ headers: user.headers });
const post = (user: TestUser, body: unknown) => jsonRequest(user, body);

async function ownerWithExperiment() {
  const owner = await createTestUser("owner");
  const calibrationId = await createCalibration(owner);
  const experimentId = await createExperiment(owner, calibrationId, [
    { text: "The tide rises slowly.", temperature: 0.3, metrics: METRICS },
    { text: "Waves fold over the sand.", temperature: 1.1, metrics: METRICS },
    { text: "", temperature: 0.7 },
  ]);
  return { owner, calibrationId, experimentId };
}

Deno.test(
  "POST /evaluations/ratings stores, validates and revises the owner's rating",
  dbTest,
  async () => {
    const { owner, experimentId } = await ownerWithExperiment();
    const stranger = await createTestUser("stranger");
    await withApp(async (request) => {
      const rate = (user: TestUser, extra: Record<string, unknown>) =>
        request(
          "/evaluations/ratings",
          post(user, {
            experimentId,
            responseIndex: 0,
            configId: BUILT_IN_CONFIGS.realism,
            ...extra,
          }),
        );
      const first = await rate(owner, { value: 5, comment: "Plausible." });
      equal(first.status, 201);
      deepEqual(
        {
          value: first.body.data.value,
          revision: first.body.data.revision,
          source: first.body.data.source,
        },
        { value: 5, revision: 1, source: "human" },
      );
      const revised = await rate(owner, { value: 6 });
      equal(revised.status, 201);
      equal(revised.body.data.revision, 2, "a second rating of the same response revises it");
      equal(revised.body.data.id, first.body.data.id);

      const high = await rate(owner, { value: 8 });
      equal(high.status, 400);
      equal(high.body.error.code, "invalid_rating");
      equal(
        high.body.error.message,
        'Cannot accept rating: "value" must be between 1 and 7 for "realism"',
      );
      const wrongType = await rate(owner, { value: "5" });
      equal(wrongType.status, 400);
      assert(wrongType.body.error.message.includes('"value"'), wrongType.body.error.message);
      const failed = await request(
        "/evaluations/ratings",
        post(owner, {
          experimentId,
          responseIndex: 2,
          configId: BUILT_IN_CONFIGS.realism,
          value: 3,
        }),
      );
      equal(failed.status, 404, "a failed response cannot be rated");
      const notYours = await rate(stranger, { value: 4 });
      equal(notYours.status, 404, "rating a response you cannot see is a 404");
      equal(notYours.body.error.code, "response_not_found");
    });
  },
);

Deno.test("POST /evaluations/ratings refuses an archived config with 409", dbTest, async () => {
  const { owner, experimentId } = await ownerWithExperiment();
  const configId = await withAdmin(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.score_configs (user_id, name, data_type, categories, archived)
      values (${owner.id}, 'tone', 'categorical', array['dry', 'warm'], true) returning id`;
    return row.id;
  });
  await withApp(async (request) => {
    const response = await request(
      "/evaluations/ratings",
      post(owner, {
        experimentId,
        responseIndex: 0,
        configId,
        label: "dry",
      }),
    );
    equal(response.status, 409);
    equal(response.body.error.code, "config_archived");
  });
});

Deno.test(
  "a review queue shows reviewers the shared text only, leases items and takes their ratings",
  dbTest,
  async () => {
    const { owner, experimentId } = await ownerWithExperiment();
    const reviewer = await createTestUser("reviewer");
    const stranger = await createTestUser("stranger");
    await withApp(async (request) => {
      const created = await request(
        "/evaluations/queues",
        post(owner, {
          name: "Realism pass",
          configIds: [BUILT_IN_CONFIGS.realism, BUILT_IN_CONFIGS.quality],
          reviewers: [reviewer.email.toUpperCase()],
          experimentIds: [experimentId],
        }),
      );
      equal(created.status, 201);
      equal(created.body.data.items, 2, "the two succeeded responses are shared");
      const queueId = created.body.data.id;

      const next = await request(`/evaluations/queues/${queueId}/next`, get(reviewer));
      equal(next.status, 200);
      const item = next.body.data;
      equal(item.prompt, "Describe the tide.");
      equal(item.parameters, null, "parameters stay hidden unless the owner shows them");
      assert(["The tide rises slowly.", "Waves fold over the sand."].includes(item.responseText));
      deepEqual(item.configIds, [BUILT_IN_CONFIGS.realism, BUILT_IN_CONFIGS.quality]);
      equal(Object.hasOwn(item, "experimentId"), false, "the reviewer never learns the experiment");

      const again = await request(`/evaluations/queues/${queueId}/next`, get(reviewer));
      equal(
        again.body.data.itemId,
        item.itemId,
        "asking again while the lease holds gives the same item",
      );

      const bad = await request(
        `/evaluations/queues/items/${item.itemId}/ratings`,
        post(reviewer, {
          ratings: [{ configId: BUILT_IN_CONFIGS.realism, value: 0 }],
        }),
      );
      equal(bad.status, 400);
      const rated = await request(
        `/evaluations/queues/items/${item.itemId}/ratings`,
        post(reviewer, {
          ratings: [{ configId: BUILT_IN_CONFIGS.realism, value: 4 }, {
            configId: BUILT_IN_CONFIGS.quality,
            value: 5,
          }],
        }),
      );
      equal(rated.status, 201);
      deepEqual(rated.body.data.map((r: { value: number }) => r.value), [4, 5]);

      const second = await request(`/evaluations/queues/${queueId}/next`, get(reviewer));
      assert(second.body.data.itemId !== item.itemId, "the next item is one not rated yet");
      await request(
        `/evaluations/queues/items/${second.body.data.itemId}/ratings`,
        post(reviewer, {
          ratings: [{ configId: BUILT_IN_CONFIGS.realism, value: 6 }],
        }),
      );
      const done = await request(`/evaluations/queues/${queueId}/next`, get(reviewer));
      equal(done.status, 200);
      equal(done.body.data, null, "nothing is left for the reviewer");

      const strangerNext = await request(`/evaluations/queues/${queueId}/next`, get(stranger));
      equal(strangerNext.status, 404);
      const strangerRates = await request(
        `/evaluations/queues/items/${item.itemId}/ratings`,
        post(stranger, {
          ratings: [{ configId: BUILT_IN_CONFIGS.realism, value: 4 }],
        }),
      );
      equal(strangerRates.status, 404);
      const badId = await request(`/evaluations/queues/not-a-uuid/next`, get(reviewer));
      equal(badId.status, 400);
    });
  },
);

/** A model that answers from a script, in order, then repeats the last answer. */
function scriptedModel(replies: (string | null)[]): LlmClient & { calls: number } {
  const model = {
    calls: 0,
    complete(): Promise<LlmResult> {
      const reply = replies[Math.min(model.calls++, replies.length - 1)];
      return Promise.resolve(
        reply === null
          ? {
            status: "failed",
            error: { code: "timeout", message: "The model call timed out" },
            latencyMs: 1,
          }
          : {
            status: "succeeded",
            text: reply,
            finishReason: "stop",
            usage: null,
            latencyMs: 1,
            systemFingerprint: null,
          },
      );
    },
  };
  return model;
}

Deno.test(
  "a judge run stores verdicts once, keeps unparsable replies apart and retries failed calls",
  dbTest,
  async () => {
    const { owner, calibrationId, experimentId } = await ownerWithExperiment();
    const other = await createExperiment(owner, calibrationId, [
      { text: "Moonlight on the water.", temperature: 0.5, metrics: METRICS },
    ]);
    const model = scriptedModel(['{"score": 6, "reasoning": "Grounded."}', "I think a six", null]);
    await withApp(async (request) => {
      const version = await request(
        "/evaluations/judges",
        post(owner, {
          name: "Strict realism",
          rubric: "Rate how realistic the response is.",
          configId: BUILT_IN_CONFIGS.realism,
        }),
      );
      equal(version.status, 201);
      equal(version.body.data.version, 1);
      const v2 = await request(
        "/evaluations/judges",
        post(owner, {
          name: "Strict realism",
          rubric: "Rate realism; be strict.",
          configId: BUILT_IN_CONFIGS.realism,
        }),
      );
      equal(v2.body.data.version, 2, "a second version of the same judge");
      const judgeVersionId = version.body.data.judgeVersionId;

      const run = await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId, calibrationId }),
      );
      equal(run.status, 200);
      deepEqual(
        {
          scored: run.body.data.scored,
          unparsable: run.body.data.unparsable,
          failed: run.body.data.failed,
          remaining: run.body.data.remaining,
        },
        { scored: 1, unparsable: 1, failed: 1, remaining: 1 },
      );
      const verdicts = await withAdmin((sql) =>
        sql<{ status: string; value: string | null; raw_reply: string }[]>`
        select status, value, raw_reply from public.judge_verdicts where judge_version_id = ${judgeVersionId}
         order by status`
      );
      deepEqual(verdicts.map((v) => [v.status, v.value === null ? null : Number(v.value)]), [[
        "scored",
        6,
      ], ["unparsable", null]]);
      equal(verdicts[1].raw_reply, "I think a six", "the unparsable reply is kept as it came");
      const judgeRatings = await withAdmin((sql) =>
        sql`select 1 from public.ratings where judge_version_id = ${judgeVersionId}`
      );
      equal(judgeRatings.length, 1, "only the scored verdict is a rating");

      const retry = await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId, experimentIds: [experimentId, other] }),
      );
      equal(retry.body.data.remaining, 1, "the model still fails, so the response stays to judge");
      equal(
        retry.body.data.scored + retry.body.data.unparsable,
        0,
        "judged responses are not judged again",
      );
    }, model);

    const working = scriptedModel(['{"score": 3, "reasoning": "Odd."}']);
    await withApp(async (request) => {
      const judgeVersionId = (await withAdmin((sql) =>
        sql<
          { id: string }[]
        >`select id from public.judge_versions where user_id = ${owner.id} and version = 1`
      ))[0].id;
      const rerun = await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId, calibrationId }),
      );
      deepEqual(
        { scored: rerun.body.data.scored, remaining: rerun.body.data.remaining },
        { scored: 1, remaining: 0 },
      );
      equal(working.calls, 1, "a rerun judges only what has no verdict");
      const idle = await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId, calibrationId }),
      );
      deepEqual({ scored: idle.body.data.scored, remaining: idle.body.data.remaining }, {
        scored: 0,
        remaining: 0,
      });
      equal(working.calls, 1);
    }, working);
  },
);

Deno.test(
  "judge runs refuse another user's judge and a request without a selection",
  dbTest,
  async () => {
    const { owner, calibrationId } = await ownerWithExperiment();
    const stranger = await createTestUser("stranger");
    await withApp(async (request) => {
      const version = await request(
        "/evaluations/judges",
        post(owner, {
          name: "J",
          rubric: "Rate.",
          configId: BUILT_IN_CONFIGS.quality,
        }),
      );
      const judgeVersionId = version.body.data.judgeVersionId;
      const theirs = await request(
        "/evaluations/judge-runs",
        post(stranger, { judgeVersionId, calibrationId }),
      );
      equal(theirs.status, 404);
      const nothing = await request("/evaluations/judge-runs", post(owner, { judgeVersionId }));
      equal(nothing.status, 400);
      const categorical = await request(
        "/evaluations/judges",
        post(owner, {
          name: "K",
          rubric: "Rate.",
          configId: "00000000-0000-4000-8000-000000000000",
        }),
      );
      equal(categorical.status, 400, "a judge needs a numeric config the caller can use");
    }, scriptedModel(['{"score": 4, "reasoning": "x"}']));
  },
);

Deno.test(
  "GET /evaluations/agreement and /bins summarise people, the judge and the heuristics",
  dbTest,
  async () => {
    const { owner, calibrationId, experimentId } = await ownerWithExperiment();
    const reviewer = await createTestUser("reviewer");
    await withApp(async (request) => {
      const queue = await request(
        "/evaluations/queues",
        post(owner, {
          name: "Pass",
          configIds: [BUILT_IN_CONFIGS.realism],
          reviewers: [reviewer.email],
          calibrationId,
        }),
      );
      for (let taken = 0; taken < 2; taken++) {
        const item =
          (await request(`/evaluations/queues/${queue.body.data.id}/next`, get(reviewer))).body
            .data;
        const lowTemperature = item.responseText === "The tide rises slowly.";
        await request(
          `/evaluations/queues/items/${item.itemId}/ratings`,
          post(reviewer, {
            ratings: [{ configId: BUILT_IN_CONFIGS.realism, value: lowTemperature ? 5 : 2 }],
          }),
        );
      }
      for (const [responseIndex, value] of [[0, 6], [1, 2]]) {
        await request(
          "/evaluations/ratings",
          post(owner, { experimentId, responseIndex, configId: BUILT_IN_CONFIGS.realism, value }),
        );
      }
      const version = await request(
        "/evaluations/judges",
        post(owner, {
          name: "J",
          rubric: "Rate.",
          configId: BUILT_IN_CONFIGS.realism,
        }),
      );
      await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId: version.body.data.judgeVersionId, calibrationId }),
      );

      const agreement = await request(
        `/evaluations/agreement?configId=${BUILT_IN_CONFIGS.realism}&calibrationId=${calibrationId}`,
        get(owner),
      );
      equal(agreement.status, 200);
      const { judgeVsHuman, humans } = agreement.body.data;
      equal(judgeVsHuman.judgeVersionId, version.body.data.judgeVersionId);
      equal(judgeVsHuman.exact.n, 4, "two people rated two responses the judge also rated");
      equal(humans.raters, 2);
      equal(humans.krippendorffAlpha.n, 2);
      assert(humans.krippendorffAlpha.value > 0.5, "the two people broadly agree");

      const bins = await request(
        `/evaluations/bins?calibrationId=${calibrationId}&bins=2`,
        get(owner),
      );
      equal(bins.status, 200);
      const human = bins.body.data.filter((b: { configId: string; source: string }) =>
        b.configId === BUILT_IN_CONFIGS.realism && b.source === "human"
      );
      deepEqual(
        human.map((b: { bin: number; mean: number; count: number }) => [b.bin, b.mean, b.count]),
        [
          [1, 5.5, 2],
          [2, 2, 2],
        ],
        "people prefer the low-temperature response",
      );
      assert(bins.body.data.some((b: { source: string }) => b.source === "heuristic"));
      const badParameter = await request(
        `/evaluations/bins?calibrationId=${calibrationId}&parameter=seed`,
        get(owner),
      );
      equal(badParameter.status, 400);
    }, scriptedModel(['{"score": 5, "reasoning": "x"}', '{"score": 3, "reasoning": "y"}']));
  },
);
