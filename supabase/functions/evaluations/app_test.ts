/**
 * The evaluations function in-process (`app.request`) against the real test
 * database: ratings and their rules, review queues per actor, judge runs as
 * `judge_run` jobs worked by their handler with a scripted model (slice by
 * slice, as separate worker invocations would), agreement and per-bin
 * analytics.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { BUILT_IN_CONFIGS } from "../_shared/contracts/evaluations.ts";
import type { LlmClient, LlmResult } from "../_shared/integrations/llm.ts";
import { createDatabase } from "../_shared/db/client.ts";
import { type JobView, readJob } from "../_shared/jobs/queue.ts";
import { runJobToEnd } from "../_shared/jobs/testing.ts";
import { startFunction } from "../_shared/runtime.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { evaluations } from "./app.ts";
import { judgeRunJobHandler } from "./judge_job.ts";
import { createCalibration, createExperiment, METRICS } from "./test_fixtures.ts";

// deno-lint-ignore no-explicit-any -- response bodies are checked field by field
type Request = (path: string, init?: RequestInit) => Promise<{ status: number; body: any }>;

/** A judge run: the POST's answer, and the job once its handler has worked it to the end. */
interface JudgeRun {
  status: number;
  // deno-lint-ignore no-explicit-any -- response bodies are checked field by field
  body: any;
  job: JobView | null;
  invocations: number;
}

/** Posts a judge run as `user` and works its job to the end with `llm`, `sliceBudgetMs` per invocation. */
type Judge = (
  user: TestUser,
  body: unknown,
  options?: { sliceBudgetMs?: number },
) => Promise<JudgeRun>;

async function withApp(fn: (request: Request, judge: Judge) => Promise<void>, llm?: LlmClient) {
  const started = startFunction(evaluations, testEnv({ OPENAI_API_KEY: "sk-test" }));
  const db = createDatabase(databaseUrl, { max: 2 });
  const request: Request = async (path, init) => {
    const response = await started.app.request(path, init);
    return { status: response.status, body: await response.json() };
  };
  const judge: Judge = async (user, body, options = {}) => {
    const answer = await request("/evaluations/judge-runs", post(user, body));
    if (answer.status !== 202) return { ...answer, job: null, invocations: 0 };
    const handler = judgeRunJobHandler({ db, llm: llm ?? null });
    const { invocations } = await runJobToEnd(db, [handler], answer.body.data.id, {
      sliceBudgetMs: options.sliceBudgetMs ?? 60_000,
    });
    const caller = {
      claims: { sub: user.id, role: "authenticated" },
      correlationId: crypto.randomUUID(),
    };
    const job = await db.withUser(caller, (tx) => readJob(tx, answer.body.data.id));
    return { ...answer, job, invocations };
  };
  try {
    await fn(request, judge);
  } finally {
    await flushBackground();
    await started.close();
    await db.end();
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
  "a judge run is a job: verdicts stored once, unparsable replies apart, failed calls skipped and tried by the next run",
  dbTest,
  async () => {
    const { owner, calibrationId, experimentId } = await ownerWithExperiment();
    const other = await createExperiment(owner, calibrationId, [
      { text: "Moonlight on the water.", temperature: 0.5, metrics: METRICS },
    ]);
    const model = scriptedModel(['{"score": 6, "reasoning": "Grounded."}', "I think a six", null]);
    let judgeVersionId = "";
    await withApp(async (request, judge) => {
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
      judgeVersionId = version.body.data.judgeVersionId;

      const run = await judge(owner, { judgeVersionId, calibrationId });
      equal(run.status, 202, JSON.stringify(run.body));
      deepEqual(
        [run.body.data.kind, run.body.data.status, run.body.data.progress.total],
        ["judge_run", "queued", 3],
        "the answer is the queued job, its total the responses not judged yet",
      );
      equal(run.job?.status, "succeeded");
      deepEqual(run.job?.result, { judgeVersionId, scored: 1, unparsable: 1, failed: 1 });
      deepEqual(
        [run.job?.progress.done, run.job?.progress.skipped, run.job?.progress.skippedByReason],
        [2, 1, { model_failed: 1 }],
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

      const retry = await judge(owner, { judgeVersionId, experimentIds: [experimentId, other] });
      equal(retry.body.data.progress.total, 1, "only the failed response is left to judge");
      equal(retry.job?.status, "failed", "the model still fails: every call of the batch failed");
    }, model);

    const working = scriptedModel(['{"score": 3, "reasoning": "Odd."}']);
    await withApp(async (_request, judge) => {
      const rerun = await judge(owner, { judgeVersionId, calibrationId });
      deepEqual(rerun.job?.result, { judgeVersionId, scored: 1, unparsable: 0, failed: 0 });
      equal(working.calls, 1, "a rerun judges only what has no verdict");
      const idle = await judge(owner, { judgeVersionId, calibrationId });
      deepEqual(idle.job?.result, { judgeVersionId, scored: 0, unparsable: 0, failed: 0 });
      equal(working.calls, 1);
    }, working);
  },
);

Deno.test(
  "a judge run crosses invocations from its checkpoint and stops when its owner cancels it",
  dbTest,
  async () => {
    const owner = await createTestUser("owner");
    const calibrationId = await createCalibration(owner);
    const many = Array.from({ length: 10 }, (_, i) => ({
      text: `Answer ${i}.`,
      temperature: 0.2 + i / 20,
      metrics: METRICS,
    }));
    await createExperiment(owner, calibrationId, many);
    await createExperiment(owner, calibrationId, many);
    const replies = Array.from(
      { length: 20 },
      (_, i) => `{"score": ${1 + (i % 7)}, "reasoning": "r"}`,
    );
    const model = scriptedModel(replies);
    await withApp(async (request, judge) => {
      const version = await request(
        "/evaluations/judges",
        post(owner, { name: "Sliced", rubric: "Rate.", configId: BUILT_IN_CONFIGS.realism }),
      );
      const judgeVersionId = version.body.data.judgeVersionId;
      const run = await judge(owner, { judgeVersionId, calibrationId }, { sliceBudgetMs: 1 });
      equal(run.job?.status, "succeeded");
      assert(
        run.invocations >= 3,
        `20 responses in batches of 8 take 3 slices, took ${run.invocations}`,
      );
      deepEqual(run.job?.result, { judgeVersionId, scored: 20, unparsable: 0, failed: 0 });
      equal(model.calls, 20, "no response was judged twice across the slices");
      const [{ verdicts }] = await withAdmin((sql) =>
        sql<{ verdicts: number }[]>`
          select count(*)::int as verdicts from public.judge_verdicts where judge_version_id = ${judgeVersionId}`
      );
      equal(verdicts, 20);

      const v2 = await request(
        "/evaluations/judges",
        post(owner, { name: "Sliced", rubric: "Rate again.", configId: BUILT_IN_CONFIGS.realism }),
      );
      const started = await request(
        "/evaluations/judge-runs",
        post(owner, { judgeVersionId: v2.body.data.judgeVersionId, calibrationId }),
      );
      equal(started.status, 202);
      const db = createDatabase(databaseUrl, { max: 1 });
      try {
        const caller = {
          claims: { sub: owner.id, role: "authenticated" },
          correlationId: crypto.randomUUID(),
        };
        await db.withUser(caller, (tx) => tx`select public.cancel_job(${started.body.data.id})`);
        const handler = judgeRunJobHandler({ db, llm: scriptedModel(replies) });
        const ended = await runJobToEnd(db, [handler], started.body.data.id, { sliceBudgetMs: 1 });
        equal(ended.status, "cancelled");
      } finally {
        await db.end();
      }
      const [{ judged }] = await withAdmin((sql) =>
        sql<{ judged: number }[]>`
          select count(*)::int as judged from public.judge_verdicts
           where judge_version_id = ${v2.body.data.judgeVersionId}`
      );
      assert(judged < 20, `a cancelled run stops: ${judged} of 20 judged`);
    }, model);
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
      const [{ jobs }] = await withAdmin((sql) =>
        sql<
          { jobs: number }[]
        >`select count(*)::int as jobs from public.jobs where user_id = ${stranger.id}`
      );
      equal(jobs, 0, "a refused run creates no job");
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
    await withApp(async (request, judge) => {
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
      const run = await judge(owner, {
        judgeVersionId: version.body.data.judgeVersionId,
        calibrationId,
      });
      equal(run.job?.status, "succeeded");

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
